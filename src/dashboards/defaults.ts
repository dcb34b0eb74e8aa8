/**
 * The default dashboard set, written and maintained in this project like the baseline rules: one
 * dashboard per part of the stack, each panel a PromQL query on the provisioned datasource (UID
 * `prometheus`, or `loki` for the logs dashboard), in the Grafana dashboard JSON model
 * (schemaVersion 41, Grafana 12). A dashboard whose exporter is off is left out, as are logs
 * without a Loki URL.
 *
 * Metric sources: node_exporter v1.12.1 (`node_*`), kube-state-metrics v2.20.0 (`kube_*`), the
 * kubelet and its cAdvisor (`kubelet_*`, `container_*`, scraped by chart prometheus 29.27.0's
 * `kubernetes-nodes` and `kubernetes-nodes-cadvisor` jobs), Prometheus v3.14.0 (`prometheus_*`,
 * `up`), Alertmanager v0.34.0 (`alertmanager_*`). The tools tier checks the names against the real
 * programs' /metrics.
 */
import type { Settings } from '../config/schema.js';

/** A Grafana datasource reference, by the UID grafana.ts provisions. */
export type DatasourceRef = { type: 'prometheus' | 'loki'; uid: 'prometheus' | 'loki' };
export const PROMETHEUS_DS: DatasourceRef = { type: 'prometheus', uid: 'prometheus' };
export const LOKI_DS: DatasourceRef = { type: 'loki', uid: 'loki' };

interface PanelDef {
  title: string;
  /** PromQL (LogQL for the logs panel); Grafana variables `$name` and `$__rate_interval` allowed. */
  targets: { expr: string; legend?: string }[];
  /** A Grafana unit id: percent, bytes, Bps, s, short, reqps. */
  unit?: string;
  type?: 'timeseries' | 'stat' | 'logs';
  /** Columns of 24; default 12. */
  width?: number;
  description?: string;
}

export interface DashboardDef {
  uid: string;
  title: string;
  /** The component whose metrics it reads; the dashboard is left out when it is off. */
  needs: 'nodeExporter' | 'kubeStateMetrics' | 'alertmanager' | 'loki' | null;
  datasource: DatasourceRef;
  /** Query variables: name → label_values(...) query. */
  variables: { name: string; query: string }[];
  panels: PanelDef[];
}

const RATE = '$__rate_interval';

export const DEFAULT_DASHBOARDS: DashboardDef[] = [
  {
    uid: 'monitor-stack-nodes',
    title: 'Nodes',
    needs: 'nodeExporter',
    datasource: PROMETHEUS_DS,
    variables: [{ name: 'instance', query: 'label_values(node_uname_info, instance)' }],
    panels: [
      { title: 'CPU busy', unit: 'percent', targets: [{ expr: `100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle", instance=~"$instance"}[${RATE}])))`, legend: '{{instance}}' }] },
      { title: 'Memory available', unit: 'percent', targets: [{ expr: '100 * node_memory_MemAvailable_bytes{instance=~"$instance"} / node_memory_MemTotal_bytes{instance=~"$instance"}', legend: '{{instance}}' }] },
      {
        title: 'Filesystem space left',
        unit: 'percent',
        description: 'NodeFilesystemAlmostFull fires below 5%.',
        targets: [{ expr: '100 * node_filesystem_avail_bytes{instance=~"$instance", fstype!~"tmpfs|overlay|squashfs|ramfs"} / node_filesystem_size_bytes{instance=~"$instance", fstype!~"tmpfs|overlay|squashfs|ramfs"}', legend: '{{instance}} {{mountpoint}}' }],
      },
      { title: 'Load average (1 min) per CPU', unit: 'short', targets: [{ expr: 'node_load1{instance=~"$instance"} / on (instance) count by (instance) (node_cpu_seconds_total{mode="idle", instance=~"$instance"})', legend: '{{instance}}' }] },
      {
        title: 'Network',
        unit: 'Bps',
        targets: [
          { expr: `sum by (instance) (rate(node_network_receive_bytes_total{instance=~"$instance", device!="lo"}[${RATE}]))`, legend: '{{instance}} received' },
          { expr: `sum by (instance) (rate(node_network_transmit_bytes_total{instance=~"$instance", device!="lo"}[${RATE}]))`, legend: '{{instance}} sent' },
        ],
      },
      { title: 'Disk busy', unit: 'percentunit', targets: [{ expr: `rate(node_disk_io_time_seconds_total{instance=~"$instance"}[${RATE}])`, legend: '{{instance}} {{device}}' }] },
    ],
  },
  {
    uid: 'monitor-stack-kubernetes',
    title: 'Kubernetes: namespaces and pods',
    needs: 'kubeStateMetrics',
    datasource: PROMETHEUS_DS,
    variables: [{ name: 'namespace', query: 'label_values(kube_pod_info, namespace)' }],
    panels: [
      { title: 'Nodes not ready', type: 'stat', width: 6, unit: 'short', targets: [{ expr: 'count(kube_node_status_condition{condition="Ready", status="true"} == 0) or vector(0)' }] },
      { title: 'Pods by phase', type: 'stat', width: 18, unit: 'short', targets: [{ expr: 'sum by (phase) (kube_pod_status_phase{namespace=~"$namespace"})', legend: '{{phase}}' }] },
      { title: 'Pods not ready', unit: 'short', targets: [{ expr: 'sum by (namespace, pod) (kube_pod_status_ready{condition="false", namespace=~"$namespace"}) > 0', legend: '{{namespace}}/{{pod}}' }] },
      { title: 'Container restarts (1 h)', unit: 'short', targets: [{ expr: 'sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total{namespace=~"$namespace"}[1h])) > 0', legend: '{{namespace}}/{{pod}}' }] },
      { title: 'Deployment replicas unavailable', unit: 'short', targets: [{ expr: 'kube_deployment_status_replicas_unavailable{namespace=~"$namespace"} > 0', legend: '{{namespace}}/{{deployment}}' }] },
      { title: 'PersistentVolumeClaim space used', unit: 'percent', targets: [{ expr: '100 * kubelet_volume_stats_used_bytes{namespace=~"$namespace"} / kubelet_volume_stats_capacity_bytes{namespace=~"$namespace"}', legend: '{{namespace}}/{{persistentvolumeclaim}}' }] },
      { title: 'CPU by pod', unit: 'short', description: 'CPU seconds a second (cores), from the kubelet\'s cAdvisor.', targets: [{ expr: `sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{namespace=~"$namespace", container!=""}[${RATE}]))`, legend: '{{namespace}}/{{pod}}' }] },
      { title: 'Memory by pod (working set)', unit: 'bytes', targets: [{ expr: 'sum by (namespace, pod) (container_memory_working_set_bytes{namespace=~"$namespace", container!=""})', legend: '{{namespace}}/{{pod}}' }] },
    ],
  },
  {
    uid: 'monitor-stack-prometheus',
    title: 'Prometheus',
    needs: null,
    datasource: PROMETHEUS_DS,
    variables: [],
    panels: [
      { title: 'Targets down by job', unit: 'short', description: 'TargetDown fires when more than 10% of a job are down for 10 minutes.', targets: [{ expr: 'count by (job) (up == 0)', legend: '{{job}}' }] },
      { title: 'Samples appended', unit: 'short', targets: [{ expr: `sum(rate(prometheus_tsdb_head_samples_appended_total[${RATE}]))`, legend: 'samples/s' }] },
      { title: 'Series in the head block', unit: 'short', targets: [{ expr: 'prometheus_tsdb_head_series', legend: '{{instance}}' }] },
      { title: 'Storage used by blocks', unit: 'bytes', targets: [{ expr: 'prometheus_tsdb_storage_blocks_bytes', legend: '{{instance}}' }] },
      { title: 'Rule evaluation failures', unit: 'short', targets: [{ expr: `sum by (rule_group) (rate(prometheus_rule_evaluation_failures_total[${RATE}])) > 0`, legend: '{{rule_group}}' }] },
      {
        title: 'Alerts sent to Alertmanager',
        unit: 'short',
        targets: [
          { expr: `sum(rate(prometheus_notifications_sent_total[${RATE}]))`, legend: 'sent/s' },
          { expr: `sum(rate(prometheus_notifications_errors_total[${RATE}]))`, legend: 'errors/s' },
        ],
      },
    ],
  },
  {
    uid: 'monitor-stack-alertmanager',
    title: 'Alertmanager',
    needs: 'alertmanager',
    datasource: PROMETHEUS_DS,
    variables: [],
    panels: [
      { title: 'Alerts', unit: 'short', targets: [{ expr: 'sum by (state) (alertmanager_alerts)', legend: '{{state}}' }] },
      { title: 'Silences', unit: 'short', targets: [{ expr: 'sum by (state) (alertmanager_silences)', legend: '{{state}}' }] },
      { title: 'Notifications by integration', unit: 'short', targets: [{ expr: `sum by (integration) (rate(alertmanager_notifications_total[${RATE}]))`, legend: '{{integration}}' }] },
      { title: 'Failed notifications by integration', unit: 'short', description: 'AlertmanagerNotificationsFailing fires when more than 1% fail for 5 minutes.', targets: [{ expr: `sum by (integration) (rate(alertmanager_notifications_failed_total[${RATE}]))`, legend: '{{integration}}' }] },
      { title: 'Notification latency (99th percentile)', unit: 's', targets: [{ expr: `histogram_quantile(0.99, sum by (le, integration) (rate(alertmanager_notification_latency_seconds_bucket[${RATE}])))`, legend: '{{integration}}' }] },
    ],
  },
  {
    uid: 'monitor-stack-logs',
    title: 'Logs',
    needs: 'loki',
    datasource: LOKI_DS,
    variables: [{ name: 'namespace', query: 'label_values(namespace)' }],
    panels: [
      { title: 'Log lines by namespace', unit: 'short', width: 24, targets: [{ expr: `sum by (namespace) (count_over_time({namespace=~"$namespace"}[${RATE}]))`, legend: '{{namespace}}' }] },
      { title: 'Logs', type: 'logs', width: 24, targets: [{ expr: '{namespace=~"$namespace"}' }] },
    ],
  },
];

/**
 * What a dashboard query asks Prometheus, as PromQL the grammar can read: Grafana's
 * `$__rate_interval` as 5m and each `$variable` as a name; a variable's `label_values(expr, label)`
 * as its `expr`. Pure.
 */
export function asPromql(query: string): string {
  return query.replace(/^label_values\((.*), \w+\)$/, '$1').replaceAll('$__rate_interval', '5m').replace(/\$(\w+)/g, 'x');
}

/** The default dashboards these settings render: exporters off and logs without Loki left out. Pure. */
export function defaultDashboards(s: Settings): DashboardDef[] {
  if (!s.grafana.dashboards.defaults) return [];
  return DEFAULT_DASHBOARDS.filter((d) => (d.needs === null ? true : d.needs === 'loki' ? Boolean(s.loki.url) : s.components[d.needs]));
}

/**
 * A definition as Grafana dashboard JSON (schemaVersion 41): panels laid out left to right in rows
 * of 24 columns, 8 high; every panel and target bound to the definition's datasource by UID.
 */
export function dashboardJson(d: DashboardDef): Record<string, unknown> {
  let x = 0;
  let y = 0;
  const panels = d.panels.map((p, i) => {
    const w = p.width ?? 12;
    if (x + w > 24) {
      x = 0;
      y += 8;
    }
    const gridPos = { h: p.type === 'logs' ? 12 : 8, w, x, y };
    x += w;
    const type = p.type ?? 'timeseries';
    return {
      id: i + 1,
      type,
      title: p.title,
      ...(p.description ? { description: p.description } : {}),
      datasource: d.datasource,
      gridPos,
      ...(type === 'logs'
        ? { options: { showTime: true, wrapLogMessage: true, sortOrder: 'Descending' } }
        : {
            fieldConfig: { defaults: { unit: p.unit ?? 'short' }, overrides: [] },
            options: type === 'stat' ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'none' } : { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
          }),
      targets: p.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), datasource: d.datasource, expr: t.expr, ...(t.legend ? { legendFormat: t.legend } : {}) })),
    };
  });
  return {
    uid: d.uid,
    title: d.title,
    tags: ['monitor-stack'],
    editable: false,
    schemaVersion: 41,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    timezone: 'browser',
    templating: {
      list: d.variables.map((v) => ({
        name: v.name,
        type: 'query',
        datasource: d.datasource,
        query: d.datasource.type === 'prometheus' ? { query: v.query, refId: 'PrometheusVariableQueryEditor-VariableQuery' } : { type: 1, label: /label_values\((\w+)\)/.exec(v.query)?.[1] ?? v.query, refId: 'LokiVariableQueryEditor-VariableQuery' },
        definition: v.query,
        includeAll: true,
        allValue: '.*',
        multi: true,
        refresh: 2,
        sort: 1,
        current: {},
      })),
    },
    panels,
  };
}
