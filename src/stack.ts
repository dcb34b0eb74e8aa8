/**
 * The shell around the stack plan: open a session (settings, secrets, helm, the cluster,
 * preflight), read what is live once, compute the {@link StackPlan}, and apply it. `diff` and
 * `upgrade` share all of it, so what `diff` shows is what `upgrade` applies.
 *
 * helm processes per run: 1 `version`, 1 `repo add` per repository (it fetches the index), 1
 * server-side dry run per release, and 1 `upgrade` per release that changes.
 */
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import type { CommandContext } from './cli.js';
import { passesVersionFlag, PINNED_CHARTS } from './charts.js';
import { loadSettings } from './config/index.js';
import type { Settings } from './config/schema.js';
import { deepEqual, diffManifests, parseManifest, resourceKey } from './core/manifest.js';
import { releaseStateRisk } from './core/risks.js';
import { describeUnfinished, type StackRevision } from './core/history.js';
import { findUnfinishedRun } from './history.js';
import { applyServerSide, planStack, secretDigest, type LiveState, type PlannedSecret, type ReleaseChange, type StackPlan } from './core/stack-plan.js';
import { apiFailure, OperationError, RUN_WITH_DEBUG, UsageError, type MonitorStackError } from './errors.js';
import { InterruptedError, type StopSignal } from './interrupt.js';
import { writeFileAtomic } from './fsutil.js';
import { chartReference, lastLines, repositoryName, type HelmClient } from './helm/client.js';
import { openHelm } from './helm/runner.js';
import type { KubeClient, ObjectRef } from './kube/client.js';
import { mapLimit } from './limit.js';
import { GRAFANA_ADMIN_KEYS, grafanaAdminSecretName } from './overlays/grafana.js';
import { planReleases, settingsHash, type ReleasePlan } from './plan.js';
import { checkCluster, checkVolumeChanges, type CheckResult } from './preflight.js';
import { formatSecretRef } from './refs.js';
import { resolveStackSecrets, stackSecretPlans } from './secrets.js';
import { createReporter, type Reporter } from './ui.js';

/** Everything an upgrade or diff has opened: read-only until {@link applyPlan}. */
export interface Session extends Cluster {
  /** Resolved env:/file: secret values (memory only): managed Secret name → key → value. */
  secretValues: Record<string, Record<string, string>>;
  /** Repositories added and every release dry-run, started before the cluster is even reached. */
  rendering: Promise<Rendering>;
}

/** What helm rendered: the repositories in use, the CHART argument and the dry-run manifest of each release. */
interface Rendering {
  repositories: { name: string; url: string }[];
  chartRefs: Record<string, string>;
  rendered: Record<string, string>;
}

/** Settings, helm and the cluster: what every command that acts on a stack opens first. */
export interface Cluster {
  settings: Settings;
  configDir: string;
  releases: ReleasePlan[];
  helm: HelmClient;
  kube: KubeClient;
  ui: Reporter;
}

/**
 * Loads the settings of `--env`, finds helm and reaches the cluster, printing the first lines of
 * preflight. `afterHelm` runs as soon as helm is found, before the Kubernetes client is loaded
 * (about 0.9 s of @kubernetes/client-node 1.4's import), so helm's work can overlap it.
 * @param redactValues secret values no line may print.
 * @throws UsageError for bad input, a missing tool or kubeconfig; OperationError when the API is unreachable.
 */
export async function openCluster(ctx: CommandContext, o: { redactValues?: string[]; afterHelm?: (helm: HelmClient) => void; settings?: { settings: Settings; configDir: string; releases: ReleasePlan[] } } = {}): Promise<Cluster> {
  const env = ctx.options.env as string;
  const loaded = o.settings ?? loadStack(ctx);
  const { settings, configDir, releases } = loaded;
  const ui = await createReporter({ debug: ctx.debug, redactValues: o.redactValues ?? [] });
  const kubeModule = import('./kube/client.js');
  ui.heading(`Preflight for environment ${env} (preset ${settings.preset})`);
  const helm = await openHelm(ctx.options.helm as string | undefined, settings.kubeContext, ui.debug);
  ui.check({ group: 'helm', ok: true, message: `helm ${helm.version.text} (${helm.isHelm4 ? 'Helm 4' : 'Helm 3'}) at ${helm.runner.binary}` });
  o.afterHelm?.(helm);
  const { KubeClient } = await kubeModule;
  const kube = KubeClient.load(settings.kubeContext);
  const serverVersion = await kube.serverVersion();
  ui.check({ group: 'kubernetes-api', ok: true, message: `reached ${kube.server} (context ${kube.context}, Kubernetes ${serverVersion})` });
  return { settings, configDir, releases, helm, kube, ui };
}

/** The settings of `--env` and the releases they make. */
export function loadStack(ctx: CommandContext): { settings: Settings; configDir: string; releases: ReleasePlan[] } {
  const settings = loadSettings(ctx.configPath, ctx.options.env as string, ctx.flags);
  return { settings, configDir: dirname(resolve(ctx.configPath)), releases: planReleases(settings) };
}

/**
 * Opens the cluster (see {@link openCluster}) with the receiver secrets resolved, and starts helm's
 * part of the plan (`repo add`, one server-side dry run per release: nothing in the cluster
 * changes) as soon as helm is found, so that it runs while the Kubernetes client loads and
 * preflight reads the cluster.
 * @param tmp private folder for the overlays handed to helm.
 * @throws UsageError for bad input (an unresolvable secret reference among it), a missing tool or kubeconfig; OperationError when the API is unreachable.
 */
export async function openSession(ctx: CommandContext, tmp: string, opts: { parallel: number }): Promise<Session> {
  const loaded = loadStack(ctx);
  const secretValues = resolveStackSecrets(loaded.settings, loaded.configDir);
  let rendering: Promise<Rendering> | undefined;
  const cluster = await openCluster(ctx, {
    settings: loaded,
    redactValues: Object.values(secretValues).flatMap((v) => Object.values(v)),
    afterHelm: (helm) => {
      rendering = renderReleases(helm, loaded.releases, loaded.configDir, tmp, opts.parallel);
      rendering.catch(() => {}); // awaited after preflight; a preflight failure is the error to report
    },
  });
  return { ...cluster, secretValues, rendering: rendering! };
}

/** Starts helm's part of the plan again (after `--recover` changed what is installed). */
export function restartRendering(s: Session, tmp: string, parallel: number): void {
  s.rendering = renderReleases(s.helm, s.releases, s.configDir, tmp, parallel);
  s.rendering.catch(() => {});
}

/** A release left `pending-*`: the record of its latest revision and its last deployed revision. */
export interface StuckRelease {
  release: string;
  chart: string;
  version: string;
  status: string;
  revision: number;
  lastDeployed?: number;
}

/** Releases of the stack left `pending-install`, `pending-upgrade` or `pending-rollback`. */
export async function findStuckReleases(s: Cluster): Promise<StuckRelease[]> {
  if (!(await s.kube.namespaceExists(s.settings.namespace))) return [];
  const installed = await s.kube.readReleases(s.settings.namespace, s.releases.map((r) => r.release));
  return s.releases.flatMap((p) => {
    const r = installed[p.release];
    if (!r || !r.head.latest.status.startsWith('pending-')) return [];
    return [{ release: p.release, chart: p.chart, version: r.record.chartVersion, status: r.head.latest.status, revision: r.head.latest.revision, ...(r.head.lastDeployed ? { lastDeployed: r.head.lastDeployed } : {}) }];
  });
}

/**
 * `upgrade --recover`: a stuck release back to its last deployed revision (`helm rollback`), or,
 * when it was never deployed, uninstalled (helm deletes the objects of its manifest but those
 * annotated `helm.sh/resource-policy: keep`: the PVCs our overlays render, charts.ts). Each is read
 * back and reported as it is.
 * @returns per release what was done; `ok: false` when the release is still stuck.
 */
export async function recoverReleases(s: Cluster, stuck: StuckRelease[], timeout: string): Promise<(ReleaseOutcome & { ok: boolean })[]> {
  const { kube, helm, ui, settings } = s;
  const ns = settings.namespace;
  const out: (ReleaseOutcome & { ok: boolean })[] = [];
  for (const r of stuck) {
    let res;
    if (r.lastDeployed) {
      const target = await kube.readReleaseRevision(ns, r.release, r.lastDeployed);
      res = await helm.runner.run(helm.rollbackArgs(r.release, r.lastDeployed, ns, timeout, target?.applyMethod === 'ssa'));
    }
    else res = await helm.runner.run(helm.uninstallArgs(r.release, ns, timeout));
    const now = (await kube.readReleases(ns, [r.release]))[r.release];
    const ok = r.lastDeployed ? res.exitCode === 0 && now?.head.latest.status === 'deployed' : !now;
    const result = ok
      ? r.lastDeployed
        ? `recovered from ${r.status}: rolled back to revision ${r.lastDeployed}`
        : `recovered from ${r.status}: uninstalled (it was never deployed)`
      : `NOT recovered: ${res.exitCode === 0 ? `still ${now?.head.latest.status ?? 'gone'}` : lastLines(res.stderr || res.stdout)}`;
    ui.check({ group: 'recover', ok, message: `${r.release}: ${result}` });
    out.push({ release: r.release, chart: r.chart, version: r.version, revision: now?.head.latest.revision ?? null, status: now?.head.latest.status ?? 'not installed', result, elapsed: 0, ok });
  }
  return out;
}

/**
 * `upgrade --recover` of an unfinished run (history.ts findUnfinishedRun): every release it was to
 * change is put back at the revision the run started from (rolled back, or uninstalled when the
 * run installed it; PVCs stay), each read back and reported as it is.
 * @returns per release what was done; `ok: false` when it is not back.
 */
export async function recoverUnfinishedRun(s: Cluster, run: StackRevision, timeout: string): Promise<(ReleaseOutcome & { ok: boolean; before: number | null })[]> {
  const out: (ReleaseOutcome & { ok: boolean; before: number | null })[] = [];
  for (const r of [...run.releases].reverse()) {
    if (r.result === 'unchanged: skipped') continue;
    const target: UndoTarget = { release: r.release, namespace: s.settings.namespace, chart: r.chart, version: r.version, installed: r.before === null ? null : { revision: r.before, status: 'deployed' } };
    const { outcome, command } = await undoRelease(s, target, timeout).catch((err: Error) => unreachable(s, target, err));
    // undoRelease words its outcome for the run it undoes; here that run is another one.
    const result =
      outcome.result === 'unchanged by this run'
        ? `unchanged by stack revision ${run.revision}`
        : outcome.result === 'not installed (helm removed the failed install)'
        ? `not installed, as before stack revision ${run.revision}`
        : outcome.result === 'uninstalled (this run installed it)'
        ? `uninstalled (stack revision ${run.revision} installed it)`
        : outcome.result;
    s.ui.check({ group: 'recover', ok: !command, message: `${r.release}: ${result}` });
    out.push({ ...outcome, result, ok: !command, before: r.before });
  }
  return out;
}

/** `helm repo add` of each repository in use, then the server-side dry run of every release, `parallel` at a time. */
async function renderReleases(helm: HelmClient, releases: ReleasePlan[], configDir: string, tmp: string, parallel: number): Promise<Rendering> {
  const { repositories, chartRefs } = chartSources({ releases, configDir });
  for (const repo of repositories) await helm.run(helm.repoAddArgs(repo.name, repo.url), `helm repo add ${repo.name}`);
  const rendered: Record<string, string> = {};
  await mapLimit(releases, parallel, async (p) => {
    rendered[p.release] = await renderRelease(helm, p, chartRefs[p.release]!, join(tmp, p.fileName));
  });
  return { repositories, chartRefs, rendered };
}

/** The Secrets a run writes, by key and digest (values stay in the session). */
function plannedSecrets(s: Session): PlannedSecret[] {
  const { settings } = s;
  const out: PlannedSecret[] = [];
  for (const { plan } of stackSecretPlans(settings)) {
    const name = plan.managedName;
    const entries = plan.managed.map(({ key, ref }) => ({ key, ref: formatSecretRef(ref), digest: secretDigest(name, key, s.secretValues[name]![key]!) }));
    if (entries.length) out.push({ name, kind: 'resolved', entries });
  }
  if (settings.components.grafana && !settings.grafana.adminSecret) out.push({ name: grafanaAdminSecretName(settings), kind: 'generated', entries: [] });
  return out;
}

/** Chart repositories in use and the CHART argument of each release. */
function chartSources(s: { releases: ReleasePlan[]; configDir: string }): { repositories: { name: string; url: string }[]; chartRefs: Record<string, string> } {
  const repos = new Map<string, string>();
  const chartRefs: Record<string, string> = {};
  for (const p of s.releases) {
    chartRefs[p.release] =
      p.source.kind === 'local'
        ? resolve(s.configDir, p.source.path)
        : chartReference(p, (source) => {
            const pinned = Object.values(PINNED_CHARTS).find((c) => c.repository === source.url);
            const name = repositoryName(source.url, pinned?.repositoryName);
            repos.set(name, source.url);
            return name;
          });
  }
  return { repositories: [...repos].map(([name, url]) => ({ name, url })), chartRefs };
}

/**
 * Preflight, then everything live read once: release records, helm's dry runs (started by
 * {@link openSession}), the live objects, the Secrets' digests. Then the pure plan.
 * @throws UsageError when preflight fails (nothing changed); OperationError when helm or the API fail.
 */
export async function computePlan(s: Session): Promise<StackPlan> {
  const { settings, kube, helm, ui } = s;
  const storageClasses = await kube.listStorageClasses();
  const results = await checkCluster(kube, settings, s.releases, s.configDir, storageClasses);
  const names = s.releases.map((p) => p.release);
  const namespaceExists = await kube.namespaceExists(settings.namespace);
  const installed = namespaceExists ? await kube.readReleases(settings.namespace, names) : {};
  const installedValues = new Map(Object.entries(installed).map(([name, r]) => [name, r.record.values]));
  results.push(...checkVolumeChanges(s.releases, installedValues, storageClasses.find((c) => c.isDefault)?.name));
  // A release another operation holds: helm would refuse it, so the dry run is not even tried.
  for (const p of s.releases) {
    const r = installed[p.release];
    const age = r?.record.lastDeployed ? (Date.now() - Date.parse(r.record.lastDeployed)) / 1000 : undefined;
    const risk = r && r.head.latest.status.startsWith('pending-') ? releaseStateRisk(p.release, p.namespace, r.head.latest.status, r.head.latest.revision, r.head.lastDeployed, age, settings.environment) : undefined;
    if (risk) results.push({ group: 'releases', ok: false, message: risk.message, hints: [`Fix: ${risk.fix}`] });
  }
  const unfinished = namespaceExists ? await findUnfinishedRun(kube, settings.namespace, settings.environment) : undefined;
  if (unfinished) {
    const now = Object.fromEntries(unfinished.releases.map((r) => [r.release, installed[r.release]?.head.latest.revision ?? null]));
    results.push({
      group: 'releases',
      ok: false,
      message: `stack revision ${unfinished.revision} (${unfinished.kind} by ${unfinished.who} on ${unfinished.host}, started ${unfinished.time}) did not finish: its run ended without recording an outcome, so it may be half-applied`,
      hints: [...describeUnfinished(unfinished, now).map((l) => `  ${l}`), `Fix: monitor-stack upgrade --env ${settings.environment} --recover puts back what that run changed, then upgrades`],
    });
  }
  for (const r of results) ui.check(r);
  const failed = results.filter((r) => !r.ok);
  if (failed.length) throw new UsageError(`preflight found ${failed.length} problem${failed.length > 1 ? 's' : ''}; nothing was changed.`, failed.flatMap(preflightLines));

  const { repositories, chartRefs, rendered } = await s.rendering;
  if (repositories.length) ui.check({ group: 'charts', ok: true, message: `repositories ${repositories.map((r) => r.name).join(', ')} added and their indexes fetched` });

  // Live objects: every installed resource (for drift) and every one the plan adds (for ownership).
  const objectRefs = new Map<string, ObjectRef>();
  for (const p of s.releases) {
    const manifest = installed[p.release]?.record.manifest ?? '';
    for (const r of parseManifest(manifest, p.namespace)) objectRefs.set(resourceKey(r), r);
    for (const c of diffManifests(manifest, rendered[p.release]!, p.namespace)) if (c.change === 'added') objectRefs.set(c.key, c);
  }
  const refs = [...objectRefs];
  const objects = Object.fromEntries((await kube.readObjects(refs.map(([, r]) => r))).map((o, i) => [refs[i]![0], o]));

  const secrets = plannedSecrets(s);
  const liveSecrets: LiveState['secrets'] = {};
  for (const sec of secrets) {
    if (!namespaceExists) liveSecrets[sec.name] = null;
    else if (sec.kind === 'generated') liveSecrets[sec.name] = (await kube.secretKeys(settings.namespace, sec.name)) ? {} : null;
    else {
      const data = await kube.readSecretData(settings.namespace, sec.name);
      liveSecrets[sec.name] = data && Object.fromEntries(Object.entries(data).map(([k, v]) => [k, secretDigest(sec.name, k, v)]));
    }
  }

  return planStack(
    { environment: settings.environment, kubeContext: kube.context, settingsHash: settingsHash(settings), releases: s.releases, chartRefs, repositories, secrets },
    { namespaceExists, releases: installed, rendered, objects, secrets: liveSecrets },
  );
}

/**
 * What helm would apply for one release: the manifest of `helm upgrade --install --dry-run=server`.
 * When helm refuses the dry run because an object belongs to someone else, `helm template` gives
 * the manifest instead, so the plan can name the object and its owner.
 */
async function renderRelease(helm: HelmClient, p: ReleasePlan, chartRef: string, valuesFile: string): Promise<string> {
  writeFileAtomic(valuesFile, p.overlay, 0o600);
  const target = { release: p.release, namespace: p.namespace, version: p.version, pinVersion: passesVersionFlag(p.source) };
  const r = await helm.runner.run(helm.upgradeArgs(target, chartRef, { valuesFile, dryRun: true, wait: false, timeout: '5m' }));
  if (r.exitCode === 0) return (JSON.parse(r.stdout) as { manifest?: string }).manifest ?? '';
  const message = lastLines(r.stderr || r.stdout);
  if (/cannot be imported into the current release|invalid ownership metadata/.test(r.stderr)) {
    const t = await helm.runner.run(helm.templateArgs(target, chartRef, valuesFile));
    if (t.exitCode === 0) return t.stdout;
  }
  throw new OperationError(`helm's server-side dry run of release ${p.release} failed: ${message}`, ['Nothing was changed.', RUN_WITH_DEBUG]);
}

function preflightLines(r: CheckResult): string[] {
  return [`- ${r.message}`, ...(r.hints ?? []).map((h) => `  ${h}`)];
}

/**
 * Releases whose latest revision is no longer the one the plan was computed against: another run
 * got there first. Read after the lock is taken.
 * @returns one sentence per moved release.
 */
export async function releasesMoved(s: Session, plan: StackPlan): Promise<string[]> {
  const now = await s.kube.readReleases(plan.namespace, plan.releases.map((r) => r.release));
  return plan.releases.flatMap((r) => {
    const was = r.installed?.revision ?? null;
    const is = now[r.release]?.head.latest.revision ?? null;
    return was === is ? [] : [`release ${r.release} was ${was === null ? 'not installed' : `at revision ${was}`} when planned, now ${is === null ? 'not installed' : `at revision ${is}`}`];
  });
}

/** Outcome of one release in an applied run. */
export interface ReleaseOutcome {
  release: string;
  chart: string;
  version: string;
  /** Revision after the run (or after undoing it); null when not installed. */
  revision: number | null;
  status: string;
  /** What this run did to it, in words. */
  result: string;
  /** Seconds helm took; 0 when skipped. */
  elapsed: number;
}

export interface ApplyOptions {
  wait: boolean;
  timeout: string;
  parallel: number;
  allowRecreate: boolean;
  /** Helm 4: switch releases applied client-side (installed with Helm 3) to server-side apply. */
  serverSideApply?: boolean;
  /** Signals received (interrupt.ts): after one, no new release starts and the run is undone. */
  interrupts?: { readonly signal: StopSignal | undefined };
}

/**
 * Applies a plan (the namespace exists and the lock is held): Secrets, recreations allowed by `--allow-recreate`, then `helm
 * upgrade --install` of every release that changes, `parallel` at a time. When one fails, no new
 * release starts; the ones running finish; then every release this run touched is put back
 * (rolled back to its last deployed revision, or uninstalled when this run installed it), the
 * receiver Secret is restored, and what was really left is read back from the cluster and
 * reported.
 * @returns per release, what happened (in plan order); after a failure also the OperationError
 *   (exit 1) to throw, which says whether undoing worked, and whether it did.
 */
export async function applyPlan(s: Session, plan: StackPlan, tmp: string, o: ApplyOptions): Promise<ApplyResult> {
  const { kube, helm, ui, settings } = s;
  ui.heading('Applying');
  const restores: (() => Promise<void>)[] = [];
  /** The generated Grafana admin Secret, when this run created it. */
  let createdAdminSecret: string | undefined;
  for (const sec of plan.secrets) {
    if (sec.action === 'unchanged') continue;
    if (sec.kind === 'generated') {
      const password = randomBytes(18).toString('base64url');
      const what = await kube.writeSecret(plan.namespace, sec.name, { [GRAFANA_ADMIN_KEYS.user]: 'admin', [GRAFANA_ADMIN_KEYS.password]: password }, true);
      if (what === 'created') createdAdminSecret = sec.name;
      ui.line(
        what === 'created'
          ? `Secret ${sec.name} created with a generated Grafana admin password (read it: kubectl -n ${plan.namespace} get secret ${sec.name} -o jsonpath='{.data.admin-password}' | base64 -d)`
          : `Secret ${sec.name} kept (Grafana admin credentials)`,
      );
      continue;
    }
    const values = Object.fromEntries(sec.entries.map((e) => [e.key, s.secretValues[sec.name]![e.key]!]));
    const before = await kube.readSecretData(plan.namespace, sec.name);
    const what = await kube.writeSecret(plan.namespace, sec.name, values);
    ui.line(`Secret ${sec.name} ${what} (keys changed: ${sec.changedKeys.join(', ')})`);
    restores.push(async () => {
      if (before) await kube.writeSecret(plan.namespace, sec.name, before);
      else await kube.deleteSecret(plan.namespace, sec.name);
      ui.line(`Secret ${sec.name} ${before ? 'restored' : 'removed'}`);
    });
  }

  const outcomes = new Map<string, ReleaseOutcome>();
  const touched: ReleaseChange[] = [];
  let failure: { release: string; message: string; byHelm: boolean } | undefined;
  /** Objects deleted for --allow-recreate, by release: helm creates them again only if it runs. */
  const deleted = new Map<string, string[]>();
  const todo = plan.releases.filter((r) => r.action !== 'unchanged');
  for (const r of plan.releases) {
    if (r.action === 'unchanged') {
      outcomes.set(r.release, { release: r.release, chart: r.chart, version: r.version, revision: r.installed!.revision, status: r.installed!.status, result: 'unchanged: skipped', elapsed: 0 });
    }
  }
  await mapLimit(todo, o.parallel, async (r) => {
    if (failure || o.interrupts?.signal) return; // start no new release after a failure or a signal
    touched.push(r);
    try {
      for (const risk of plan.risks) {
        if (risk.release !== r.release || risk.resolution !== 'recreate' || !o.allowRecreate || !risk.object) continue;
        const orphan = risk.object.kind === 'StatefulSet';
        deleted.set(r.release, [...(deleted.get(r.release) ?? []), risk.resource ?? risk.object.name]);
        await kube.deleteObject(risk.object, orphan ? 'Orphan' : 'Background');
        ui.line(`${r.release}: ${risk.resource} deleted to be created anew${orphan ? ' (pods orphaned, PVCs kept)' : ''}`);
      }
      const valuesFile = join(tmp, r.fileName);
      writeFileAtomic(valuesFile, r.overlay, 0o600);
      ui.line(`${r.release}: ${r.installed ? `upgrading from revision ${r.installed.revision}` : 'installing'} ${r.chart} ${r.version} …`);
      const started = Date.now();
      const serverSide = applyServerSide(r, o.serverSideApply);
      const res = await helm.runner.run(helm.upgradeArgs(r, r.chartRef, { valuesFile, dryRun: false, wait: o.wait, timeout: o.timeout, serverSide }));
      const elapsed = (Date.now() - started) / 1000;
      if (res.exitCode !== 0) throw new OperationError(`failed after ${elapsed.toFixed(1)}s: ${lastLines(res.stderr || res.stdout)}`);
      const rel = JSON.parse(res.stdout) as { version?: number; info?: { status?: string } };
      const outcome = { release: r.release, chart: r.chart, version: r.version, revision: rel.version ?? null, status: rel.info?.status ?? 'unknown', result: r.installed ? 'upgraded' : 'installed', elapsed };
      ui.check({ group: 'releases', ok: true, message: `${r.release}: ${outcome.status}, revision ${outcome.revision} (${elapsed.toFixed(1)}s)` });
      outcomes.set(r.release, outcome);
    } catch (err) {
      const message = (err as Error).message;
      failure ??= { release: r.release, message: message.replace(/^failed after [\d.]+s: /, ''), byHelm: /^failed after [\d.]+s: /.test(message) };
      ui.check({ group: 'releases', ok: false, message: `${r.release}: ${message}` });
    }
  });
  const signal = o.interrupts?.signal;
  const notStarted = todo.filter((r) => !touched.includes(r));
  if (!failure && !(signal && notStarted.length)) {
    if (signal) ui.line(`${signal} came while the last release was running; every release finished, so nothing is undone.`);
    return { outcomes: plan.releases.map((r) => outcomes.get(r.release)!), ...(signal ? { interrupted: signal } : {}) };
  }

  // Undo, newest first, then report what is really there.
  ui.heading(failure ? 'Undoing this run' : `Undoing this run (${signal})`);
  const unfinished: string[] = [];
  for (const r of [...touched].reverse()) {
    const result = await undoRelease(s, r, o.timeout).catch((err: Error) => unreachable(s, r, err));
    const gone = deleted.get(r.release);
    if (gone && result.outcome.result === 'unchanged by this run' && r.installed) {
      // Deleted for --allow-recreate, then the run stopped before helm created it again.
      result.outcome.result = `NOT restored: ${gone.join(', ')} deleted for --allow-recreate and not created again`;
      result.command = `helm rollback ${r.release} ${r.installed.revision} --namespace ${r.namespace}{ctx}   # re-applies that revision, creating what is missing`;
    }
    outcomes.set(r.release, result.outcome);
    if (result.command) unfinished.push(result.command);
    if (result.command) ui.check({ group: 'undo', ok: false, message: `${r.release}: ${result.outcome.result}` });
    else ui.check({ group: 'undo', ok: true, message: `${r.release}: ${result.outcome.result}` });
  }
  for (const restore of restores.reverse()) {
    try {
      await restore();
    } catch (err) {
      unfinished.push(`restore the receiver Secret by hand (${(err as Error).message})`);
    }
  }
  const adminKept = Boolean(createdAdminSecret) && touched.some((r) => r.chart === 'grafana');
  if (createdAdminSecret) {
    // Grafana writes the admin password into its database (on its kept volume) when it first starts.
    if (adminKept) ui.line(`Secret ${createdAdminSecret} kept: this run created it and started Grafana with it, and Grafana keeps that password once started`);
    else {
      try {
        await kube.deleteSecret(plan.namespace, createdAdminSecret);
        ui.line(`Secret ${createdAdminSecret} removed (this run created it)`);
      } catch (err) {
        unfinished.push(`kubectl delete secret ${createdAdminSecret} --namespace ${plan.namespace}{ctx}   # this run created it (${(err as Error).message.split('\n')[0]})`);
      }
    }
  }
  for (const r of todo) if (!outcomes.has(r.release)) outcomes.set(r.release, { release: r.release, chart: r.chart, version: r.version, revision: r.installed?.revision ?? null, status: r.installed?.status ?? 'not installed', result: 'not started', elapsed: 0 });
  const ctxFlag = settings.kubeContext ? ` --kube-context ${kube.context}` : '';
  const hints = [
    unfinished.length
      ? `The run could NOT be fully undone. To finish by hand:${unfinished.map((c) => `\n    ${c.replace('{ctx}', ctxFlag)}`).join('')}`
      : `Every release this run touched is back at the revision it had before (see the table), and the Secrets it wrote are as they were${adminKept ? ` but ${createdAdminSecret}, kept as said above` : ''}.`,
  ];
  const rows = plan.releases.map((r) => outcomes.get(r.release)!);
  if (!failure) {
    const stopped = `stopped by ${signal}: ${notStarted.map((r) => r.release).join(', ')} not started.`;
    return { outcomes: rows, error: new InterruptedError(signal!, stopped, hints), undone: unfinished.length === 0, interrupted: signal };
  }
  const error = new OperationError(`${failure.byHelm ? 'helm upgrade of ' : ''}release ${failure.release} failed${failure.byHelm ? '' : ' before helm ran'}: ${failure.message}`, [...hints, RUN_WITH_DEBUG]);
  return { outcomes: rows, error, undone: unfinished.length === 0, ...(signal ? { interrupted: signal } : {}) };
}

/** What {@link applyPlan} did. */
export interface ApplyResult {
  outcomes: ReleaseOutcome[];
  /** Set when a release failed (exit 1) or a signal stopped the run (InterruptedError, exit 130/143): the error to report. */
  error?: MonitorStackError;
  /** The signal received during the run, if any. */
  interrupted?: StopSignal;
  /** After a failure: whether every release is back where it was. */
  undone?: boolean;
}

/** When undoing could not even read the cluster (the API server went away): what is known, and the command that finishes it. */
function unreachable(s: Cluster, r: UndoTarget, err: Error): { outcome: ReleaseOutcome; command: string } {
  return {
    outcome: { release: r.release, chart: r.chart, version: r.version, elapsed: 0, revision: null, status: 'unknown', result: `NOT undone, state unknown: ${apiFailure(err)}` },
    command: r.installed
      ? `helm rollback ${r.release} ${r.installed.status === 'deployed' ? r.installed.revision : (r.installed.lastDeployed ?? r.installed.revision)} --namespace ${r.namespace}{ctx}   # or: monitor-stack upgrade --env ${s.settings.environment} --recover`
      : `helm uninstall ${r.release} --namespace ${r.namespace}{ctx}   # or: monitor-stack upgrade --env ${s.settings.environment} --recover`,
  };
}

/** A release to put back: its state before the run (absent: the run installed it). */
export type UndoTarget = Pick<ReleaseChange, 'release' | 'namespace' | 'chart' | 'version'> & { installed: { revision: number; status: string; lastDeployed?: number } | null };

/**
 * Puts one release back as it was before the run, judging from what the cluster holds now (helm's
 * own rollback-on-failure may already have done it), and reads the result back.
 * @returns the outcome, and when undoing failed, the helm command that would finish it ({ctx} marks the kube-context flag).
 */
export async function undoRelease(s: Cluster, r: UndoTarget, timeout: string): Promise<{ outcome: ReleaseOutcome; command?: string }> {
  const { kube, helm } = s;
  const ns = r.namespace;
  const base = { release: r.release, chart: r.chart, version: r.version, elapsed: 0 };
  const now = (await kube.readReleases(ns, [r.release]))[r.release];
  if (!r.installed) {
    if (!now) return { outcome: { ...base, revision: null, status: 'not installed', result: 'not installed (helm removed the failed install)' } };
    const u = await helm.runner.run(helm.uninstallArgs(r.release, ns, timeout));
    const after = (await kube.readReleases(ns, [r.release]))[r.release];
    if (!after) return { outcome: { ...base, revision: null, status: 'not installed', result: 'uninstalled (this run installed it)' } };
    return {
      outcome: { ...base, revision: after.head.latest.revision, status: after.head.latest.status, result: `NOT uninstalled: ${lastLines(u.stderr || u.stdout)}` },
      command: `helm uninstall ${r.release} --namespace ${ns}{ctx}`,
    };
  }
  const target = r.installed.status === 'deployed' ? r.installed.revision : r.installed.lastDeployed;
  if (!now) return { outcome: { ...base, revision: null, status: 'not installed', result: 'NOT restored: the release is gone' }, command: `monitor-stack upgrade --env ${s.settings.environment}` };
  if (now.head.latest.revision === r.installed.revision) return { outcome: { ...base, revision: now.head.latest.revision, status: now.head.latest.status, result: 'unchanged by this run' } };
  if (!target) {
    return {
      outcome: { ...base, revision: now.head.latest.revision, status: now.head.latest.status, result: 'NOT rolled back: it has no deployed revision to go back to' },
      command: `helm uninstall ${r.release} --namespace ${ns}{ctx}   # or fix the cause and run upgrade again`,
    };
  }
  const targetRecord = await kube.readReleaseRevision(ns, r.release, target);
  const same = (x: typeof now.record) => targetRecord && x.status === 'deployed' && x.manifest === targetRecord.manifest && deepEqual(x.values, targetRecord.values) && x.chartVersion === targetRecord.chartVersion;
  if (same(now.record)) return { outcome: { ...base, revision: now.head.latest.revision, status: 'deployed', result: `rolled back by helm to revision ${target}'s content` } };
  const rb = await helm.runner.run(helm.rollbackArgs(r.release, target, ns, timeout, targetRecord?.applyMethod === 'ssa'));
  const after = (await kube.readReleases(ns, [r.release]))[r.release];
  if (rb.exitCode === 0 && after && same(after.record)) {
    return { outcome: { ...base, revision: after.head.latest.revision, status: after.record.status, result: `rolled back to revision ${target}` } };
  }
  return {
    outcome: {
      ...base,
      revision: after?.head.latest.revision ?? null,
      status: after?.head.latest.status ?? 'not installed',
      result: `NOT rolled back to revision ${target}: ${rb.exitCode === 0 ? 'helm said it did, but the release does not match that revision' : lastLines(rb.stderr || rb.stdout)}`,
    },
    command: `helm rollback ${r.release} ${target} --namespace ${ns}{ctx}`,
  };
}

/**
 * Plan notes on the apply method, for Helm 4: a release applied client-side keeps that method
 * (helm's `--server-side=auto`), or switches with `--server-side-apply`. None on Helm 3.
 */
export function applyMethodNotes(plan: StackPlan, helm: HelmClient, switchToServerSide: boolean): void {
  if (!helm.isHelm4) return;
  for (const r of plan.releases) {
    if (!r.installed || r.installed.applyMethod === 'ssa') continue;
    r.notes.push(
      switchToServerSide && r.action === 'unchanged'
        ? 'stays client-side: nothing to upgrade (--server-side-apply switches a release when it is upgraded)'
        : switchToServerSide
        ? 'switches from client-side apply (as installed, e.g. by Helm 3) to server-side apply (--server-side-apply); later upgrades stay server-side'
        : 'applied client-side, as it was installed (e.g. by Helm 3): Helm 4 keeps that method (no --force-conflicts); upgrade --server-side-apply switches it to server-side apply',
    );
  }
}

/** The closing table of a run: release, chart, version, revision, status, what happened, elapsed. */
export function printOutcomes(ui: Reporter, outcomes: ReleaseOutcome[]): void {
  ui.table(
    ['RELEASE', 'CHART', 'VERSION', 'REVISION', 'STATUS', 'RESULT', 'ELAPSED'],
    outcomes.map((o) => [o.release, o.chart, o.version, o.revision === null ? '-' : String(o.revision), o.status, o.result, o.elapsed ? `${o.elapsed.toFixed(1)}s` : '-']),
  );
}
