/** Stack revisions (core/history.ts) read and written through the Kubernetes API. */
import { historyLabels, historyObjectName, historySelector, nextRevision, parseStackRevision, revisionsToPrune, unfinishedRun, type StackRevision } from './core/history.js';
import { leaseName, leaseState } from './core/lock.js';
import { createRequire } from 'node:module';
import type { HelmClient } from './helm/client.js';
import { apiFailure } from './errors.js';
import type { KubeClient } from './kube/client.js';
import type { HeldLock } from './lock.js';
import type { Reporter } from './ui.js';

/** The recorded stack revisions of an environment, oldest first. */
export async function readStackHistory(kube: KubeClient, namespace: string, environment: string): Promise<StackRevision[]> {
  const maps = await kube.listConfigMaps(namespace, historySelector(environment));
  return maps
    .map((m) => parseStackRevision(m.data['revision.json']))
    .filter((r): r is StackRevision => Boolean(r))
    .sort((a, b) => a.revision - b.revision);
}

/**
 * Records a stack revision under the next free number, then deletes the oldest beyond `historyMax`.
 * @returns the record as written.
 */
export async function recordStackRevision(kube: KubeClient, namespace: string, environment: string, record: Omit<StackRevision, 'revision'>, historyMax: number): Promise<StackRevision> {
  for (let attempt = 0; ; attempt++) {
    const recorded = (await readStackHistory(kube, namespace, environment)).map((r) => r.revision);
    const revision = nextRevision(recorded);
    const full: StackRevision = { revision, ...record };
    if (await kube.createConfigMap(namespace, historyObjectName(environment, revision), historyLabels(environment, revision), { 'revision.json': `${JSON.stringify(full, null, 2)}\n` })) {
      for (const old of revisionsToPrune([...recorded, revision], historyMax)) await kube.deleteConfigMap(namespace, historyObjectName(environment, old));
      return full;
    }
    if (attempt > 5) throw new Error(`could not record stack revision ${revision} of ${environment}: the name is taken each time`);
  }
}

type RunRecord = Pick<StackRevision, 'kind' | 'outcome' | 'settingsHash' | 'releases' | 'message' | 'keptVolumes'>;

/** The record of a run holding `lock`, as of now. */
function runRecord(c: { helm: HelmClient }, lock: HeldLock, run: RunRecord): Omit<StackRevision, 'revision'> {
  const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
  const { holder } = lock;
  return { runId: holder.runId, time: new Date().toISOString(), who: holder.who, host: holder.host, command: holder.command, toolVersion: version, helmVersion: c.helm.version.text, ...run };
}

/**
 * Records that a run holding `lock` starts applying: a stack revision with outcome `running`,
 * which {@link recordRun} replaces with the outcome. One left `running` is found by the next run
 * ({@link findUnfinishedRun}).
 * @returns the revision number.
 * @throws when the API refuses the write (nothing was applied yet).
 */
export async function beginRun(c: { kube: KubeClient; helm: HelmClient }, namespace: string, environment: string, lock: HeldLock, run: Omit<RunRecord, 'outcome'>, historyMax: number): Promise<number> {
  return (await recordStackRevision(c.kube, namespace, environment, runRecord(c, lock, { ...run, outcome: 'running' }), historyMax)).revision;
}

/**
 * The environment's unfinished run: its newest stack revision still `running` while no live run
 * holds the Lease under that run's id (core/history.ts unfinishedRun), with each release's latest
 * revision now. `evenIfHeld`: also when the run still holds a live Lease (before taking the lock,
 * to say what the lock wait is for).
 */
export async function findUnfinishedRun(kube: KubeClient, namespace: string, environment: string, o: { evenIfHeld?: boolean } = {}): Promise<StackRevision | undefined> {
  // A namespace that does not exist lists no ConfigMap and holds no Lease: no call to ask first.
  const history = await readStackHistory(kube, namespace, environment);
  if (history.at(-1)?.outcome !== 'running') return undefined;
  if (o.evenIfHeld) return history.at(-1);
  const lease = await kube.readLease(namespace, leaseName(environment));
  const state = leaseState(lease as never, '', Date.now());
  return unfinishedRun(history, lease ? { runId: lease.spec?.holderIdentity, live: state.state === 'held' } : undefined);
}

/** Replaces a recorded stack revision (the outcome of a run that began with {@link beginRun}, or an unfinished run closed by `--recover`). */
export async function replaceStackRevision(kube: KubeClient, namespace: string, environment: string, record: StackRevision): Promise<void> {
  await kube.replaceConfigMap(namespace, historyObjectName(environment, record.revision), historyLabels(environment, record.revision), { 'revision.json': `${JSON.stringify(record, null, 2)}\n` });
}

/**
 * Records what a run holding `lock` did: as the environment's next stack revision, or, when the
 * run began with {@link beginRun}, in place of its `running` record. Says so. A failure to record
 * is a warning, saying what stays: the run's own outcome stands.
 * @returns the record written, or undefined when it could not be.
 */
export async function recordRun(c: { kube: KubeClient; helm: HelmClient; ui: Reporter }, namespace: string, environment: string, lock: HeldLock, run: RunRecord, historyMax: number, begun?: number): Promise<StackRevision | undefined> {
  const full = runRecord(c, lock, run);
  const record = await (begun === undefined ? recordStackRevision(c.kube, namespace, environment, full, historyMax) : replaceStackRevision(c.kube, namespace, environment, { revision: begun, ...full }).then(() => ({ revision: begun, ...full }))).catch((err: Error) => {
    c.ui.warn(
      begun === undefined
        ? `the stack revision could not be recorded: ${apiFailure(err)}`
        : `stack revision ${begun} could not be updated (${apiFailure(err)}): it stays marked running; the next upgrade reports it, and upgrade --env ${environment} --recover puts back what this run changed.`,
    );
    return undefined;
  });
  if (record) c.ui.line(`stack revision ${record.revision} recorded (${record.kind}, ${record.outcome}); see: monitor-stack history --env ${environment}`);
  return record;
}
