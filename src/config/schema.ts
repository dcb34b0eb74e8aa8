/**
 * The schema of `monitor-stack.yaml`, of presets and of every layer merged into settings.
 * One zod source gives validation, the TypeScript types and the published JSON Schema
 * (`schema/monitor-stack.schema.json`, written at build time).
 *
 * A layer is partial: every key is optional. Settings are what remains after the layers are
 * merged over the built-in defaults (see merge.ts), so every key is present. Where `null` is
 * allowed it means "unset" and overrides a value from a lower layer (`tls.clusterIssuer: null`).
 */
import { z } from 'zod';
import {
  checkChartSource,
  checkDnsLabel,
  checkDnsSubdomain,
  checkDuration,
  checkEmail,
  checkEmailSender,
  checkHttpUrl,
  checkMatcher,
  checkSlackChannel,
  checkSmarthost,
  checkStorageSize,
  checkCpu,
  checkMemory,
  checkLabelName,
  checkPrometheusSize,
  checkGrafanaPlugin,
  checkRemoteWriteUrl,
  checkRemoteWriteHeader,
} from '../validate.js';
import { checkSecretRef } from '../refs.js';
import { BASELINE_ALERTS, SEVERITIES } from '../alerts/baseline.js';
import { closest } from 'fastest-levenshtein';
import type { RuleGroup } from '../alerts/rule-files.js';
import type { DashboardFile } from '../dashboards/files.js';

/** The preset names: one file each in `presets/`. */
export const PRESET_NAMES = ['minimal', 'standard', 'ha'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

const checked = (check: (value: string) => string | undefined, description: string) =>
  z
    .string()
    .superRefine((value, ctx) => {
      const problem = check(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe(description);

const dnsLabel = (d: string, example?: string) => checked((v) => checkDnsLabel(v, example), d);
const dnsName = (d: string, example?: string) => checked((v) => checkDnsSubdomain(v, example), d);
const secretRef = (d: string) => checked(checkSecretRef, `${d} A reference: env:NAME, file:PATH or secret:NAME/KEY; never the value itself.`);
const duration = (d: string) => checked(checkDuration, d);
const size = (d: string) => checked(checkStorageSize, d);
/** Refuses a name that is not a baseline alert, naming the closest one. */
export function checkBaselineAlert(name: string): string | undefined {
  if (BASELINE_ALERTS.includes(name)) return undefined;
  return `"${name}" is not a baseline alert; did you mean ${closest(name, [...BASELINE_ALERTS])}? (the README lists them all)`;
}
const baselineAlert = (d: string) => checked(checkBaselineAlert, d);
const REPLICAS = 'must be a whole number from 1 to 9';
const replicas = z.number({ error: REPLICAS }).int({ error: REPLICAS }).min(1, { error: REPLICAS }).max(9, { error: REPLICAS });

const chartLayer = z.strictObject({
  release: dnsLabel('Release name.', 'prometheus').optional(),
  version: z.string().regex(/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/, 'must be a chart version such as 29.27.0').describe('Chart version to install.').optional(),
  source: z
    .string()
    .min(1, 'must not be empty')
    .superRefine((value, ctx) => {
      const problem = checkChartSource(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe('https:// chart repository URL, oci:// chart reference, or a local chart folder.')
    .optional(),
  values: z
    .record(z.string(), z.unknown())
    .describe(
      "Chart values merged last, over monitor-stack's overlay (maps key by key, lists and scalars replace, null removes a chart default). Every key path must exist in the pinned chart version; a key a setting manages is refused, naming the setting. Never put a secret here: these values are stored in the release.",
    )
    .optional(),
});

const slackReceiver = z.strictObject({
  name: dnsLabel('Receiver name.', 'oncall'),
  type: z.literal('slack'),
  webhookUrl: secretRef('Slack incoming-webhook URL.'),
  channel: checked(checkSlackChannel, 'Channel such as #alerts.').optional(),
});
const emailReceiver = z.strictObject({
  name: dnsLabel('Receiver name.', 'oncall'),
  type: z.literal('email'),
  to: checked(checkEmail, 'Recipient address.'),
  from: checked(checkEmailSender, 'Sender address, optionally with a display name: Alertmanager <alerts@example.com>.'),
  smarthost: checked(checkSmarthost, 'SMTP server as host:port.'),
  username: z.string().min(1).describe('SMTP auth username.').optional(),
  password: secretRef('SMTP auth password.').optional(),
});
const pagerdutyReceiver = z.strictObject({
  name: dnsLabel('Receiver name.', 'oncall'),
  type: z.literal('pagerduty'),
  routingKey: secretRef('PagerDuty Events API v2 routing key.'),
});
const webhookReceiver = z.strictObject({
  name: dnsLabel('Receiver name.', 'oncall'),
  type: z.literal('webhook'),
  url: secretRef('Webhook URL (it often carries a token, so it is a secret).'),
});

const requestsOrLimits = (what: string) =>
  z
    .strictObject({
      cpu: checked(checkCpu, `CPU ${what}, e.g. 250m or 1; null = none.`).nullable().optional(),
      memory: checked(checkMemory, `Memory ${what}, e.g. 512Mi or 2Gi; null = none.`).nullable().optional(),
    })
    .optional();
/** `requests` and `limits` of one component's container (the chart's `resources` value). */
const resourcesSchema = z
  .strictObject({ requests: requestsOrLimits('request'), limits: requestsOrLimits('limit') })
  .describe('Container requests and limits; null fields are left out (the chart sets none by default).')
  .optional();

/** One Prometheus remote write (Prometheus v3.14 `remote_write[]`). Credentials are references only. */
const remoteWriteSchema = z
  .strictObject({
    name: dnsLabel('Name of this remote write: its queue in Prometheus metrics (remote_name) and its key prefix in the managed Secret.', 'mimir'),
    url: checked(checkRemoteWriteUrl, 'Remote-write endpoint, e.g. https://mimir.example.com/api/v1/push; no user or password in it.'),
    basicAuth: z
      .strictObject({
        username: z.string().min(1, 'must not be empty').describe('Basic-auth user name (not a secret).'),
        password: secretRef('Basic-auth password.'),
      })
      .optional(),
    bearerToken: secretRef('Bearer token, sent as Authorization: Bearer. Not with basicAuth.').optional(),
    headers: z
      .record(checked(checkRemoteWriteHeader, 'An HTTP header name.'), z.string())
      .describe('Extra HTTP headers, e.g. X-Scope-OrgID: tenant-1. Stored in the release: no secret here.')
      .optional(),
  })
  .superRefine((r, ctx) => {
    if (r.basicAuth && r.bearerToken) ctx.addIssue({ code: 'custom', message: 'basicAuth and bearerToken are both set; Prometheus sends one Authorization header: choose one.' });
  });
export type RemoteWrite = z.infer<typeof remoteWriteSchema>;

/** One Alertmanager receiver. Secret fields hold references only. */
export const receiverSchema = z.discriminatedUnion('type', [slackReceiver, emailReceiver, pagerdutyReceiver, webhookReceiver]);
export type Receiver = z.infer<typeof receiverSchema>;

const hosts = z.strictObject({
  prometheus: dnsName('Ingress host for the Prometheus server.', 'prometheus.example.com').nullable().optional(),
  grafana: dnsName('Ingress host for Grafana.').nullable().optional(),
  alertmanager: dnsName('Ingress host for Alertmanager.', 'alertmanager.example.com').nullable().optional(),
});

/** A partial settings layer: built-in defaults, a preset, the base config or an environment. */
export const layerSchema = z.strictObject({
  kubeContext: z.string().min(1).nullable().describe('kubeconfig context; null = the current context.').optional(),
  namespace: dnsLabel('Namespace of the releases.').optional(),
  storageClass: dnsName('StorageClass of every PersistentVolumeClaim; null = the cluster default.', 'fast-ssd').nullable().optional(),
  ingress: z
    .strictObject({
      className: dnsName('IngressClass; null = the cluster default.', 'nginx').nullable().optional(),
      hosts: hosts.optional(),
    })
    .optional(),
  tls: z
    .strictObject({
      clusterIssuer: dnsName('cert-manager ClusterIssuer that issues the ingress certificates.', 'letsencrypt-prod').nullable().optional(),
      secretName: dnsName('Existing TLS Secret (kubernetes.io/tls) used by every ingress host.', 'wildcard-tls').nullable().optional(),
    })
    .optional(),
  components: z
    .strictObject({
      alertmanager: z.boolean().optional(),
      kubeStateMetrics: z.boolean().optional(),
      nodeExporter: z.boolean().optional(),
      pushgateway: z.boolean().optional(),
      grafana: z.boolean().optional(),
      promtail: z.boolean().optional(),
    })
    .optional(),
  prometheus: z
    .strictObject({
      replicas: replicas.optional(),
      retention: duration('How long samples are kept (server.retention), e.g. 15d.').optional(),
      persistence: z.boolean().optional(),
      storageSize: size('Size of the server volume, e.g. 50Gi.').optional(),
      retentionSize: checked(checkPrometheusSize, 'Most bytes of blocks kept (server.retentionSize → --storage.tsdb.retention.size), e.g. 45GB; null = no size limit.')
        .nullable()
        .optional(),
      scrapeInterval: duration('How often targets are scraped (server.global.scrape_interval), e.g. 30s.').optional(),
      evaluationInterval: duration('How often rules are evaluated (server.global.evaluation_interval), e.g. 30s.').optional(),
      externalLabels: z
        .record(checked(checkLabelName, 'A Prometheus label name.'), z.string().min(1, 'must not be empty').nullable())
        .describe('Labels added to every alert and remote-written series (server.global.external_labels); `cluster` is the environment name unless set here (null removes it).')
        .optional(),
      remoteWrite: z.array(remoteWriteSchema).describe('Where Prometheus also sends every sample (server.remoteWrite); an environment\'s list replaces the base\'s.').optional(),
    })
    .optional(),
  kubeStateMetrics: z
    .strictObject({
      namespaces: z.array(dnsLabel('A namespace.')).describe('Namespaces kube-state-metrics reads; empty = all.').optional(),
      metricAllowlist: z.array(z.string().min(1)).describe('Only these metrics (names or regular expressions); empty = all. Not with metricDenylist.').optional(),
      metricDenylist: z.array(z.string().min(1)).describe('Metrics left out (names or regular expressions). Not with metricAllowlist.').optional(),
    })
    .optional(),
  resources: z
    .strictObject({
      prometheus: resourcesSchema,
      alertmanager: resourcesSchema,
      kubeStateMetrics: resourcesSchema,
      nodeExporter: resourcesSchema,
      pushgateway: resourcesSchema,
      grafana: resourcesSchema,
      promtail: resourcesSchema,
    })
    .describe('Requests and limits per component; each preset sizes them.')
    .optional(),
  alertmanager: z
    .strictObject({
      replicas: replicas.optional(),
      persistence: z.boolean().optional(),
      storageSize: size('Size of the Alertmanager volume, e.g. 2Gi.').optional(),
      receivers: z.array(receiverSchema).optional(),
      deadMansSwitchUrl: secretRef(
        'Dead man\'s switch: a URL that must receive the always-firing Watchdog alert every minute (a heartbeat service); null = Watchdog goes to the null receiver.',
      )
        .nullable()
        .optional(),
      routes: z
        .array(
          z.strictObject({
            matchers: z.array(checked(checkMatcher, 'An Alertmanager matcher: label="value", !=, =~ or !~.')).min(1, 'needs at least one matcher'),
            receiver: dnsLabel('Receiver of the alerts this route matches.', 'oncall'),
            continue: z.boolean().describe('Also try the routes after this one.').optional(),
            groupWait: duration('group_wait').optional(),
            groupInterval: duration('group_interval').optional(),
            repeatInterval: duration('repeat_interval').optional(),
          }),
        )
        .describe('Child routes, tried in order before the severity routes; the first that matches takes the alert unless it has continue: true.')
        .optional(),
      route: z
        .strictObject({
          receiver: dnsLabel('Receiver of the default route.', 'oncall').nullable().optional(),
          critical: z.array(dnsLabel('A receiver.', 'oncall')).describe('Receivers that get every alert labelled severity=critical.').optional(),
          warning: z.array(dnsLabel('A receiver.', 'oncall')).describe('Receivers that get every alert labelled severity=warning.').optional(),
          groupBy: z.array(z.string().min(1)).optional(),
          groupWait: duration('group_wait').optional(),
          groupInterval: duration('group_interval').optional(),
          repeatInterval: duration('repeat_interval').optional(),
        })
        .optional(),
    })
    .optional(),
  grafana: z
    .strictObject({
      replicas: replicas.optional(),
      persistence: z.boolean().optional(),
      storageSize: size('Size of the Grafana volume, e.g. 10Gi.').optional(),
      adminSecret: dnsName('Existing Secret with keys admin-user and admin-password; null = generated by monitor-stack.', 'grafana-admin').nullable().optional(),
      plugins: z
        .array(checked(checkGrafanaPlugin, 'A grafana.com plugin id, optionally pinned: grafana-clock-panel or grafana-clock-panel@2.1.8.'))
        .describe('Plugins Grafana installs from grafana.com at start (chart grafana 12.11.1 `plugins`).')
        .optional(),
      dashboards: z
        .strictObject({
          defaults: z.boolean().describe('The monitor-stack dashboards: nodes, Kubernetes, Prometheus, Alertmanager, logs (when loki.url is set).').optional(),
          folder: z.string().min(1, 'must not be empty').nullable().describe('A folder of dashboard JSON files, relative to this file; part of the release.').optional(),
          grafanaCom: z
            .array(
              z.strictObject({
                name: dnsLabel('The dashboard\'s file name in Grafana.', 'node-exporter-full'),
                id: z.number({ error: 'must be a grafana.com dashboard id (a number)' }).int().positive().describe('The grafana.com dashboard id.'),
                revision: z.number({ error: 'must be the revision number to pin (grafana.com lists them)' }).int().positive().describe('The revision, pinned.'),
              }),
            )
            .describe('grafana.com dashboards, fetched by Grafana\'s download-dashboards init container at start.')
            .optional(),
        })
        .optional(),
    })
    .optional(),
  alerts: z
    .strictObject({
      disabled: z
        .array(baselineAlert('A baseline alert not to render.'))
        .describe('Baseline alerts left out, by name (README: Alert rules).')
        .optional(),
      severityOverrides: z
        .record(baselineAlert('A baseline alert.'), z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` }))
        .describe('A severity label per baseline alert name, replacing its own.')
        .optional(),
      ruleFiles: z
        .array(z.string().min(1, 'must not be empty'))
        .describe('Your own Prometheus rule files (relative to this file), rendered after the baseline groups; every expr is checked as PromQL. An environment\'s list replaces the base\'s.')
        .optional(),
    })
    .optional(),
  loki: z
    .strictObject({
      url: checked(checkHttpUrl, 'Loki push URL for Promtail; also gives the Grafana Loki datasource.').nullable().optional(),
    })
    .optional(),
  highAvailability: z
    .strictObject({
      podAntiAffinity: z.enum(['none', 'soft', 'hard']).optional(),
      podDisruptionBudget: z.boolean().optional(),
    })
    .optional(),
  charts: z
    .strictObject({
      prometheus: chartLayer.optional(),
      grafana: chartLayer.optional(),
      promtail: chartLayer.optional(),
    })
    .optional(),
});
export type Layer = z.infer<typeof layerSchema>;

/** A preset file (`presets/<name>.yaml`): a layer, with a description. */
export const presetSchema = layerSchema.extend({
  description: z.string().optional(),
});

/** `monitor-stack.yaml`: the base layer, the preset it starts from, and its environments. */
export const configFileSchema = layerSchema.extend({
  $schema: z.string().optional(),
  preset: z.enum(PRESET_NAMES).describe('Preset the settings start from.').optional(),
  environments: z
    .record(
      checked(checkDnsLabel, 'Environment name.'),
      layerSchema.extend({ preset: z.enum(PRESET_NAMES).optional() }),
    )
    .describe('Named environments (dev, prod, …), each a layer over the base.')
    .optional(),
});
export type ConfigFile = z.infer<typeof configFileSchema>;

/** Everything present: what the layers give once merged over the built-in defaults. */
type Complete<T> = T extends (infer U)[]
  ? U[]
  : T extends object
    ? { [K in keyof T]-?: Complete<Exclude<T[K], undefined>> }
    : T;
/**
 * The merged settings, with the groups of `alerts.ruleFiles` and the dashboards of
 * `grafana.dashboards.folder` once `loadSettings` has read them (absent when nothing read the
 * files, e.g. settings built in tests).
 */
export type Settings = Complete<Layer> & { preset: PresetName; environment: string; ruleGroups?: RuleGroup[]; dashboardFiles?: DashboardFile[] };
