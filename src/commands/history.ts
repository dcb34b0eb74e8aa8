/**
 * `monitor-stack history --env E [-o table|json] [--release NAME]`: the stack revisions recorded
 * in the cluster (core/history.ts), or with `--release` that release's helm history, read from
 * helm's release records. Reads only; no helm process.
 */
import type { CommandContext } from '../cli.js';
import { loadSettings } from '../config/index.js';
import { describeReleases } from '../core/history.js';
import { UsageError } from '../errors.js';
import { readStackHistory } from '../history.js';
import { KubeClient } from '../kube/client.js';
import { planReleases } from '../plan.js';
import { formatTable } from '../ui.js';

export async function runHistory(ctx: CommandContext): Promise<void> {
  const env = ctx.options.env as string;
  const settings = loadSettings(ctx.configPath, env, ctx.flags);
  const json = ctx.options.output === 'json';
  const release = ctx.options.release as string | undefined;
  const releases = planReleases(settings).map((p) => p.release);
  if (release !== undefined && !releases.includes(release)) {
    throw new UsageError(`--release "${release}" is not a release of environment ${env}.`, [`Releases: ${releases.join(', ')}.`]);
  }
  const kube = KubeClient.load(settings.kubeContext);
  await kube.serverVersion();
  const exists = await kube.namespaceExists(settings.namespace);
  if (release !== undefined) {
    const records = exists ? await kube.readReleaseHistory(settings.namespace, release) : [];
    const rows = records.map((r) => ({ revision: r.revision, updated: r.lastDeployed, status: r.status, chart: `${r.chart}-${r.chartVersion}`, description: r.description }));
    if (json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else if (!rows.length) process.stderr.write(`release ${release} has no revision in namespace ${settings.namespace}.\n`);
    else process.stdout.write(formatTable(['REVISION', 'UPDATED', 'STATUS', 'CHART', 'DESCRIPTION'], rows.map((r) => [String(r.revision), r.updated, r.status, r.chart, r.description.split('\n')[0]!])));
    return;
  }
  const history = exists ? await readStackHistory(kube, settings.namespace, env) : [];
  if (json) {
    process.stdout.write(`${JSON.stringify(history, null, 2)}\n`);
    return;
  }
  if (!history.length) {
    process.stderr.write(`environment ${env} has no stack revision in namespace ${settings.namespace} yet: upgrade records one each time it changes something.\n`);
    return;
  }
  process.stdout.write(
    formatTable(
      ['REVISION', 'TIME', 'KIND', 'OUTCOME', 'WHO', 'RELEASES'],
      history.map((r) => [String(r.revision), r.time, r.kind, r.outcome, r.who, describeReleases(r.releases)]),
    ),
  );
}
