/**
 * What a chart version's default values say about its keys: does chart version X have key path
 * P, and does a value of this shape fit there? Pure: it takes the parsed `values.yaml`, the parsed
 * `values.schema.json` (where the chart ships one) and the keys `values.yaml` documents as
 * comments; src/upstream.ts reads them from `upstream-charts/`.
 *
 * A key exists when values.yaml has it, when values.schema.json declares it, or when values.yaml
 * documents it as a commented key aligned with its siblings (`    # storageClass: "-"` under
 * `persistentVolume:`), which is how these charts document optional keys. Below an upstream `{}`
 * keys are free-form (annotations, node selectors), and so are the paths in {@link PASS_THROUGH}.
 * A list is a leaf: a list value replaces it whole, and a map given for it is a wrong shape.
 */
import { closest } from 'fastest-levenshtein';

type Json = unknown;

/** One chart version's defaults, as read from `upstream-charts/<chart>-<version>/`. */
export interface UpstreamChart {
  /** `<chart>-<version>`, e.g. `prometheus-29.27.0`. */
  name: string;
  /** Parsed values.yaml. */
  values: Json;
  /** Parsed values.schema.json, or undefined when the chart ships none. */
  schema: Json | undefined;
  /** Dotted paths of keys documented as aligned comments ({@link commentedKeys}). */
  commented: Set<string>;
}

/** Dotted paths of keys documented as comments aligned with their sibling keys. */
export function commentedKeys(text: string): Set<string> {
  const out = new Set<string>();
  const stack: { indent: number; path: string[]; childIndent?: number }[] = [{ indent: -1, path: [] }];
  let listIndent: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const indent = line.length - line.trimStart().length;
    const body = line.trimStart();
    if (listIndent !== undefined && !body.startsWith('#') && indent <= listIndent && !body.startsWith('- ')) listIndent = undefined;
    if (body.startsWith('#')) {
      const m = /^#\s?([A-Za-z][A-Za-z0-9_-]*):(\s|$)/.exec(body);
      if (!m || listIndent !== undefined) continue;
      const parent = [...stack].reverse().find((s) => s.indent < indent)!;
      if (indent === (parent.childIndent ?? parent.indent + 2) || (parent.indent === -1 && indent === 0)) out.add([...parent.path, m[1]!].join('.'));
      continue;
    }
    if (listIndent !== undefined) continue;
    if (body.startsWith('- ')) {
      listIndent = indent;
      continue;
    }
    const key = /^("[^"]+"|[A-Za-z0-9_.\/-]+):(\s|$)/.exec(body)?.[1]?.replace(/"/g, '');
    if (!key) continue;
    while (stack.length > 1 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const parent = stack[stack.length - 1]!;
    parent.childIndent ??= indent;
    stack.push({ indent, path: [...parent.path, key] });
  }
  return out;
}

const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

function schemaAt(schema: Json, path: string[]): Json | undefined {
  let node = schema;
  for (const key of path) {
    if (!isObject(node)) return undefined;
    const props = node.properties;
    node = isObject(props) ? props[key] : undefined;
  }
  return node;
}

/**
 * Paths below which a chart passes values through verbatim to the application's own config, so
 * keys follow that application's schema, not the chart's. Each entry names the template doing it.
 */
export const PASS_THROUGH: Record<string, string[][]> = {
  // charts/alertmanager/templates/configmap.yaml: `toYaml .Values.config` is alertmanager.yml.
  'alertmanager-1.42.0': [['config']],
  // charts/prometheus/templates/cm.yaml: `.Values.server.global | toYaml` is prometheus.yml's
  // `global:` (external_labels, scrape_interval, …).
  'prometheus-29.27.0': [['server', 'global']],
  // charts/grafana/templates/_config.tpl: every section of `grafana.ini` is written into the ini
  // file, whatever its name ([users], [auth.generic_oauth], …).
  'grafana-12.11.1': [['grafana.ini']],
};

/** Every key known at `path` (values.yaml, aligned comments, schema properties), sorted. */
export function knownKeysAt(chart: UpstreamChart, path: string[]): string[] {
  let node: Json = chart.values;
  for (const key of path) node = isObject(node) ? node[key] : undefined;
  const keys = new Set(isObject(node) ? Object.keys(node) : []);
  const prefix = path.length ? `${path.join('.')}.` : '';
  for (const c of chart.commented) if (c.startsWith(prefix) && !c.slice(prefix.length).includes('.')) keys.add(c.slice(prefix.length));
  const props = (schemaAt(chart.schema, path) as { properties?: Json } | undefined)?.properties;
  if (isObject(props)) for (const k of Object.keys(props)) keys.add(k);
  return [...keys].sort();
}

/**
 * Checks one leaf (a scalar, or a whole list) against a chart's defaults.
 * @returns `undefined` when it fits, else why not (a missing key names the closest known key).
 */
export function checkPath(chart: UpstreamChart, path: string[], value: Json): string | undefined {
  const through = PASS_THROUGH[chart.name]?.find((p) => p.length < path.length && p.every((k, i) => path[i] === k));
  if (through && checkPath({ ...chart, name: `${chart.name} (pass-through)` }, through, {}) === undefined) return undefined;
  let node: Json = chart.values;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    // A path never descends into a list (lists are leaves), so going on below one means a map was given for it.
    if (Array.isArray(node)) return `${path.slice(0, i).join('.')} is a list in ${chart.name}, given a map`;
    if (isObject(node) && Object.keys(node).length === 0) return undefined; // free-form below
    if (!isObject(node)) return `${path.slice(0, i).join('.')} is a ${typeof node} in ${chart.name}, not a map`;
    if (key in node) {
      node = node[key];
      continue;
    }
    const dotted = path.slice(0, i + 1).join('.');
    if (chart.commented.has(dotted) || schemaAt(chart.schema, path.slice(0, i + 1)) !== undefined) return undefined;
    const known = knownKeysAt(chart, path.slice(0, i));
    const hint = known.length ? `; the closest key is ${[...path.slice(0, i), closest(key, known)].join('.')}` : '';
    return `${chart.name} has no key ${dotted}${hint}`;
  }
  // Shape of the leaf against the default.
  if (node === null || node === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    if (!Array.isArray(node)) return `${path.join('.')} is a ${typeof node} in ${chart.name}, not a list`;
    const upstreamItem = node[0] ?? (schemaAt(chart.schema, path) as { items?: { type?: string } } | undefined)?.items?.type;
    const ours = value[0];
    if (upstreamItem === undefined || ours === undefined) return undefined;
    const kind = (v: Json) => (typeof v === 'string' ? (['string', 'object'].includes(v) && typeof upstreamItem === 'string' && !node.length ? v : 'string') : isObject(v) ? 'object' : typeof v);
    const upstreamKind = typeof upstreamItem === 'string' && !node.length ? upstreamItem : kind(upstreamItem);
    return kind(ours) === upstreamKind ? undefined : `${path.join('.')} items are ${upstreamKind}s in ${chart.name}, given ${kind(ours)}s`;
  }
  if (isObject(node) && isObject(value)) return undefined;
  if (isObject(node) || Array.isArray(node)) return `${path.join('.')} is a ${Array.isArray(node) ? 'list' : 'map'} in ${chart.name}, given a ${typeof value}`;
  if (typeof node !== typeof value) return `${path.join('.')} is a ${typeof node} in ${chart.name} (default ${JSON.stringify(node)}), given a ${typeof value}`;
  return undefined;
}

/** Every leaf path of a values map: scalars, nulls, empty maps and whole lists. */
export function leafPaths(values: Json, prefix: string[] = []): { path: string[]; value: Json }[] {
  if (isObject(values) && Object.keys(values).length) return Object.entries(values).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
  return [{ path: prefix, value: values }];
}

/**
 * Leaves of a values map checked against a chart's defaults and, for a key under a subchart
 * (`alertmanager.`, `kube-state-metrics.`, …), against that subchart's defaults too: a leaf fits
 * when either has it; when neither does, the subchart's answer is reported.
 * @param subcharts key prefix → that subchart's defaults.
 * @param leaves from {@link leafPaths}.
 * @returns one sentence per leaf that fits neither; empty when all fit.
 */
export function valuesKeyProblems(parent: UpstreamChart, subcharts: Record<string, UpstreamChart>, leaves: { path: string[]; value: Json }[]): string[] {
  const problems: string[] = [];
  for (const { path, value } of leaves) {
    const inParent = checkPath(parent, path, value);
    if (!inParent) continue;
    const sub = subcharts[path[0]!];
    const inSub = sub && path.length > 1 ? checkPath(sub, path.slice(1), value) : inParent;
    // Below a subchart's key the subchart's own defaults are the authority (the parent repeats a few).
    if (inSub) problems.push(inSub === inParent ? inParent : `subchart ${path[0]}: ${inSub}`);
  }
  return problems;
}
