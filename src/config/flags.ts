/**
 * The setting flags, shared by `init`, `render` and `upgrade`, and their mapping to a settings
 * layer. Flag names are a public interface (scripts and CI depend on them): do not rename.
 *
 * Kept free of zod and other heavy imports: the CLI reads this table to build `--help`.
 */
import { UsageError } from '../errors.js';
import { printable } from '../text.js';
import { checkSecretRef } from '../refs.js';
import {
  checkDnsLabel,
  checkDnsSubdomain,
  checkDuration,
  checkEmail,
  checkEmailSender,
  checkHttpUrl,
  checkSlackChannel,
  checkSmarthost,
  checkStorageSize,
} from '../validate.js';
import type { Layer, PresetName, Receiver } from './schema.js';

export interface SettingFlag {
  /** Commander flag spec, e.g. `--storage-class <name>`. */
  flags: string;
  /** Property name commander gives the value. */
  attr: string;
  help: string;
  /** Validator; returns a reason when the value is wrong. */
  check?: (value: string) => string | undefined;
  /** True when the value is a secret reference: never echoed in messages. */
  secret?: boolean;
}

const PRESETS: readonly PresetName[] = ['minimal', 'standard', 'ha'];
const checkPreset = (v: string) => (PRESETS.includes(v as PresetName) ? undefined : `must be one of: ${PRESETS.join(', ')}`);

/** Splits a comma-separated list of receiver names (`slack, pagerduty`), dropping empty items. */
export const receiverList = (v: string): string[] => v.split(',').map((n) => n.trim()).filter(Boolean);

function checkReceiverList(v: string): string | undefined {
  const names = receiverList(v);
  if (!names.length) return 'must name at least one receiver, e.g. slack,pagerduty';
  for (const n of names) {
    const problem = checkDnsLabel(n, 'oncall');
    if (problem) return `"${n}" ${problem}`;
  }
  return undefined;
}

/** Every setting flag, in the wizard's order. */
export const SETTING_FLAGS: SettingFlag[] = [
  { flags: '--kube-context <name>', attr: 'kubeContext', help: 'kubeconfig context (default: the current context)' },
  { flags: '--namespace <name>', attr: 'namespace', help: 'namespace of the releases (default: monitoring)', check: (v) => checkDnsLabel(v) },
  { flags: '--preset <name>', attr: 'preset', help: `preset: ${PRESETS.join(', ')} (default: standard)`, check: checkPreset },
  { flags: '--storage-class <name>', attr: 'storageClass', help: 'StorageClass for every volume (default: the cluster default)', check: (v) => checkDnsSubdomain(v, 'fast-ssd') },
  { flags: '--ingress-class <name>', attr: 'ingressClass', help: 'IngressClass of the ingresses (default: the cluster default)', check: (v) => checkDnsSubdomain(v, 'nginx') },
  { flags: '--prometheus-host <host>', attr: 'prometheusHost', help: 'ingress host for Prometheus', check: (v) => checkDnsSubdomain(v, 'prometheus.example.com') },
  { flags: '--grafana-host <host>', attr: 'grafanaHost', help: 'ingress host for Grafana', check: checkDnsSubdomain },
  { flags: '--alertmanager-host <host>', attr: 'alertmanagerHost', help: 'ingress host for Alertmanager', check: (v) => checkDnsSubdomain(v, 'alertmanager.example.com') },
  { flags: '--tls-issuer <name>', attr: 'tlsIssuer', help: 'cert-manager ClusterIssuer for the ingress certificates', check: (v) => checkDnsSubdomain(v, 'letsencrypt-prod') },
  { flags: '--tls-secret <name>', attr: 'tlsSecret', help: 'existing TLS Secret for the ingress hosts', check: (v) => checkDnsSubdomain(v, 'wildcard-tls') },
  { flags: '--no-tls', attr: 'tls', help: 'no TLS on the ingresses' },
  { flags: '--slack-webhook-url <ref>', attr: 'slackWebhookUrl', help: 'Slack receiver: webhook URL reference (env:NAME, file:PATH, secret:NAME/KEY)', check: checkSecretRef, secret: true },
  { flags: '--slack-channel <channel>', attr: 'slackChannel', help: 'Slack receiver: channel, e.g. #alerts', check: checkSlackChannel },
  { flags: '--email-to <address>', attr: 'emailTo', help: 'e-mail receiver: recipient', check: checkEmail },
  { flags: '--email-from <address>', attr: 'emailFrom', help: 'e-mail receiver: sender, e.g. "Alertmanager <alerts@example.com>"', check: checkEmailSender },
  { flags: '--smtp-smarthost <host:port>', attr: 'smtpSmarthost', help: 'e-mail receiver: SMTP server', check: checkSmarthost },
  { flags: '--smtp-username <name>', attr: 'smtpUsername', help: 'e-mail receiver: SMTP auth username' },
  { flags: '--smtp-password <ref>', attr: 'smtpPassword', help: 'e-mail receiver: SMTP password reference', check: checkSecretRef, secret: true },
  { flags: '--pagerduty-routing-key <ref>', attr: 'pagerdutyRoutingKey', help: 'PagerDuty receiver: routing key reference', check: checkSecretRef, secret: true },
  { flags: '--webhook-url <ref>', attr: 'webhookUrl', help: 'webhook receiver: URL reference', check: checkSecretRef, secret: true },
  { flags: '--critical-to <receivers>', attr: 'criticalTo', help: 'receivers of severity=critical alerts, comma-separated names (slack,pagerduty)', check: checkReceiverList },
  { flags: '--warning-to <receivers>', attr: 'warningTo', help: 'receivers of severity=warning alerts, comma-separated names', check: checkReceiverList },
  { flags: '--deadmans-switch-url <ref>', attr: 'deadmansSwitchUrl', help: "dead man's switch: URL reference that gets the Watchdog heartbeat every minute", check: checkSecretRef, secret: true },
  { flags: '--grafana-admin-secret <name>', attr: 'grafanaAdminSecret', help: 'existing Secret with admin-user and admin-password (default: generated)', check: (v) => checkDnsSubdomain(v, 'grafana-admin') },
  { flags: '--loki-url <url>', attr: 'lokiUrl', help: 'Loki push URL for Promtail (default: http://loki-gateway/loki/api/v1/push)', check: checkHttpUrl },
  { flags: '--retention <duration>', attr: 'retention', help: 'Prometheus retention, e.g. 15d', check: checkDuration },
  { flags: '--prometheus-storage-size <size>', attr: 'prometheusStorageSize', help: 'Prometheus volume size, e.g. 50Gi', check: checkStorageSize },
];

/** Option values as commander gives them, plus which were given on the command line. */
export interface FlagValues {
  values: Record<string, unknown>;
  /** Attribute names whose value came from the command line (not a default). */
  given: Set<string>;
}

/**
 * Checks every given setting flag. Collects all problems, then throws once.
 * @throws UsageError naming each bad flag; secret flags are named without their value.
 */
export function checkFlagValues({ values, given }: FlagValues): void {
  const problems: string[] = [];
  for (const f of SETTING_FLAGS) {
    if (!given.has(f.attr) || !f.check) continue;
    const value = values[f.attr];
    const problem = typeof value === 'string' ? f.check(value) : undefined;
    const name = f.flags.split(' ')[0];
    if (problem) problems.push(f.secret ? `${name} ${problem}` : `${name} "${printable(String(value))}": ${problem}`);
  }
  if (given.has('tls') && (given.has('tlsIssuer') || given.has('tlsSecret'))) problems.push('--no-tls cannot be combined with --tls-issuer or --tls-secret.');
  if (given.has('tlsIssuer') && given.has('tlsSecret')) problems.push('--tls-issuer and --tls-secret are two ways to get certificates: give one.');
  if (problems.length) throw new UsageError(problems.length === 1 ? problems[0]! : 'invalid flags:', problems.length === 1 ? [] : problems.map((p) => `- ${p}`));
}

/**
 * Builds the flag layer (the highest precedence) from the given flags. Call {@link checkFlagValues} first.
 * Receiver flags build whole receivers named `slack`, `email`, `pagerduty`, `webhook`; when any
 * is given, they replace the configured receiver list.
 * @throws UsageError when a receiver's flags are incomplete (e.g. --email-to without --smtp-smarthost).
 */
export function flagsToLayer({ values: v, given }: FlagValues): Layer & { preset?: PresetName } {
  const str = (attr: string): string | undefined => (given.has(attr) ? (v[attr] as string) : undefined);
  const layer: Layer & { preset?: PresetName } = {};
  if (str('kubeContext')) layer.kubeContext = str('kubeContext');
  if (str('namespace')) layer.namespace = str('namespace');
  if (str('preset')) layer.preset = str('preset') as PresetName;
  if (str('storageClass')) layer.storageClass = str('storageClass');
  const hosts = { prometheus: str('prometheusHost'), grafana: str('grafanaHost'), alertmanager: str('alertmanagerHost') };
  if (str('ingressClass') || Object.values(hosts).some(Boolean)) {
    layer.ingress = { ...(str('ingressClass') ? { className: str('ingressClass') } : {}), hosts };
  }
  if (given.has('tls')) layer.tls = { clusterIssuer: null, secretName: null };
  if (str('tlsIssuer')) layer.tls = { clusterIssuer: str('tlsIssuer'), secretName: null };
  if (str('tlsSecret')) layer.tls = { clusterIssuer: null, secretName: str('tlsSecret') };
  const receivers = receiversFromFlags(str);
  if (receivers.length) layer.alertmanager = { receivers, route: { receiver: receivers[0]!.name } };
  const critical = str('criticalTo');
  const warning = str('warningTo');
  if (critical || warning) {
    const am = (layer.alertmanager ??= {});
    am.route = { ...am.route, ...(critical ? { critical: receiverList(critical) } : {}), ...(warning ? { warning: receiverList(warning) } : {}) };
  }
  if (str('deadmansSwitchUrl')) (layer.alertmanager ??= {}).deadMansSwitchUrl = str('deadmansSwitchUrl');
  if (str('grafanaAdminSecret')) layer.grafana = { adminSecret: str('grafanaAdminSecret') };
  if (str('lokiUrl')) layer.loki = { url: str('lokiUrl') };
  if (str('retention') || str('prometheusStorageSize')) {
    layer.prometheus = {
      ...(str('retention') ? { retention: str('retention') } : {}),
      ...(str('prometheusStorageSize') ? { storageSize: str('prometheusStorageSize'), persistence: true } : {}),
    };
  }
  return layer;
}

function receiversFromFlags(str: (attr: string) => string | undefined): Receiver[] {
  const out: Receiver[] = [];
  const problems: string[] = [];
  const slackUrl = str('slackWebhookUrl');
  if (slackUrl || str('slackChannel')) {
    if (!slackUrl) problems.push('--slack-channel needs --slack-webhook-url.');
    else out.push({ name: 'slack', type: 'slack', webhookUrl: slackUrl, ...(str('slackChannel') ? { channel: str('slackChannel') } : {}) });
  }
  const emailAttrs = ['emailTo', 'emailFrom', 'smtpSmarthost', 'smtpUsername', 'smtpPassword'];
  if (emailAttrs.some((a) => str(a))) {
    const missing = [
      ['emailTo', '--email-to'],
      ['emailFrom', '--email-from'],
      ['smtpSmarthost', '--smtp-smarthost'],
    ].filter(([a]) => !str(a!)).map(([, f]) => f);
    if (str('smtpPassword') && !str('smtpUsername')) missing.push('--smtp-username');
    if (missing.length) problems.push(`the e-mail receiver also needs ${missing.join(', ')}.`);
    else {
      out.push({
        name: 'email',
        type: 'email',
        to: str('emailTo')!,
        from: str('emailFrom')!,
        smarthost: str('smtpSmarthost')!,
        ...(str('smtpUsername') ? { username: str('smtpUsername') } : {}),
        ...(str('smtpPassword') ? { password: str('smtpPassword') } : {}),
      });
    }
  }
  if (str('pagerdutyRoutingKey')) out.push({ name: 'pagerduty', type: 'pagerduty', routingKey: str('pagerdutyRoutingKey')! });
  if (str('webhookUrl')) out.push({ name: 'webhook', type: 'webhook', url: str('webhookUrl')! });
  if (problems.length) throw new UsageError(problems.join(' '));
  return out;
}
