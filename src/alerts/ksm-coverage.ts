/**
 * Which baseline alerts and default dashboard panels lose their kube-state-metrics metrics to the
 * settings that narrow what kube-state-metrics v2.20.0 exports: `kubeStateMetrics.metricAllowlist`
 * and `metricDenylist` (its `--metric-allowlist` / `--metric-denylist`: ECMAScript regular
 * expressions, matched anywhere in the name, as JavaScript's RegExp does) and the chart value
 * `charts.prometheus.values.kube-state-metrics.collectors` (its `--resources`; chart
 * kube-state-metrics 8.4.0 enables every collector by default). Such an alert can never fire: the
 * user is told so, not left to find out during an incident.
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { Settings } from '../config/schema.js';
import { asPromql, DEFAULT_DASHBOARDS } from '../dashboards/defaults.js';
import { renderAlertingRules } from './baseline.js';

/** The metric names an expression selects (the Identifier of each VectorSelector). Pure. */
export function selectedMetrics(expr: string): string[] {
  const names = new Set<string>();
  parser.parse(expr).iterate({
    enter(node) {
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.add(expr.slice(node.from, node.to));
    },
  });
  return [...names];
}

const COLLECTORS = 'charts.prometheus.values.kube-state-metrics.collectors';

/** The kube-state-metrics collector (`--resources` name) a `kube_<resource>_…` metric comes from. */
export const collectorOf = (metric: string) => `${metric.split('_')[1]}s`;

/**
 * Why kube-state-metrics would not export `metric` under these settings, or undefined when it would.
 * @throws nothing: a list entry that is not a valid regular expression is reported as such.
 */
function droppedBecause(metric: string, s: Settings): string | undefined {
  const k = s.kubeStateMetrics;
  const test = (pattern: string) => {
    try {
      return new RegExp(pattern).test(metric);
    } catch {
      return false;
    }
  };
  if (k.metricAllowlist.length && !k.metricAllowlist.some(test)) return 'kubeStateMetrics.metricAllowlist';
  const denied = k.metricDenylist.find(test);
  if (denied) return `kubeStateMetrics.metricDenylist "${denied}"`;
  const collectors = (s.charts.prometheus.values['kube-state-metrics'] as { collectors?: unknown } | undefined)?.collectors;
  if (Array.isArray(collectors) && !collectors.includes(collectorOf(metric))) return COLLECTORS;
  return undefined;
}

/**
 * One warning sentence naming each kube-state-metrics metric the settings drop and the baseline
 * alerts (and default dashboard panels) that read it, or undefined when none is dropped or
 * kube-state-metrics is off. Pure.
 */
export function kubeStateMetricsWarning(s: Settings): string | undefined {
  if (!s.components.kubeStateMetrics) return undefined;
  const readers = new Map<string, string[]>();
  const add = (metric: string, reader: string) => {
    if (metric.startsWith('kube_')) readers.set(metric, [...new Set([...(readers.get(metric) ?? []), reader])]);
  };
  for (const g of renderAlertingRules({ ...s, ruleGroups: [] }).groups) for (const r of g.rules) for (const m of selectedMetrics(r.expr)) add(m, `alert ${r.alert}`);
  if (s.components.grafana && s.grafana.dashboards.defaults) {
    for (const d of DEFAULT_DASHBOARDS.filter((x) => x.datasource.type === 'prometheus')) {
      for (const p of d.panels) for (const t of p.targets) for (const m of selectedMetrics(asPromql(t.expr))) add(m, `dashboard panel "${d.title}: ${p.title}"`);
      for (const v of d.variables) for (const m of selectedMetrics(asPromql(v.query))) add(m, `dashboard "${d.title}" variable $${v.name}`);
    }
  }
  // Grouped by cause: each cause once, with the metrics it drops and who reads them.
  const causes = new Map<string, { metrics: string[]; readers: Set<string> }>();
  for (const m of [...readers.keys()].sort()) {
    const why = droppedBecause(m, s);
    if (!why) continue;
    const c = causes.get(why) ?? { metrics: [], readers: new Set<string>() };
    c.metrics.push(m);
    for (const r of readers.get(m)!) c.readers.add(r);
    causes.set(why, c);
  }
  if (!causes.size) return undefined;
  const parts = [...causes].map(([why, c]) => {
    const cause = why === COLLECTORS ? `${COLLECTORS} (without ${[...new Set(c.metrics.map(collectorOf))].join(', ')})` : why;
    return `${cause} drops ${c.metrics.join(', ')}, read by ${[...c.readers].join(', ')}`;
  });
  return `kube-state-metrics will not export metrics the baseline reads, so these alerts can never fire and these panels stay empty: ${parts.join('; ')}. Allow these metrics, or disable the alerts (alerts.disabled).`;
}
