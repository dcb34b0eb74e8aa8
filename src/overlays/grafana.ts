/**
 * Values overlay for chart grafana 12.11.1 (grafana-community). Key paths are checked against
 * `upstream-charts/grafana-12.11.1/values.yaml` by the overlay-keys test.
 */
import { KEEP_ON_UNINSTALL, prometheusServerService } from '../charts.js';
import type { Settings } from '../config/schema.js';
import { dashboardJson, defaultDashboards } from '../dashboards/defaults.js';
import { ingressValues } from './ingress.js';
import { resourcesValues } from './resources.js';

/** Keys of the Grafana admin Secret, as the chart reads them (`admin.userKey`, `admin.passwordKey`). */
export const GRAFANA_ADMIN_KEYS = { user: 'admin-user', password: 'admin-password' } as const;

/** The Secret holding Grafana's admin credentials: the configured one, or the one monitor-stack generates. */
export function grafanaAdminSecretName(s: Settings): string {
  return s.grafana.adminSecret ?? `${s.charts.grafana.release}-admin-credentials`.slice(0, 63);
}

/**
 * The Loki base URL for Grafana's datasource, from Promtail's push URL: the part before
 * `/loki/api/v1/push` (`http://loki-gateway/loki/api/v1/push` → `http://loki-gateway`).
 */
export function lokiQueryUrl(pushUrl: string): string {
  const url = new URL(pushUrl);
  url.pathname = url.pathname.replace(/\/loki\/api\/v1\/push\/?$/, '') || '/';
  return url.toString().replace(/\/$/, '');
}

/** Renders the overlay for the grafana release. Pure. */
export function renderGrafanaValues(s: Settings): Record<string, unknown> {
  const host = s.ingress.hosts.grafana;
  const promRelease = s.charts.prometheus.release;
  const datasources: Record<string, unknown>[] = [
    {
      name: 'Prometheus',
      type: 'prometheus',
      uid: 'prometheus',
      access: 'proxy',
      url: `http://${prometheusServerService(promRelease)}.${s.namespace}.svc:80`,
      isDefault: true,
    },
  ];
  if (s.loki.url) {
    datasources.push({ name: 'Loki', type: 'loki', uid: 'loki', access: 'proxy', url: lokiQueryUrl(s.loki.url) });
  }
  return {
    replicas: s.grafana.replicas,
    resources: resourcesValues(s.resources.grafana),
    persistence: {
      enabled: s.grafana.persistence,
      size: s.grafana.storageSize,
      // grafana 12.11.1 templates/pvc.yaml (`# annotations: {}` in values.yaml): kept by helm uninstall.
      ...(s.grafana.persistence ? { annotations: { ...KEEP_ON_UNINSTALL } } : {}),
      // grafana 12.11.1 (`lookupVolumeName: true` by default) writes a bound claim's volumeName,
      // looked up at render time, into the manifest: then rolling back to the install revision
      // (rendered before binding) makes Helm 3 patch it away, which the API forbids.
      ...(s.grafana.persistence ? { lookupVolumeName: false } : {}),
      ...(s.storageClass ? { storageClassName: s.storageClass } : {}),
    },
    ...(s.highAvailability.podDisruptionBudget && s.grafana.replicas > 1 ? { podDisruptionBudget: { maxUnavailable: 1 } } : {}),
    ...(host ? { ingress: ingressValues(s, host, 'ingressClassName', [host]) } : {}),
    admin: { existingSecret: grafanaAdminSecretName(s), userKey: GRAFANA_ADMIN_KEYS.user, passwordKey: GRAFANA_ADMIN_KEYS.password },
    datasources: { 'datasources.yaml': { apiVersion: 1, datasources } },
    ...(s.grafana.plugins.length ? { plugins: s.grafana.plugins } : {}),
    ...dashboardValues(s),
  };
}

/** Grafana folder of the default dashboards. */
export const DEFAULT_DASHBOARD_FOLDER = 'monitor-stack';

/**
 * `dashboardProviders` and `dashboards` of chart grafana 12.11.1: one file provider per source
 * (`monitor-stack`: the default set, in the Grafana folder monitor-stack; `files`:
 * grafana.dashboards.folder; `grafana-com`: grafanaCom ids, fetched by the chart's
 * download-dashboards init container at start), each at /var/lib/grafana/dashboards/<provider>, the
 * path the chart mounts `dashboards.<provider>` at. Provisioned dashboards cannot be deleted or
 * saved from the UI: the files are the truth. `{}` when there is none.
 */
function dashboardValues(s: Settings): Record<string, unknown> {
  const sources: [provider: string, folder: string, dashboards: Record<string, unknown>][] = [];
  const defaults = defaultDashboards(s);
  if (defaults.length) sources.push(['monitor-stack', DEFAULT_DASHBOARD_FOLDER, Object.fromEntries(defaults.map((d) => [d.uid.replace(/^monitor-stack-/, ''), { json: JSON.stringify(dashboardJson(d), null, 2) }]))]);
  if (s.dashboardFiles?.length) sources.push(['files', '', Object.fromEntries(s.dashboardFiles.map((f) => [f.name, { json: f.json }]))]);
  const fromGrafanaCom = s.grafana.dashboards.grafanaCom;
  if (fromGrafanaCom.length) {
    // The chart pipes each download through `sed s/${NAME}/value/`: the shared-export inputs become our datasource UIDs.
    const datasource = [{ name: 'DS_PROMETHEUS', value: 'prometheus' }, ...(s.loki.url ? [{ name: 'DS_LOKI', value: 'loki' }] : [])];
    sources.push(['grafana-com', '', Object.fromEntries(fromGrafanaCom.map((d) => [d.name, { gnetId: d.id, revision: d.revision, datasource }]))]);
  }
  if (!sources.length) return {};
  return {
    dashboardProviders: {
      'dashboardproviders.yaml': {
        apiVersion: 1,
        providers: sources.map(([name, folder]) => ({ name, orgId: 1, folder, type: 'file', disableDeletion: true, allowUiUpdates: false, options: { path: `/var/lib/grafana/dashboards/${name}` } })),
      },
    },
    dashboards: Object.fromEntries(sources.map(([name, , dashboards]) => [name, dashboards])),
  };
}
