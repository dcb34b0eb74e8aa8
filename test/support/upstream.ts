/**
 * Reads the pinned charts' default values from upstream-charts/ (a copy kept in this repository) and answers: does chart
 * version X have key path P, and does a value of this shape fit there?
 *
 * A key exists when values.yaml has it, when values.schema.json declares it, or when values.yaml
 * documents it as a commented key aligned with its siblings (`    # storageClass: "-"` under
 * `persistentVolume:`), which is how these charts document optional keys. Below an upstream `{}`
 * or list, keys are free-form (annotations, datasources, Alertmanager config lists).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PINNED_CHARTS } from '../../src/charts.js';
import type { ReleasePlan } from '../../src/plan.js';
import { ROOT } from './run.js';

export const UPSTREAM_DIR = process.env.MONITOR_STACK_UPSTREAM_CHARTS ?? join(ROOT, 'upstream-charts');

type Json = unknown;

export interface UpstreamChart {
  name: string;
  values: Json;
  schema: Json | undefined;
  commented: Set<string>;
}

export function loadUpstream(chart: string, version: string): UpstreamChart {
  const dir = join(UPSTREAM_DIR, `${chart}-${version}`);
  if (!existsSync(dir)) throw new Error(`no upstream defaults for ${chart} ${version} at ${dir}`);
  const text = readFileSync(join(dir, 'values.yaml'), 'utf8');
  const schemaPath = join(dir, 'values.schema.json');
  return {
    name: `${chart}-${version}`,
    values: parse(text),
    schema: existsSync(schemaPath) ? JSON.parse(readFileSync(schemaPath, 'utf8')) : undefined,
    commented: commentedKeys(text),
  };
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
export const PASS_THROUGH: Record<string, string[]> = {
  // charts/alertmanager/templates/configmap.yaml: `toYaml .Values.config` is alertmanager.yml.
  'alertmanager-1.42.0': ['config'],
};

/**
 * Checks one overlay leaf (a scalar, or a whole list) against a chart's defaults.
 * @returns `undefined` when it fits, else why not.
 */
export function checkPath(chart: UpstreamChart, path: string[], value: Json): string | undefined {
  const through = PASS_THROUGH[chart.name]?.find((p) => path.join('.').startsWith(`${p}.`));
  if (through && checkPath({ ...chart, name: `${chart.name} (pass-through)` }, through.split('.'), {}) === undefined) return undefined;
  let node: Json = chart.values;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    if (Array.isArray(node) || (isObject(node) && Object.keys(node).length === 0)) return undefined; // free-form below
    if (!isObject(node)) return `${path.slice(0, i).join('.')} is a ${typeof node} in ${chart.name}, not a map`;
    if (key in node) {
      node = node[key];
      continue;
    }
    const dotted = path.slice(0, i + 1).join('.');
    if (chart.commented.has(dotted) || schemaAt(chart.schema, path.slice(0, i + 1)) !== undefined) return undefined;
    return `${chart.name} has no key ${dotted}`;
  }
  // Shape of the leaf against the default.
  if (node === null || node === undefined) return undefined;
  if (Array.isArray(value)) {
    if (!Array.isArray(node)) return `${path.join('.')} is a ${typeof node} in ${chart.name}, not a list`;
    const upstreamItem = node[0] ?? (schemaAt(chart.schema, path) as { items?: { type?: string } } | undefined)?.items?.type;
    const ours = value[0];
    if (upstreamItem === undefined || ours === undefined) return undefined;
    const kind = (v: Json) => (typeof v === 'string' ? (['string', 'object'].includes(v) && typeof upstreamItem === 'string' && !node.length ? v : 'string') : isObject(v) ? 'object' : typeof v);
    const upstreamKind = typeof upstreamItem === 'string' && !node.length ? upstreamItem : kind(upstreamItem);
    return kind(ours) === upstreamKind ? undefined : `${path.join('.')} items are ${upstreamKind}s in ${chart.name}, the overlay gives ${kind(ours)}s`;
  }
  if (isObject(node) && isObject(value)) return undefined;
  if (isObject(node) || Array.isArray(node)) return `${path.join('.')} is a ${Array.isArray(node) ? 'list' : 'map'} in ${chart.name}, the overlay gives a ${typeof value}`;
  if (typeof node !== typeof value) return `${path.join('.')} is a ${typeof node} in ${chart.name} (default ${JSON.stringify(node)}), the overlay gives a ${typeof value}`;
  return undefined;
}

/** Every leaf path of an overlay: scalars and whole lists. */
export function leafPaths(values: Json, prefix: string[] = []): { path: string[]; value: Json }[] {
  if (isObject(values) && Object.keys(values).length) return Object.entries(values).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
  return [{ path: prefix, value: values }];
}

const loaded = new Map<string, UpstreamChart>();
const cachedUpstream = (chart: string, version: string) => {
  const key = `${chart}-${version}`;
  if (!loaded.has(key)) loaded.set(key, loadUpstream(chart, version));
  return loaded.get(key)!;
};

/**
 * Every leaf of a release's overlay checked against its pinned chart's defaults and, for keys under
 * a subchart (alertmanager., kube-state-metrics., …), against that subchart's defaults too.
 * @returns one sentence per leaf that does not fit; empty when all fit.
 */
export function overlayKeyProblems(plan: Pick<ReleasePlan, 'id' | 'version' | 'values'>): string[] {
  const pinned = PINNED_CHARTS[plan.id];
  const parent = cachedUpstream(pinned.chart, plan.version);
  const problems: string[] = [];
  for (const { path, value } of leafPaths(plan.values)) {
    const inParent = checkPath(parent, path, value);
    if (!inParent) continue;
    const sub = pinned.subcharts[path[0]!];
    const inSub = sub && path.length > 1 ? checkPath(cachedUpstream(path[0]!, sub), path.slice(1), value) : inParent;
    if (inSub) problems.push(inSub === inParent ? inParent : `${inParent}; and ${inSub}`);
  }
  return problems;
}
