/**
 * `monitor-stack status --env E [-o json]`: the releases of an environment, read from helm's
 * release records through the Kubernetes API (core/helm-release.ts); no helm process.
 */
import type { CommandContext } from '../cli.js';
import { loadSettings } from '../config/index.js';
import { KubeClient } from '../kube/client.js';
import { planReleases } from '../plan.js';
import { formatTable } from '../ui.js';

/** One row of `status`; `revision` and `updated` are null for a release that is not installed. */
export interface ReleaseStatus {
  release: string;
  namespace: string;
  chart: string;
  /** Installed chart version, or the pinned one when not installed. */
  version: string;
  revision: number | null;
  status: string;
  /** RFC 3339 time of the latest revision's deploy, as helm stores it. */
  updated: string | null;
}

export async function runStatus(ctx: CommandContext): Promise<void> {
  const env = ctx.options.env as string;
  const settings = loadSettings(ctx.configPath, env, ctx.flags);
  const plans = planReleases(settings);
  const kube = KubeClient.load(settings.kubeContext);
  await kube.serverVersion();
  const installed = (await kube.namespaceExists(settings.namespace)) ? await kube.readReleases(settings.namespace, plans.map((p) => p.release)) : {};
  const rows: ReleaseStatus[] = plans.map((plan) => {
    const r = installed[plan.release];
    return {
      release: plan.release,
      namespace: plan.namespace,
      chart: r?.record.chart || plan.chart,
      version: r?.record.chartVersion || plan.version,
      revision: r ? r.head.latest.revision : null,
      status: r?.head.latest.status ?? 'not installed',
      updated: r?.record.lastDeployed || null,
    };
  });
  if (ctx.options.output === 'json') {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    formatTable(
      ['RELEASE', 'NAMESPACE', 'CHART', 'VERSION', 'REVISION', 'STATUS', 'UPDATED'],
      rows.map((r) => [r.release, r.namespace, r.chart, r.version, r.revision === null ? '-' : String(r.revision), r.status, r.updated ?? '-']),
    ),
  );
}
