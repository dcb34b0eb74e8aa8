/**
 * How a stack plan is shown: summary lines, the coloured unified diff per resource, the `-o json`
 * shape, and the saved plan file. Secret values never appear: a Secret's `data` and `stringData`
 * are masked unless `--show-secrets`, drift lists field paths only, and the JSON and the plan file
 * carry field paths, digests and references, never values.
 */
import chalk from 'chalk';
import { structuredPatch } from 'diff';
import { maskSecretPair, resourceLabel, resourceText, type ResourceChange } from './core/manifest.js';
import { summaryLine, type StackPlan } from './core/stack-plan.js';

export interface DiffOptions {
  /** Lines of context around each change (`--context`, default 3). */
  context: number;
  /** Show Secret data as rendered (`--show-secrets`). */
  showSecrets: boolean;
}

/** The unified diff of one resource, without file headers. */
export function resourceDiff(c: ResourceChange, o: DiffOptions): string {
  const [before, after] = o.showSecrets ? [c.before, c.after] : maskSecretPair(c.before, c.after);
  const patch = structuredPatch('', '', resourceText(before), resourceText(after), '', '', { context: o.context });
  const lines: string[] = [];
  for (const h of patch.hunks) {
    lines.push(chalk.cyan(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`));
    for (const l of h.lines) lines.push(l.startsWith('+') ? chalk.green(l) : l.startsWith('-') ? chalk.red(l) : l);
  }
  return lines.join('\n');
}

const mark: Record<ResourceChange['change'], string> = { added: '+', removed: '-', changed: '~' };

/** Everything `diff` prints: per release the summary line, each resource's diff, drift; then Secrets and risks. */
export function planText(plan: StackPlan, o: DiffOptions & { full: boolean; risks?: boolean }): string {
  const out: string[] = [];
  for (const r of plan.releases) {
    out.push(chalk.bold(summaryLine(r)));
    for (const n of r.notes) out.push(`  ${chalk.yellow('note:')} ${n}`);
    for (const c of r.changes) {
      const head = `  ${mark[c.change]} ${resourceLabel(c)} (${c.apiVersion}) ${c.change}${c.fields.length ? `: ${c.fields.slice(0, 6).join(', ')}${c.fields.length > 6 ? `, and ${c.fields.length - 6} more` : ''}` : ''}`;
      out.push(c.change === 'added' ? chalk.green(head) : c.change === 'removed' ? chalk.red(head) : chalk.yellow(head));
      if (o.full) out.push(indent(resourceDiff(c, o), 6));
    }
    for (const d of r.drift) out.push(chalk.magenta(`  ≠ ${resourceLabel(d)} drifted in the cluster: ${d.fields.join(', ')}`));
    if (r.drift.length && r.action === 'unchanged') out.push(chalk.dim(`    (drift is shown, not corrected: helm patches only what the chart output changes)`));
  }
  for (const s of plan.secrets) {
    if (s.action === 'unchanged') continue;
    out.push(s.kind === 'generated' ? `Secret ${s.name}: create with a generated password (never replaced)` : `Secret ${s.name}: ${s.action} (keys ${s.action === 'create' ? 'added' : 'changed'}: ${s.changedKeys.join(', ')})`);
  }
  if (plan.createNamespace) out.push(`Namespace ${plan.namespace}: create`);
  for (const r of o.risks === false ? plan.risks.filter((x) => x.resolution === 'notice') : plan.risks) {
    const tag = r.resolution === 'notice' ? chalk.yellow('notice') : chalk.red('risk');
    out.push(`${tag} [${r.rule}] ${r.message}`, `    ${r.resolution === 'notice' ? '' : 'safe path: '}${r.fix}`);
  }
  return `${out.join('\n')}\n`;
}

const indent = (text: string, n: number) =>
  text
    .split('\n')
    .map((l) => `${' '.repeat(n)}${l}`)
    .join('\n');

/**
 * The `diff -o json` document (stable; documented in the README):
 * `{ environment, namespace, kubeContext, changes: boolean, releases: [{ release, chart, version,
 * action, installed: {revision, status, chartVersion, lastDeployed?} | null, valuesChanged,
 * chartChanged, summary: {changed, added, removed, drifted}, resources: [{ resource, apiVersion,
 * kind, namespace, name, change, fields }], drift: [{ resource, kind, namespace, name, fields }] }],
 * secrets: [{ name, action, changedKeys }], risks: [{ rule, release, resource?, message, fix, resolution }] }`
 */
export function planJson(plan: StackPlan, hasChanges: boolean): unknown {
  return {
    environment: plan.environment,
    namespace: plan.namespace,
    kubeContext: plan.kubeContext,
    changes: hasChanges,
    releases: plan.releases.map((r) => ({
      release: r.release,
      chart: r.chart,
      version: r.version,
      action: r.action,
      installed: r.installed,
      valuesChanged: r.valuesChanged,
      chartChanged: r.chartChanged,
      summary: {
        changed: r.changes.filter((c) => c.change === 'changed').length,
        added: r.changes.filter((c) => c.change === 'added').length,
        removed: r.changes.filter((c) => c.change === 'removed').length,
        drifted: r.drift.length,
      },
      resources: r.changes.map((c) => ({ resource: c.key, apiVersion: c.apiVersion, kind: c.kind, namespace: c.namespace, name: c.name, change: c.change, fields: c.fields })),
      drift: r.drift.map((d) => ({ resource: d.key, kind: d.kind, namespace: d.namespace, name: d.name, fields: d.fields })),
    })),
    secrets: plan.secrets.map((s) => ({ name: s.name, action: s.action, changedKeys: s.changedKeys })),
    risks: plan.risks.map(({ object: _object, ...r }) => r),
  };
}
