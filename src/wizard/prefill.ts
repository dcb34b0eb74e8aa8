/**
 * A second `init` on an environment that exists: its current answers, to pre-fill every question,
 * and the merge that writes new answers back without dropping any key the wizard did not ask about.
 *
 * The wizard owns the keys in {@link WIZARD_PATHS} (the setting flags' keys); every other key of
 * `environments.<env>` (replicas, components, charts, extra receivers, comments) is the user's and
 * is kept as it is.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Document } from 'yaml';
import { mergeLayer } from '../config/merge.js';
import type { ConfigFile, Layer, Receiver } from '../config/schema.js';

/** What an environment holds, as wizard answers. */
export interface Prefill {
  /** Setting-flag attribute → current value (`tls: true` means "no TLS", as `--no-tls`). */
  values: Record<string, string | true>;
  /** Receiver kinds the environment has (slack, email, pagerduty, webhook), in order. */
  receiverKinds: string[];
  /** Receiver of the default route. */
  routeReceiver?: string;
  /**
   * True when the receivers do not fit the wizard's questions (a custom name, two of one type):
   * they are kept as they are and not asked about.
   */
  receiversKept: boolean;
}

const KINDS = ['slack', 'email', 'pagerduty', 'webhook'] as const;

/**
 * The answers behind environment `env` of `file`: its layer over the base of the file (built-in
 * defaults and presets are not answers, so they are left out).
 * @returns `undefined` when the environment is not in the file.
 */
export function prefillFrom(file: ConfigFile, env: string): Prefill | undefined {
  const envLayer = file.environments?.[env];
  if (!envLayer) return undefined;
  const { environments: _e, $schema: _s, charts: _c, ...base } = file;
  const { charts: _ec, ...envRest } = envLayer;
  const l = mergeLayer(base as Record<string, unknown>, envRest as Record<string, unknown>) as Layer & { preset?: string };
  const values: Record<string, string | true> = {};
  const put = (attr: string, v: unknown) => {
    if (typeof v === 'string' && v !== '') values[attr] = v;
  };
  put('kubeContext', l.kubeContext);
  put('namespace', l.namespace);
  put('preset', l.preset);
  put('storageClass', l.storageClass);
  put('ingressClass', l.ingress?.className);
  put('prometheusHost', l.ingress?.hosts?.prometheus);
  put('grafanaHost', l.ingress?.hosts?.grafana);
  put('alertmanagerHost', l.ingress?.hosts?.alertmanager);
  if (l.tls) {
    if (l.tls.clusterIssuer) put('tlsIssuer', l.tls.clusterIssuer);
    else if (l.tls.secretName) put('tlsSecret', l.tls.secretName);
    else if (l.tls.clusterIssuer === null && l.tls.secretName === null) values.tls = true;
  }
  put('grafanaAdminSecret', l.grafana?.adminSecret);
  put('lokiUrl', l.loki?.url);
  put('retention', l.prometheus?.retention);
  put('prometheusStorageSize', l.prometheus?.storageSize);

  const receivers: Receiver[] = l.alertmanager?.receivers ?? [];
  const fits = receivers.every((r) => r.name === r.type) && new Set(receivers.map((r) => r.type)).size === receivers.length;
  if (fits) {
    for (const r of receivers) {
      if (r.type === 'slack') {
        put('slackWebhookUrl', r.webhookUrl);
        put('slackChannel', r.channel);
      } else if (r.type === 'email') {
        put('emailTo', r.to);
        put('emailFrom', r.from);
        put('smtpSmarthost', r.smarthost);
        put('smtpUsername', r.username);
        put('smtpPassword', r.password);
      } else if (r.type === 'pagerduty') put('pagerdutyRoutingKey', r.routingKey);
      else put('webhookUrl', r.url);
    }
  }
  const route = l.alertmanager?.route?.receiver;
  if (fits) {
    put('criticalTo', l.alertmanager?.route?.critical?.join(','));
    put('warningTo', l.alertmanager?.route?.warning?.join(','));
  }
  put('deadmansSwitchUrl', l.alertmanager?.deadMansSwitchUrl);
  return {
    values,
    receiverKinds: fits ? KINDS.filter((k) => receivers.some((r) => r.type === k)) : [],
    ...(typeof route === 'string' ? { routeReceiver: route } : {}),
    receiversKept: !fits,
  };
}

/** The keys of an environment the wizard owns, as paths. */
export const WIZARD_PATHS: readonly (readonly string[])[] = [
  ['kubeContext'],
  ['namespace'],
  ['preset'],
  ['storageClass'],
  ['ingress', 'className'],
  ['ingress', 'hosts', 'prometheus'],
  ['ingress', 'hosts', 'grafana'],
  ['ingress', 'hosts', 'alertmanager'],
  ['tls'],
  ['alertmanager', 'receivers'],
  ['alertmanager', 'route', 'receiver'],
  ['alertmanager', 'route', 'critical'],
  ['alertmanager', 'route', 'warning'],
  ['alertmanager', 'deadMansSwitchUrl'],
  ['grafana', 'adminSecret'],
  ['loki', 'url'],
  ['prometheus', 'retention'],
  ['prometheus', 'storageSize'],
];

/** The plain value of a YAML node (or scalar) read with `getIn(path, true)`. */
const jsOf = (node: unknown): unknown => (node && typeof node === 'object' && 'toJSON' in node ? (node as { toJSON: () => unknown }).toJSON() : node);

const getIn = (o: unknown, path: readonly string[]): unknown => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);

/**
 * Writes the wizard's `answers` (a settings layer) into `environments.<env>` of `doc`: each key
 * the wizard owns is set to its answer (unless it already resolves to it), or removed from the
 * environment when the answer is empty (a value in the base of the file is not touched); every
 * other key, and the comments, stay. Maps left empty by a removal are removed.
 * @param keepReceivers leave `alertmanager.receivers` and the route as they are (see {@link Prefill.receiversKept}).
 */
export function mergeAnswers(doc: Document, env: string, answers: Record<string, unknown>, keepReceivers: boolean): void {
  const root = ['environments', env];
  if (!doc.hasIn(root) || doc.getIn(root) === null) {
    doc.setIn(root, doc.createNode(answers));
    return;
  }
  for (const path of WIZARD_PATHS) {
    if (keepReceivers && path[0] === 'alertmanager') continue;
    const value = getIn(answers, path);
    const at = [...root, ...path];
    // An answer equal to what the environment already resolves to (its own value, else the base
    // of the file) leaves the text as it is: no restyled line, no copy of a base value.
    const now = jsOf(doc.hasIn(at) ? doc.getIn(at, true) : doc.getIn([...path], true));
    if (value !== undefined) {
      if (!isDeepStrictEqual(now, value)) doc.setIn(at, doc.createNode(value));
    } else if (doc.hasIn(at)) doc.deleteIn(at);
  }
  // `persistence: true` goes with a storage size; a size removed leaves persistence to the preset.
  if (getIn(answers, ['prometheus', 'persistence']) === true) doc.setIn([...root, 'prometheus', 'persistence'], true);
  for (const parent of [['ingress', 'hosts'], ['ingress'], ['alertmanager', 'route'], ['alertmanager'], ['grafana'], ['loki'], ['prometheus']]) {
    const node = doc.getIn([...root, ...parent]) as { items?: unknown[] } | undefined;
    if (node && Array.isArray(node.items) && node.items.length === 0) doc.deleteIn([...root, ...parent]);
  }
}
