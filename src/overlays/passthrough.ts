/**
 * `charts.<chart>.values`: chart values the settings do not model, merged last over the overlay.
 * Pure: the chart defaults come in through `load` (src/upstream.ts reads them).
 *
 * Two checks, each a sentence per problem:
 * - a key a setting manages is refused, naming the setting ({@link MANAGED_VALUES});
 * - every other key path must exist in the pinned chart version (or the subchart it lies under)
 *   with the same shape; an unknown one names the closest known key.
 */
import { PINNED_CHARTS, type ChartId } from '../charts.js';
import { leafPaths, valuesKeyProblems, type UpstreamChart } from '../core/chart-keys.js';
import type { Settings } from '../config/schema.js';

/**
 * Per chart: value paths the overlay renders from a setting, and that setting. A value at the
 * path, under it or above it (a whole map containing it) would override the setting.
 * Paths are those of prometheus 29.27.0 (with alertmanager 1.42.0, kube-state-metrics 8.4.0,
 * prometheus-node-exporter 4.56.1, prometheus-pushgateway 3.8.0), grafana 12.11.1, promtail 6.17.1.
 */
export const MANAGED_VALUES: Record<ChartId, [path: string, setting: string][]> = {
  prometheus: [
    ['server.replicaCount', 'prometheus.replicas'],
    ['server.statefulSet.enabled', 'prometheus.replicas (more than 1 makes a StatefulSet)'],
    ['server.retention', 'prometheus.retention'],
    ['server.retentionSize', 'prometheus.retentionSize'],
    ['server.global.scrape_interval', 'prometheus.scrapeInterval'],
    ['server.global.evaluation_interval', 'prometheus.evaluationInterval'],
    ['server.global.external_labels', 'prometheus.externalLabels'],
    ['server.persistentVolume.enabled', 'prometheus.persistence'],
    ['server.persistentVolume.size', 'prometheus.storageSize'],
    ['server.persistentVolume.storageClass', 'storageClass'],
    ['server.remoteWrite', 'prometheus.remoteWrite'],
    ['server.extraSecretMounts', 'prometheus.remoteWrite (its secret references are mounted from their Secrets)'],
    ['server.resources', 'resources.prometheus'],
    ['server.ingress', 'ingress.hosts.prometheus (with ingress.className and tls)'],
    ['serverFiles.alerting_rules.yml', 'alerts (alerts.disabled, alerts.severityOverrides, alerts.ruleFiles)'],
    ['alertmanager.enabled', 'components.alertmanager'],
    ['alertmanager.replicaCount', 'alertmanager.replicas'],
    ['alertmanager.persistence.enabled', 'alertmanager.persistence'],
    ['alertmanager.persistence.size', 'alertmanager.storageSize'],
    ['alertmanager.persistence.storageClass', 'storageClass'],
    ['alertmanager.resources', 'resources.alertmanager'],
    ['alertmanager.ingress', 'ingress.hosts.alertmanager (with ingress.className and tls)'],
    ['alertmanager.config', 'alertmanager.receivers, alertmanager.route and alertmanager.routes'],
    ['alertmanager.extraSecretMounts', 'alertmanager.receivers (their secret references are mounted from the receiver Secret)'],
    ['kube-state-metrics.enabled', 'components.kubeStateMetrics'],
    ['kube-state-metrics.namespaces', 'kubeStateMetrics.namespaces'],
    ['kube-state-metrics.metricAllowlist', 'kubeStateMetrics.metricAllowlist'],
    ['kube-state-metrics.metricDenylist', 'kubeStateMetrics.metricDenylist'],
    ['kube-state-metrics.resources', 'resources.kubeStateMetrics'],
    ['prometheus-node-exporter.enabled', 'components.nodeExporter'],
    ['prometheus-node-exporter.resources', 'resources.nodeExporter'],
    ['prometheus-pushgateway.enabled', 'components.pushgateway'],
    ['prometheus-pushgateway.resources', 'resources.pushgateway'],
  ],
  grafana: [
    ['replicas', 'grafana.replicas'],
    ['persistence.enabled', 'grafana.persistence'],
    ['persistence.size', 'grafana.storageSize'],
    ['persistence.storageClassName', 'storageClass'],
    ['resources', 'resources.grafana'],
    ['ingress', 'ingress.hosts.grafana (with ingress.className and tls)'],
    ['admin', 'grafana.adminSecret'],
    ['adminUser', 'grafana.adminSecret (an existing Secret, or one monitor-stack generates)'],
    ['adminPassword', 'grafana.adminSecret (an existing Secret, or one monitor-stack generates)'],
    ['datasources', 'loki.url (the Prometheus and Loki datasources are provisioned by monitor-stack)'],
    ['plugins', 'grafana.plugins'],
    ['dashboards', 'grafana.dashboards (defaults, folder, grafanaCom)'],
    ['dashboardProviders', 'grafana.dashboards (defaults, folder, grafanaCom)'],
  ],
  promtail: [
    ['config.clients', 'loki.url'],
    ['resources', 'resources.promtail'],
  ],
};

const covers = (a: string[], b: string[]) => a.length <= b.length && a.every((k, i) => b[i] === k);
/** `a.b.c` as a path; a last segment such as `alerting_rules.yml` (a file name) stays one key. */
export const splitPath = (dotted: string) => dotted.split(/\.(?!ya?ml$)/);

/** The setting that manages a value path, if any: the path is at, under or above a managed one. */
export function managingSetting(id: ChartId, path: string[]): string | undefined {
  return MANAGED_VALUES[id].find(([managed]) => {
    const m = splitPath(managed);
    return covers(m, path) || covers(path, m);
  })?.[1];
}

/**
 * Every problem with the `charts.<chart>.values` of the enabled charts, one sentence each, naming
 * the key path as `charts.<chart>.values.<path>`.
 * Values of a chart version whose defaults `load` does not know are checked for managed keys only
 * (the release plan's version note says so).
 * @param load the defaults of a chart version, or undefined when none are known for it.
 */
export function chartValuesProblems(
  s: Settings,
  enabled: ChartId[],
  load: (chart: string, version: string) => UpstreamChart | undefined,
): string[] {
  const problems: string[] = [];
  for (const id of enabled) {
    const values = s.charts[id].values;
    if (!Object.keys(values).length) continue;
    const where = `charts.${id}.values`;
    const free: ReturnType<typeof leafPaths> = [];
    for (const leaf of leafPaths(values)) {
      const setting = managingSetting(id, leaf.path);
      if (setting) problems.push(`${where}.${leaf.path.join('.')}: monitor-stack sets this from ${setting}; set that instead.`);
      else free.push(leaf);
    }
    const pinned = PINNED_CHARTS[id];
    const version = s.charts[id].version;
    const parent = load(pinned.chart, version);
    if (!parent) continue;
    const subs: Record<string, UpstreamChart> = {};
    for (const [key, v] of version === pinned.version ? Object.entries(pinned.subcharts) : []) {
      const sub = load(key, v);
      if (sub) subs[key] = sub;
    }
    for (const p of valuesKeyProblems(parent, subs, free)) problems.push(`${where}: ${p}.`);
  }
  return problems;
}
