/**
 * `alerts.ruleFiles`: the team's own Prometheus rule files (the Prometheus v3.14 rule file format:
 * `groups: [{name, interval?, limit?, query_offset?, labels?, rules: [{alert|record, expr, for?,
 * keep_firing_for?, labels?, annotations?}]}]`), checked before anything runs and rendered after the
 * baseline groups into `serverFiles.alerting_rules.yml` of chart prometheus 29.27.0.
 *
 * Every `expr` is parsed with the Prometheus project's own PromQL grammar
 * (`@prometheus-io/lezer-promql` 0.314.0, the parser of Prometheus v3.14.0's UI), so a typo is an
 * error naming the file and line, not a rule group Prometheus refuses to load after the upgrade.
 */
import { isAbsolute, resolve } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import { UsageError } from '../errors.js';
import { readTextFile } from '../user-files.js';
import { checkDuration, checkLabelName } from '../validate.js';

/** One rule group as Prometheus reads it. */
export interface RuleGroup {
  name: string;
  rules: Record<string, unknown>[];
  [key: string]: unknown;
}

const GROUP_KEYS = ['name', 'interval', 'limit', 'query_offset', 'labels', 'rules'];
const ALERT_KEYS = ['alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'];
const RECORD_KEYS = ['record', 'expr', 'labels'];
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Where `expr` stops being PromQL: the offset of the grammar's first error node, or `undefined`
 * when it parses. Pure.
 */
export function promqlErrorAt(expr: string): number | undefined {
  if (!expr.trim()) return 0;
  let at: number | undefined;
  parser.parse(expr).iterate({
    enter(node) {
      if (at === undefined && node.type.isError) at = node.from;
      return at === undefined;
    },
  });
  return at;
}

/**
 * Parses and checks one rule file's text. Pure.
 * @param file the name messages start with (`rules/shop.yaml`).
 * @returns its groups, and one sentence per problem, each starting `file:line:`.
 */
export function parseRuleFile(text: string, file: string): { groups: RuleGroup[]; problems: string[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems: string[] = [];
  const at = (node: Node | null | undefined, message: string) => problems.push(`${file}:${node?.range ? lines.linePos(node.range[0]).line : 1}: ${message}`);
  for (const e of doc.errors) problems.push(`${file}:${e.linePos?.[0].line ?? 1}: not YAML: ${e.message.split('\n')[0]}`);
  if (problems.length) return { groups: [], problems };
  const root = doc.contents;
  if (!isMap(root) || !isSeq(root.get('groups', true))) {
    at(root, 'a rule file needs a top-level "groups:" list (the Prometheus rule file format)');
    return { groups: [], problems };
  }
  unknownKeys(root, ['groups'], 'the file', at);
  const groupsNode = root.get('groups', true) as unknown as { items: unknown[] };
  const seen = new Set<string>();
  groupsNode.items.forEach((g, gi) => {
    if (!isMap(g)) return at(g as Node, `groups[${gi}] must be a map with name and rules`);
    const name = g.get('name');
    const where = typeof name === 'string' && name ? `group "${name}"` : `groups[${gi}]`;
    if (typeof name !== 'string' || !name) at(g, `${where}: needs a name`);
    else if (seen.has(name)) at(g.get('name', true) as Node, `${where}: the name is used twice in this file; Prometheus refuses that`);
    else if (name.startsWith('monitor-stack-')) at(g.get('name', true) as Node, `${where}: names starting "monitor-stack-" are the baseline groups'; choose another`);
    if (typeof name === 'string') seen.add(name);
    unknownKeys(g, GROUP_KEYS, where, at);
    for (const key of ['interval', 'query_offset']) durationAt(g, key, where, at);
    labelsAt(g, 'labels', where, at);
    const rules = g.get('rules', true);
    if (!isSeq(rules)) return at(g, `${where}: needs a "rules:" list`);
    rules.items.forEach((r, ri) => {
      if (!isMap(r)) return at(r as Node, `${where}, rules[${ri}]: must be a map with alert or record, and expr`);
      const alert = r.get('alert');
      const record = r.get('record');
      const rule = `${where}, rule ${typeof alert === 'string' ? `"${alert}"` : typeof record === 'string' ? `"${record}"` : `rules[${ri}]`}`;
      if ((alert === undefined) === (record === undefined)) return at(r, `${rule}: needs exactly one of alert or record`);
      if (alert !== undefined && (typeof alert !== 'string' || !alert.trim())) at(r.get('alert', true) as Node, `${rule}: alert must be a name`);
      if (record !== undefined && (typeof record !== 'string' || !METRIC_NAME.test(record))) at(r.get('record', true) as Node, `${rule}: record must be a metric name such as job:http_requests:rate5m`);
      unknownKeys(r, alert !== undefined ? ALERT_KEYS : RECORD_KEYS, rule, at);
      durationAt(r, 'for', rule, at);
      durationAt(r, 'keep_firing_for', rule, at);
      labelsAt(r, 'labels', rule, at);
      const annotations = r.get('annotations', true);
      if (annotations !== undefined && !(isMap(annotations) && annotations.items.every((p) => isScalar(p.value) && typeof p.value.value === 'string')))
        at(annotations as Node, `${rule}: annotations must map names to strings`);
      const exprNode = r.get('expr', true) as Node | undefined;
      const expr = isScalar(exprNode) ? exprNode.value : undefined;
      if (typeof expr !== 'string' && typeof expr !== 'number') return at(exprNode ?? r, `${rule}: needs an expr (PromQL)`);
      const text = String(expr);
      const bad = promqlErrorAt(text);
      if (bad !== undefined) {
        const type = (exprNode as { type?: string }).type;
        // A block scalar's text starts on the line after `expr: |`; a literal one keeps its line breaks.
        const block = type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED';
        // An error at the end is reported on the expression's last line, not after its trailing newline.
        const upTo = text.slice(0, bad).trimEnd().length || bad;
        const line = lines.linePos(exprNode!.range![0]).line + (block ? 1 : 0) + (type === 'BLOCK_LITERAL' ? text.slice(0, upTo).split('\n').length - 1 : 0);
        const near = text.slice(bad, bad + 20).split('\n')[0];
        problems.push(`${file}:${line}: ${rule}: expr is not valid PromQL ${near ? `at "${near}"` : 'at its end (something is missing)'}`);
      }
    });
  });
  return { groups: problems.length ? [] : (doc.toJS() as { groups: RuleGroup[] }).groups, problems };
}

type At = (node: Node | null | undefined, message: string) => void;

function unknownKeys(map: YAMLMap, known: string[], where: string, at: At): void {
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!known.includes(key)) at(pair.key as Node, `${where}: unknown key "${key}"; a Prometheus ${known.includes('alert') ? 'alerting rule' : known.includes('record') ? 'recording rule' : known.includes('rules') ? 'rule group' : 'rule file'} takes ${known.join(', ')}`);
  }
}

function durationAt(map: YAMLMap, key: string, where: string, at: At): void {
  const v = map.get(key, true);
  if (v === undefined) return;
  const problem = isScalar(v) && typeof v.value === 'string' ? checkDuration(v.value) : 'must be a Prometheus duration such as 5m';
  if (problem) at(v as Node, `${where}: ${key} ${problem}`);
}

function labelsAt(map: YAMLMap, key: string, where: string, at: At): void {
  const v = map.get(key, true);
  if (v === undefined) return;
  if (!isMap(v)) return at(v as Node, `${where}: ${key} must map label names to strings`);
  for (const p of v.items) {
    const name = isScalar(p.key) ? String(p.key.value) : '';
    const problem = checkLabelName(name);
    if (problem) at(p.key as Node, `${where}: label "${name}" ${problem}`);
    else if (!isScalar(p.value) || typeof p.value.value !== 'string') at((p.value ?? p.key) as Node, `${where}: label "${name}" must be a string (quote numbers and booleans)`);
  }
}

/**
 * Reads every file of `alerts.ruleFiles` and checks it.
 * @param baseDir folder relative paths are taken from (the config file's folder).
 * @returns the groups of every file, in order.
 * @throws UsageError listing every problem of every file (file:line each).
 */
export function readRuleFiles(paths: string[], baseDir: string, setting = 'alerts.ruleFiles'): RuleGroup[] {
  const problems: string[] = [];
  const groups: RuleGroup[] = [];
  const owner = new Map<string, string>();
  for (const p of paths) {
    const path = isAbsolute(p) ? p : resolve(baseDir, p);
    let text: string;
    try {
      text = readTextFile(path, { label: `${setting}: ${p}` });
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      problems.push(err.message);
      continue;
    }
    const r = parseRuleFile(text, p);
    problems.push(...r.problems);
    for (const g of r.groups) {
      const other = owner.get(g.name);
      // They all end up in one file, alerting_rules.yml, where Prometheus refuses a repeated group name.
      if (other) problems.push(`${p}: group "${g.name}" is also in ${other}; the groups of every rule file are rendered into one file, so each name must be unique.`);
      owner.set(g.name, p);
      groups.push(g);
    }
  }
  if (problems.length) throw new UsageError(`${setting}: ${problems.length === 1 ? problems[0] : `${problems.length} problems in the rule files:`}`, problems.length === 1 ? ['Fix the file, then run again. Nothing was changed.'] : [...problems.map((p) => `- ${p}`), 'Fix the files, then run again. Nothing was changed.']);
  return groups;
}
