/**
 * The one merge, in the one precedence order:
 *
 *     built-in defaults < preset < base config < environment < command-line flags
 *
 * Pure: takes parsed layers, returns settings or throws {@link UsageError}.
 */
import { RESERVED_RECEIVERS, unreachedReceivers } from '../alerts/routing.js';
import { UsageError } from '../errors.js';
import { parseQuantity } from '../core/manifest.js';
import { DEFAULTS, DEFAULT_PRESET } from './defaults.js';
import type { ConfigFile, Layer, PresetName, Settings } from './schema.js';

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Deep-merges `over` onto `base`: objects merge key by key; arrays, scalars and `null` replace;
 * `undefined` leaves the lower value. Neither input is changed, and the result shares no map or
 * list with either (changing it cannot reach DEFAULTS or a preset).
 */
export function mergeLayer<T extends Plain>(base: T, over: Plain | undefined): T {
  const out: Plain = structuredClone(base);
  if (!over) return out as T;
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const lower = out[key];
    out[key] = isPlain(lower) && isPlain(value) ? mergeLayer(lower, value) : structuredClone(value);
  }
  return out as T;
}

export interface ResolveInput {
  /** Parsed `monitor-stack.yaml`. */
  file: ConfigFile;
  /** Path of the config file, for messages. */
  fileName: string;
  /** Environment to resolve; must be a key of `file.environments`. */
  environment: string;
  /** Layers of every preset, by name (from `presets/<name>.yaml`). */
  presets: Record<PresetName, Layer>;
  /** Layer built from command-line flags, plus the preset flag. */
  flags?: Layer & { preset?: PresetName };
}

/**
 * Resolves the settings of one environment.
 * @throws UsageError when the environment is not defined, or when the merged settings break a
 *   rule that spans keys (a route naming no receiver, two TLS sources, …); every problem is listed.
 */
export function resolveSettings(input: ResolveInput): Settings {
  const { file, fileName, environment, presets, flags } = input;
  const { environments = {}, preset: basePreset, $schema: _schema, ...base } = file;
  const envLayer = environments[environment];
  if (!envLayer) {
    const known = Object.keys(environments);
    throw new UsageError(`environment "${environment}" is not defined in ${fileName}.`, [
      known.length ? `Defined: ${known.join(', ')}.` : 'The file defines no environments.',
      `Fix: --env ${known[0] ?? '<name>'}, or add environments.${environment} to ${fileName} (monitor-stack init --env ${environment} does).`,
    ]);
  }
  const { preset: envPreset, ...env } = envLayer;
  const { preset: flagPreset, ...flagLayer } = flags ?? {};
  const preset = flagPreset ?? envPreset ?? basePreset ?? DEFAULT_PRESET;
  let merged: Plain = DEFAULTS as unknown as Plain;
  for (const layer of [presets[preset], base, env, flagLayer]) merged = mergeLayer(merged, layer as Plain);
  const settings = { ...(merged as unknown as Settings), preset, environment };
  const problems = checkSettings(settings);
  if (problems.length) {
    throw new UsageError(`${fileName} (environment ${environment}): ${problems.length === 1 ? problems[0] : 'the settings break these rules:'}`, problems.length === 1 ? [] : problems.map((p) => `- ${p}`));
  }
  return settings;
}

/** Rules that span several keys, checked on the merged settings. Returns one sentence per problem. */
export function checkSettings(s: Settings): string[] {
  const problems: string[] = [];
  if (s.tls.clusterIssuer && s.tls.secretName) {
    problems.push('tls.clusterIssuer and tls.secretName are both set; choose one (set the other to null, or pass --no-tls).');
  }
  const names = s.alertmanager.receivers.map((r) => r.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  const reserved = names.find((n) => RESERVED_RECEIVERS.includes(n));
  if (reserved) problems.push(`alertmanager.receivers: the name "${reserved}" is reserved (${RESERVED_RECEIVERS.join(' and ')} are the receivers monitor-stack adds for Watchdog); choose another.`);
  if (dup) problems.push(`alertmanager.receivers: the name "${dup}" is used twice; receiver names must be unique.`);
  const known = names.length ? names.join(', ') : 'none defined';
  const am = s.alertmanager;
  const refs: [string, string | null][] = [
    ['alertmanager.route.receiver', am.route.receiver],
    ...am.route.critical.map((n, i): [string, string] => [`alertmanager.route.critical[${i}]`, n]),
    ...am.route.warning.map((n, i): [string, string] => [`alertmanager.route.warning[${i}]`, n]),
    ...am.routes.map((r, i): [string, string] => [`alertmanager.routes[${i}].receiver`, r.receiver]),
  ];
  const unknown = refs.filter(([, n]) => n && !names.includes(n));
  for (const [path, n] of unknown) problems.push(`${path}: "${n}" is not one of the receivers (${known}).`);
  if (!unknown.length) {
    for (const n of unreachedReceivers(s)) {
      problems.push(
        `alertmanager.receivers: "${n}" gets no alert: no route reaches it. List it in alertmanager.route.critical or alertmanager.route.warning (init: --critical-to, --warning-to), give it a route in alertmanager.routes, or remove it.`,
      );
    }
  }
  if (s.components.promtail && !s.loki.url) problems.push('components.promtail is on but loki.url is null: Promtail needs a push URL (--loki-url).');
  const hosts = Object.values(s.ingress.hosts).filter((h): h is string => !!h);
  const dupHost = hosts.find((h, i) => hosts.indexOf(h) !== i);
  if (dupHost) problems.push(`ingress.hosts: "${dupHost}" is given to two components; each needs its own host.`);
  if (!s.components.alertmanager && s.ingress.hosts.alertmanager) problems.push('ingress.hosts.alertmanager is set but components.alertmanager is off.');
  if (!s.components.grafana && s.ingress.hosts.grafana) problems.push('ingress.hosts.grafana is set but components.grafana is off.');
  if (s.kubeStateMetrics.metricAllowlist.length && s.kubeStateMetrics.metricDenylist.length) {
    problems.push('kubeStateMetrics.metricAllowlist and kubeStateMetrics.metricDenylist are both set; kube-state-metrics takes one or the other.');
  }
  for (const [component, r] of Object.entries(s.resources)) {
    for (const kind of ['cpu', 'memory'] as const) {
      const request = r.requests[kind];
      const limit = r.limits[kind];
      if (request && limit && parseQuantity(request)! > parseQuantity(limit)!) {
        problems.push(`resources.${component}: the ${kind} request ${request} is more than the ${kind} limit ${limit}; Kubernetes refuses such a pod.`);
      }
    }
  }
  const writes = s.prometheus.remoteWrite.map((r) => r.name);
  const dupWrite = writes.find((n, i) => writes.indexOf(n) !== i);
  if (dupWrite) problems.push(`prometheus.remoteWrite: the name "${dupWrite}" is used twice; each remote write needs its own name.`);
  const boards = s.grafana.dashboards.grafanaCom.map((d) => d.name);
  const dupBoard = boards.find((n, i) => boards.indexOf(n) !== i);
  if (dupBoard) problems.push(`grafana.dashboards.grafanaCom: the name "${dupBoard}" is used twice; each dashboard needs its own name.`);
  const releases = Object.values(s.charts).map((c) => c.release);
  const dupRelease = releases.find((r, i) => releases.indexOf(r) !== i);
  if (dupRelease) problems.push(`charts: the release name "${dupRelease}" is used twice.`);
  return problems;
}
