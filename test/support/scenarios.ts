/** Settings scenarios shared by the golden-file and upstream-key tests. */
import { readPresets } from '../../src/config/load.js';
import { resolveSettings } from '../../src/config/merge.js';
import type { ConfigFile, Settings } from '../../src/config/schema.js';

const file = (env: ConfigFile['environments'] extends infer E ? (E extends Record<string, infer L> ? L : never) : never, base: ConfigFile = {}): ConfigFile => ({ ...base, environments: { test: env } });

/** Named configs, each resolved for environment `test`. */
export const SCENARIOS: Record<string, ConfigFile> = {
  // Dev cluster: no volumes, no ingress, no receivers (Alertmanager gets the null receiver).
  'minimal-dev': file({ preset: 'minimal' }),
  // Typical production: every host with cert-manager, Slack and e-mail receivers by env:/file:.
  'standard-ingress': file({
    preset: 'standard',
    storageClass: 'fast-ssd',
    ingress: { className: 'nginx', hosts: { prometheus: 'prometheus.example.com', grafana: 'grafana.example.com', alertmanager: 'alertmanager.example.com' } },
    tls: { clusterIssuer: 'letsencrypt-prod' },
    alertmanager: {
      receivers: [
        { name: 'slack', type: 'slack', webhookUrl: 'env:SLACK_WEBHOOK_URL', channel: '#alerts' },
        { name: 'email', type: 'email', to: 'oncall@example.com', from: 'alertmanager@example.com', smarthost: 'smtp.example.com:587', username: 'alertmanager', password: 'file:secrets/smtp-password' },
      ],
      route: { receiver: 'slack' },
    },
  }),
  // HA with an existing TLS Secret, PagerDuty and webhook receivers from existing Secrets,
  // custom release names, an existing Grafana admin Secret, no Loki and no pushgateway.
  'ha-existing-secrets': file(
    {
      preset: 'ha',
      namespace: 'observability',
      ingress: { hosts: { grafana: 'grafana.prod.example.com' } },
      tls: { secretName: 'wildcard-example-com' },
      grafana: { adminSecret: 'grafana-admin' },
      components: { promtail: false, pushgateway: false },
      loki: { url: null },
      alertmanager: {
        receivers: [
          { name: 'oncall', type: 'pagerduty', routingKey: 'secret:alerting/pagerduty-key' },
          { name: 'hooks', type: 'webhook', url: 'secret:alerting/webhook-url' },
        ],
      },
    },
    { charts: { prometheus: { release: 'mon' }, grafana: { release: 'mon-grafana' } } },
  ),
};

export function scenarioSettings(name: string): Settings {
  return resolveSettings({ file: SCENARIOS[name]!, fileName: `${name}.yaml`, environment: 'test', presets: readPresets() });
}
