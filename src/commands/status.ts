/** `monitor-stack status --env E [-o json]`: the releases of an environment as helm reports them. */
import type { CommandContext } from '../cli.js';
import { loadSettings } from '../config/index.js';
import { openHelm } from '../helm/runner.js';
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
  /** As helm reports it, e.g. `2026-11-21 00:22:05.5 +0000 UTC`. */
  updated: string | null;
}

export async function runStatus(ctx: CommandContext): Promise<void> {
  const env = ctx.options.env as string;
  const settings = loadSettings(ctx.configPath, env, ctx.flags);
  const helm = await openHelm(ctx.options.helm as string | undefined, settings.kubeContext, ctx.debug ? (line) => process.stderr.write(`${line}\n`) : undefined);
  const listed = new Map((await helm.list(settings.namespace)).map((r) => [r.name, r]));
  const rows: ReleaseStatus[] = planReleases(settings).map((plan) => {
    const r = listed.get(plan.release);
    const installedVersion = r?.chart.startsWith(`${plan.chart}-`) ? r.chart.slice(plan.chart.length + 1) : undefined;
    return {
      release: plan.release,
      namespace: plan.namespace,
      chart: plan.chart,
      version: installedVersion ?? plan.version,
      revision: r ? Number(r.revision) : null,
      status: r?.status ?? 'not installed',
      updated: r?.updated ?? null,
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
