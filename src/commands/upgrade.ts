/**
 * `monitor-stack upgrade --env E` (alias `apply`). One straight pass, each step only after the
 * previous one succeeded:
 *
 * 1. settings and secret references resolved (bad input: exit 2, nothing touched);
 * 2. preflight: helm found and new enough, the API reachable, every object the settings name present;
 * 3. values diff against what is installed;
 * 4. `helm repo add` / `helm repo update` for the repositories in use only;
 * 5. namespace, receiver Secret and generated Grafana admin Secret written through the API;
 * 6. `helm upgrade --install` per release. If one fails, the releases this run already changed
 *    are rolled back (or uninstalled when this run installed them), so nothing stays half-applied.
 *
 * `--dry-run` runs helm's server-side dry run and writes nothing to the cluster.
 */
import { randomBytes } from 'node:crypto';
import { join, dirname, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { CommandContext } from '../cli.js';
import { PINNED_CHARTS } from '../charts.js';
import { loadSettings } from '../config/index.js';
import type { Settings } from '../config/schema.js';
import { OperationError, UsageError } from '../errors.js';
import { writeFileAtomic, withPrivateTempDir } from '../fsutil.js';
import { chartReference, lastLines, repositoryName, type HelmClient, type HelmListEntry } from '../helm/client.js';
import { openHelm } from '../helm/runner.js';
import { KubeClient } from '../kube/client.js';
import { GRAFANA_ADMIN_KEYS, grafanaAdminSecretName } from '../overlays/grafana.js';
import { managedReceiverSecretName, planReceiverSecrets } from '../overlays/receivers.js';
import { planReleases, type ReleasePlan } from '../plan.js';
import { checkCluster, checkReleaseStates, checkVolumeChanges, type CheckResult } from '../preflight.js';
import { redact, resolveSecretRefs } from '../secrets.js';
import { checkHelmTimeout } from '../validate.js';
import { createReporter, type Reporter } from '../ui.js';

/** Outcome of one release in the final table. */
export interface ReleaseOutcome {
  release: string;
  chart: string;
  version: string;
  revision: number | null;
  status: string;
  /** Seconds helm took for this release. */
  elapsed: number;
}

export async function runUpgrade(ctx: CommandContext): Promise<void> {
  const env = ctx.options.env as string;
  const dryRun = Boolean(ctx.options.dryRun);
  const wait = ctx.options.wait !== false;
  const timeout = String(ctx.options.timeout ?? '10m');
  const timeoutProblem = checkHelmTimeout(timeout);
  if (timeoutProblem) throw new UsageError(`--timeout "${timeout}": ${timeoutProblem}.`);

  // 1. Settings and secrets: every input problem is found before anything runs.
  const settings = loadSettings(ctx.configPath, env, ctx.flags);
  const configDir = dirname(resolve(ctx.configPath));
  const plans = planReleases(settings);
  const receiverPlan = planReceiverSecrets(settings);
  const receiverValues = settings.components.alertmanager ? resolveSecretRefs(receiverPlan.managed, configDir) : {};
  const secretValues = Object.values(receiverValues);
  const ui = await createReporter({ debug: ctx.debug, redactValues: secretValues });

  // 2. Preflight.
  ui.heading(`Preflight for environment ${env} (preset ${settings.preset})`);
  const helm = await openHelm(ctx.options.helm as string | undefined, settings.kubeContext, ui.debug);
  ui.check({ group: 'helm', ok: true, message: `helm ${helm.version.text} (${helm.isHelm4 ? 'Helm 4' : 'Helm 3'}) at ${helm.runner.binary}` });
  const kube = KubeClient.load(settings.kubeContext);
  const serverVersion = await kube.serverVersion();
  ui.check({ group: 'kubernetes-api', ok: true, message: `reached ${kube.server} (context ${kube.context}, Kubernetes ${serverVersion})` });
  const storageClasses = await kube.listStorageClasses();
  const results = await checkCluster(kube, settings, plans, configDir, storageClasses);
  // What is installed: for the values diff, and for changes the cluster would refuse mid-way.
  const installed = new Map((await helm.list(settings.namespace)).map((r) => [r.name, r]));
  const current = new Map<string, Record<string, unknown>>();
  for (const plan of plans) if (installed.has(plan.release)) current.set(plan.release, await helm.getValues(plan.release, plan.namespace));
  results.push(...checkReleaseStates(plans, installed), ...checkVolumeChanges(plans, current, storageClasses.find((c) => c.isDefault)?.name));
  for (const r of results) ui.check(r);
  const failed = results.filter((r) => !r.ok);
  if (failed.length) {
    throw new UsageError(`preflight found ${failed.length} problem${failed.length > 1 ? 's' : ''}; nothing was changed.`, failed.flatMap(preflightLines));
  }
  for (const plan of plans) for (const note of [plan.deprecation, plan.versionNote]) if (note) ui.warn(note);

  // 3. Diff against what is installed.
  await printValuesDiff(ui, plans, installed, current);

  await withPrivateTempDir(async (tmp) => {
    // 4. Repositories in use.
    const repos = new Map<string, string>();
    const repoName = (source: { url: string }) => {
      const pinned = Object.values(PINNED_CHARTS).find((p) => p.repository === source.url);
      const name = repositoryName(source.url, pinned?.repositoryName);
      repos.set(name, source.url);
      return name;
    };
    const refs = new Map(plans.map((p) => [p.id, p.source.kind === 'local' ? resolve(configDir, p.source.path) : chartReference(p, repoName)]));
    if (repos.size) {
      ui.heading('Chart repositories');
      for (const [name, url] of repos) await helm.run(helm.repoAddArgs(name, url), `helm repo add ${name}`);
      await helm.run(helm.repoUpdateArgs([...repos.keys()]), 'helm repo update');
      ui.line(`${[...repos.keys()].join(', ')} added and updated`);
    }

    // 5. Namespace and Secrets.
    const restoreSecrets = dryRun ? async () => {} : await writeSecrets(ui, kube, settings, receiverValues);

    // 6. Releases.
    ui.heading(dryRun ? 'Releases (server-side dry run: nothing is changed)' : 'Releases');
    const outcomes: ReleaseOutcome[] = [];
    const done: { plan: ReleasePlan; previous: number | null }[] = [];
    for (const plan of plans) {
      const valuesFile = join(tmp, plan.fileName);
      writeFileAtomic(valuesFile, plan.overlay, 0o600);
      const args = helm.upgradeArgs(plan, refs.get(plan.id)!, { valuesFile, dryRun, wait, timeout });
      const previous = installed.get(plan.release);
      const step = { plan, previous: previous ? Number(previous.revision) : null };
      const spinner = ui.spinner(`${plan.release}: ${previous ? `upgrading from revision ${previous.revision}` : 'installing'} ${plan.chart} ${plan.version}`);
      const started = Date.now();
      const r = await helm.runner.run(args);
      const elapsed = (Date.now() - started) / 1000;
      if (r.exitCode !== 0) {
        spinner.fail(`${plan.release}: failed after ${elapsed.toFixed(1)}s`);
        const message = lastLines(r.stderr || r.stdout);
        if (!dryRun) {
          done.push(step);
          await undo(ui, helm, done, timeout);
          await restoreSecrets();
        }
        throw new OperationError(`helm upgrade of release ${plan.release} failed: ${redact(message, secretValues)}`, [
          dryRun ? 'This was a dry run: nothing was changed.' : 'The releases changed by this run were rolled back (see above).',
          `Run again with --debug to see every helm command.`,
        ]);
      }
      const release = JSON.parse(r.stdout) as { version?: number; info?: { status?: string } };
      const outcome = {
        release: plan.release,
        chart: plan.chart,
        version: plan.version,
        revision: release.version ?? null,
        status: dryRun ? 'dry run ok' : (release.info?.status ?? 'unknown'),
        elapsed,
      };
      spinner.succeed(`${plan.release}: ${outcome.status}${dryRun ? '' : `, revision ${outcome.revision}`} (${elapsed.toFixed(1)}s)`);
      outcomes.push(outcome);
      done.push(step);
    }
    ui.table(
      ['RELEASE', 'CHART', 'VERSION', 'REVISION', 'STATUS', 'ELAPSED'],
      outcomes.map((o) => [o.release, o.chart, o.version, o.revision === null ? '-' : String(o.revision), o.status, `${o.elapsed.toFixed(1)}s`]),
    );
  });
}

function preflightLines(r: CheckResult): string[] {
  return [`- ${r.message}`, ...(r.hints ?? []).map((h) => `  ${h}`)];
}

/** Prints, per release, the diff of user-supplied values between the installed revision and this run. */
async function printValuesDiff(ui: Reporter, plans: ReleasePlan[], installed: Map<string, HelmListEntry>, currentValues: Map<string, Record<string, unknown>>): Promise<void> {
  const { createTwoFilesPatch } = await import('diff');
  ui.heading('Changes');
  for (const plan of plans) {
    const current = installed.get(plan.release);
    if (!current) {
      ui.line(`${plan.release}: new release (${plan.chart} ${plan.version})`);
      continue;
    }
    const before = stringify(currentValues.get(plan.release) ?? {}, { lineWidth: 0, sortMapEntries: true });
    const after = stringify(plan.values, { lineWidth: 0, sortMapEntries: true });
    const chartChange = current.chart !== `${plan.chart}-${plan.version}` ? `, chart ${current.chart} → ${plan.chart}-${plan.version}` : '';
    if (before === after) {
      ui.line(`${plan.release}: values unchanged (revision ${current.revision}${chartChange})`);
      continue;
    }
    ui.line(`${plan.release}: values change (revision ${current.revision}${chartChange})`);
    const patch = createTwoFilesPatch(`${plan.release} revision ${current.revision}`, `${plan.release} new`, before, after, undefined, undefined, { context: 2 });
    ui.diff(patch.split('\n').slice(2).join('\n'));
  }
}

/**
 * Namespace, the receiver Secret (env:/file: values) and the generated Grafana admin Secret.
 * @returns a function that puts the receiver Secret back as it was (for a rolled-back run). The
 *   Grafana admin Secret is kept: it is only ever created, and a stable password is wanted.
 */
async function writeSecrets(ui: Reporter, kube: KubeClient, s: Settings, receiverValues: Record<string, string>): Promise<() => Promise<void>> {
  let restore = async () => {};
  ui.heading('Namespace and Secrets');
  if (!(await kube.namespaceExists(s.namespace))) {
    await kube.createNamespace(s.namespace);
    ui.line(`namespace ${s.namespace} created`);
  }
  if (Object.keys(receiverValues).length) {
    const name = managedReceiverSecretName(s);
    const before = await kube.readSecretData(s.namespace, name);
    const what = await kube.writeSecret(s.namespace, name, receiverValues);
    ui.line(`Secret ${name} ${what} (keys: ${Object.keys(receiverValues).join(', ')})`);
    restore = async () => {
      if (before) await kube.writeSecret(s.namespace, name, before);
      else await kube.deleteSecret(s.namespace, name);
      ui.line(`Secret ${name} ${before ? 'restored' : 'removed'}`);
    };
  }
  if (s.components.grafana && !s.grafana.adminSecret) {
    const name = grafanaAdminSecretName(s);
    const password = randomBytes(18).toString('base64url');
    const what = await kube.writeSecret(s.namespace, name, { [GRAFANA_ADMIN_KEYS.user]: 'admin', [GRAFANA_ADMIN_KEYS.password]: password }, true);
    ui.line(
      what === 'created'
        ? `Secret ${name} created with a generated Grafana admin password (read it: kubectl -n ${s.namespace} get secret ${name} -o jsonpath='{.data.admin-password}' | base64 -d)`
        : `Secret ${name} kept (Grafana admin credentials)`,
    );
  }
  return restore;
}

/** Rolls back, newest first, every release this run changed; uninstalls the ones it installed. */
async function undo(ui: Reporter, helm: HelmClient, done: { plan: ReleasePlan; previous: number | null }[], timeout: string): Promise<void> {
  ui.heading('Rolling back this run');
  for (const { plan, previous } of [...done].reverse()) {
    const args = previous ? helm.rollbackArgs(plan.release, previous, plan.namespace, timeout) : helm.uninstallArgs(plan.release, plan.namespace);
    const r = await helm.runner.run(args);
    const what = previous ? `rolled back to revision ${previous}` : 'uninstalled (it was new in this run)';
    if (r.exitCode === 0) ui.line(`${plan.release}: ${what}`);
    else ui.warn(`${plan.release}: could not be ${previous ? 'rolled back' : 'uninstalled'}: ${lastLines(r.stderr)}`);
  }
}

