/**
 * Values overlay for chart prometheus 29.27.0 (prometheus-community), with its subcharts
 * alertmanager 1.42.0, kube-state-metrics 8.4.0, prometheus-node-exporter 4.56.1 and
 * prometheus-pushgateway 3.8.0 under their own keys. Every key path is checked against
 * `upstream-charts/` by test/unit/overlay-keys.test.ts.
 */
import { renderAlertingRules } from '../alerts/baseline.js';
import { alertmanagerReceivers, NULL_RECEIVER, renderInhibitRules, renderRoute } from '../alerts/routing.js';
import { KEEP_ON_UNINSTALL } from '../charts.js';
import type { Receiver, Settings } from '../config/schema.js';
import { ingressValues } from './ingress.js';
import { resourcesValues } from './resources.js';
import { planReceiverSecrets } from './receivers.js';
import { planRemoteWriteSecrets, renderRemoteWrite } from './remote-write.js';
import { secretFilePath, type SecretFilePlan } from './secret-files.js';

type Values = Record<string, unknown>;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3, y: 365 * 86400e3 };
/** A Prometheus duration (`1m30s`, already validated) in milliseconds. */
export function durationMs(d: string): number {
  let ms = 0;
  for (const [, n, unit] of d.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)) ms += Number(n) * UNIT_MS[unit!]!;
  return ms;
}

/** The chart's default `server.global.scrape_timeout` (prometheus 29.27.0). */
const SCRAPE_TIMEOUT = '10s';

/**
 * `server.global` of prometheus 29.27.0 (passed verbatim into prometheus.yml). Prometheus refuses a
 * scrape_timeout longer than scrape_interval, so a scrape interval under the chart's 10s timeout
 * takes the interval as its timeout. External labels: `cluster` = the environment unless set.
 */
export function prometheusGlobal(s: Settings): Values {
  const p = s.prometheus;
  const labels = Object.fromEntries(Object.entries({ cluster: s.environment, ...p.externalLabels }).filter(([, v]) => v !== null));
  return {
    scrape_interval: p.scrapeInterval,
    scrape_timeout: durationMs(p.scrapeInterval) < durationMs(SCRAPE_TIMEOUT) ? p.scrapeInterval : SCRAPE_TIMEOUT,
    evaluation_interval: p.evaluationInterval,
    ...(Object.keys(labels).length ? { external_labels: labels } : {}),
  };
}


/** Renders the overlay for the prometheus release. Pure. */
export function renderPrometheusValues(s: Settings): Values {
  const ha = s.highAvailability;
  const antiAffinity = ha.podAntiAffinity === 'none' ? {} : { podAntiAffinity: ha.podAntiAffinity };
  const serverHost = s.ingress.hosts.prometheus;
  const remoteWriteSecrets = planRemoteWriteSecrets(s);
  const server: Values = {
    replicaCount: s.prometheus.replicas,
    // prometheus 29.27.0: "Use a StatefulSet if replicaCount needs to be greater than 1".
    statefulSet: { enabled: s.prometheus.replicas > 1 },
    retention: s.prometheus.retention,
    ...(s.prometheus.retentionSize ? { retentionSize: s.prometheus.retentionSize } : {}),
    global: prometheusGlobal(s),
    ...(s.prometheus.remoteWrite.length ? { remoteWrite: renderRemoteWrite(s, remoteWriteSecrets) } : {}),
    ...(remoteWriteSecrets.mounts.length ? { extraSecretMounts: remoteWriteSecrets.mounts } : {}),
    resources: resourcesValues(s.resources.prometheus),
    persistentVolume: {
      enabled: s.prometheus.persistence,
      size: s.prometheus.storageSize,
      // prometheus 29.27.0 templates/pvc.yaml: the claim's annotations. Kept by helm uninstall and
      // by an upgrade that drops it (helm reads the policy from the release manifest only).
      ...(s.prometheus.persistence ? { annotations: { ...KEEP_ON_UNINSTALL } } : {}),
      ...(s.storageClass ? { storageClass: s.storageClass } : {}),
    },
    ...antiAffinity,
    ...(ha.podDisruptionBudget ? { podDisruptionBudget: { enabled: true, maxUnavailable: 1 } } : {}),
    ...(serverHost ? { ingress: ingressValues(s, serverHost, 'ingressClassName', [serverHost]) } : {}),
  };
  return {
    server,
    // prometheus 29.27.0 ships `alerting_rules.yml: {}` (no rule); its server reads this file.
    serverFiles: { 'alerting_rules.yml': renderAlertingRules(s) },
    alertmanager: renderAlertmanagerValues(s),
    'kube-state-metrics': renderKubeStateMetricsValues(s),
    'prometheus-node-exporter': s.components.nodeExporter ? { enabled: true, resources: resourcesValues(s.resources.nodeExporter) } : { enabled: false },
    'prometheus-pushgateway': s.components.pushgateway ? { enabled: true, resources: resourcesValues(s.resources.pushgateway) } : { enabled: false },
  };
}

/** The `kube-state-metrics.*` part (chart kube-state-metrics 8.4.0, kube-state-metrics 2.20.0). */
function renderKubeStateMetricsValues(s: Settings): Values {
  if (!s.components.kubeStateMetrics) return { enabled: false };
  const k = s.kubeStateMetrics;
  return {
    enabled: true,
    resources: resourcesValues(s.resources.kubeStateMetrics),
    // kube-state-metrics 8.4.0: `namespaces` is a comma-separated string ("" = all namespaces).
    ...(k.namespaces.length ? { namespaces: k.namespaces.join(',') } : {}),
    ...(k.metricAllowlist.length ? { metricAllowlist: k.metricAllowlist } : {}),
    ...(k.metricDenylist.length ? { metricDenylist: k.metricDenylist } : {}),
  };
}

/** The `alertmanager.*` part (chart alertmanager 1.42.0, Alertmanager v0.34 config). */
function renderAlertmanagerValues(s: Settings): Values {
  if (!s.components.alertmanager) return { enabled: false };
  const ha = s.highAvailability;
  const host = s.ingress.hosts.alertmanager;
  const secrets = planReceiverSecrets(s);
  // The null receiver (no integration: it drops what it gets) is always defined (src/alerts/routing.ts).
  const receivers = [...alertmanagerReceivers(s).map((r) => renderReceiver(r, secrets)), { name: NULL_RECEIVER }];
  return {
    enabled: true,
    replicaCount: s.alertmanager.replicas,
    resources: resourcesValues(s.resources.alertmanager),
    persistence: {
      enabled: s.alertmanager.persistence,
      size: s.alertmanager.storageSize,
      ...(s.storageClass ? { storageClass: s.storageClass } : {}),
    },
    // alertmanager 1.42.0 has no pod annotations, so the prometheus chart's `kubernetes-pods` job
    // would not scrape it and no rule on `alertmanager_*` metrics could fire.
    podAnnotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9093' },
    ...(ha.podAntiAffinity === 'none' ? {} : { podAntiAffinity: ha.podAntiAffinity }),
    ...(ha.podDisruptionBudget ? { podDisruptionBudget: { maxUnavailable: 1 } } : {}),
    // alertmanager 1.42.0: hosts are {host, paths} objects, unlike server.ingress.hosts.
    ...(host ? { ingress: ingressValues(s, host, 'className', [{ host, paths: [{ path: '/', pathType: 'ImplementationSpecific' }] }]) } : {}),
    ...(secrets.mounts.length ? { extraSecretMounts: secrets.mounts } : {}),
    config: {
      receivers,
      route: renderRoute(s),
      inhibit_rules: renderInhibitRules(),
    },
  };
}

/** One receiver in Alertmanager's config format; secrets as `*_file` paths. */
function renderReceiver(r: Receiver, secrets: SecretFilePlan): Values {
  const file = (field: string) => secretFilePath(secrets, r.name, field);
  switch (r.type) {
    case 'slack':
      return {
        name: r.name,
        slack_configs: [{ api_url_file: file('webhookUrl'), ...(r.channel ? { channel: r.channel } : {}), send_resolved: true }],
      };
    case 'email':
      return {
        name: r.name,
        email_configs: [
          {
            to: r.to,
            from: r.from,
            smarthost: r.smarthost,
            ...(r.username ? { auth_username: r.username } : {}),
            ...(r.password ? { auth_password_file: file('password') } : {}),
            send_resolved: true,
          },
        ],
      };
    case 'pagerduty':
      return { name: r.name, pagerduty_configs: [{ routing_key_file: file('routingKey'), send_resolved: true }] };
    case 'webhook':
      return { name: r.name, webhook_configs: [{ url_file: file('url'), send_resolved: true }] };
  }
}
