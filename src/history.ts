/** Stack revisions (core/history.ts) read and written through the Kubernetes API. */
import { historyLabels, historyObjectName, historySelector, nextRevision, parseStackRevision, revisionsToPrune, type StackRevision } from './core/history.js';
import { createRequire } from 'node:module';
import type { HelmClient } from './helm/client.js';
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

/**
 * Records what a run holding `lock` did as the environment's next stack revision, and says so. A
 * failure to record is a warning: the run's own outcome stands.
 */
export async function recordRun(
  c: { kube: KubeClient; helm: HelmClient; ui: Reporter },
  namespace: string,
  environment: string,
  lock: HeldLock,
  run: Pick<StackRevision, 'kind' | 'outcome' | 'settingsHash' | 'releases' | 'message' | 'keptVolumes'>,
  historyMax: number,
): Promise<void> {
  const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
  const { holder } = lock;
  const record = await recordStackRevision(
    c.kube,
    namespace,
    environment,
    { runId: holder.runId, time: new Date().toISOString(), who: holder.who, host: holder.host, command: holder.command, toolVersion: version, helmVersion: c.helm.version.text, ...run },
    historyMax,
  ).catch((err: Error) => {
    c.ui.warn(`the stack revision could not be recorded: ${err.message}`);
    return undefined;
  });
  if (record) c.ui.line(`stack revision ${record.revision} recorded (${record.kind}, ${record.outcome}); see: monitor-stack history --env ${environment}`);
}
