/**
 * Built-in defaults: the lowest layer. Every key of the settings is present here, so the merged
 * result of all layers is complete. Values follow the pinned charts' own defaults where those are
 * sane (prometheus 29.27.0 `server.retention: 15d`, `server.persistentVolume.size: 8Gi`,
 * alertmanager 1.42.0 `persistence.size` raised from 50Mi to 2Gi as the prometheus chart does).
 */
import { PINNED_CHARTS } from '../charts.js';
import type { PresetName, Settings } from './schema.js';

/** The default push URL of the promtail 6.17.1 chart (`config.clients[0].url`). */
export const DEFAULT_LOKI_URL = 'http://loki-gateway/loki/api/v1/push';

/** Preset used when neither the flags, the environment nor the config name one. */
export const DEFAULT_PRESET: PresetName = 'standard';

/** No request and no limit: what every chart sets by default (`resources: {}`). */
const NO_RESOURCES = { requests: { cpu: null, memory: null }, limits: { cpu: null, memory: null } };

export const DEFAULTS: Omit<Settings, 'preset' | 'environment'> = {
  kubeContext: null,
  namespace: 'monitoring',
  storageClass: null,
  ingress: { className: null, hosts: { prometheus: null, grafana: null, alertmanager: null } },
  tls: { clusterIssuer: null, secretName: null },
  components: {
    alertmanager: true,
    kubeStateMetrics: true,
    nodeExporter: true,
    pushgateway: true,
    grafana: true,
    promtail: true,
  },
  // prometheus 29.27.0: server.global scrape_interval and evaluation_interval 1m, retentionSize "".
  prometheus: {
    replicas: 1,
    retention: '15d',
    persistence: true,
    storageSize: '8Gi',
    retentionSize: null,
    scrapeInterval: '1m',
    evaluationInterval: '1m',
    externalLabels: {},
    remoteWrite: [],
  },
  kubeStateMetrics: { namespaces: [], metricAllowlist: [], metricDenylist: [] },
  resources: {
    prometheus: NO_RESOURCES,
    alertmanager: NO_RESOURCES,
    kubeStateMetrics: NO_RESOURCES,
    nodeExporter: NO_RESOURCES,
    pushgateway: NO_RESOURCES,
    grafana: NO_RESOURCES,
    promtail: NO_RESOURCES,
  },
  alertmanager: {
    replicas: 1,
    persistence: true,
    storageSize: '2Gi',
    receivers: [],
    deadMansSwitchUrl: null,
    routes: [],
    route: { receiver: null, critical: [], warning: [], groupBy: ['alertname', 'namespace'], groupWait: '30s', groupInterval: '5m', repeatInterval: '4h' },
  },
  grafana: { replicas: 1, persistence: false, storageSize: '10Gi', adminSecret: null, plugins: [], dashboards: { defaults: true, folder: null, grafanaCom: [] } },
  alerts: { disabled: [], severityOverrides: {}, ruleFiles: [] },
  loki: { url: DEFAULT_LOKI_URL },
  highAvailability: { podAntiAffinity: 'none', podDisruptionBudget: false },
  charts: {
    prometheus: { release: 'prometheus', version: PINNED_CHARTS.prometheus.version, source: PINNED_CHARTS.prometheus.repository, values: {} },
    grafana: { release: 'grafana', version: PINNED_CHARTS.grafana.version, source: PINNED_CHARTS.grafana.repository, values: {} },
    promtail: { release: 'promtail', version: PINNED_CHARTS.promtail.version, source: PINNED_CHARTS.promtail.repository, values: {} },
  },
};
