/** `alerts.ruleFiles`: the team's rule files, checked with file and line, rendered after the baseline groups. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderAlertingRules } from '../../src/alerts/baseline.js';
import { parseRuleFile, promqlErrorAt, readRuleFiles } from '../../src/alerts/rule-files.js';
import { loadSettings } from '../../src/config/index.js';
import { UsageError } from '../../src/errors.js';
import { tempDir } from '../support/run.js';
import { NO_FLAGS } from '../support/scenarios.js';

const GOOD = `groups:
  - name: shop
    rules:
      - alert: ShopCheckoutErrors
        expr: sum(rate(http_requests_total{job="checkout",code=~"5.."}[5m])) > 1
        for: 10m
        labels: {severity: critical, team: shop}
        annotations: {summary: Checkout fails}
      - record: job:http_requests:rate5m
        expr: |
          sum by (job) (rate(http_requests_total[5m]))
`;

describe('rule files', () => {
  it('the PromQL grammar finds where an expression breaks', () => {
    expect(promqlErrorAt('up == 0')).toBeUndefined();
    expect(promqlErrorAt('rate(x[5m]')).toBe(10);
    expect(promqlErrorAt('sum(x) by')).toBe(9);
    expect(promqlErrorAt('  ')).toBe(0);
    expect(promqlErrorAt('foo(x)')).toBe(3); // the grammar knows the function names
  });

  it('a good file gives its groups as they are', () => {
    const r = parseRuleFile(GOOD, 'shop.yaml');
    expect(r.problems).toEqual([]);
    expect(r.groups.map((g) => [g.name, g.rules.length])).toEqual([['shop', 2]]);
  });

  it('each problem names the file and line', () => {
    const text = `groups:
  - name: shop
    interval: 30
    rules:
      - alert: A
        expr: rate(x[5m]
      - alert: B
        record: b
        expr: up
      - alert: C
        expr: |
          sum(
            rate(x[5m])
          ) by
        labels: {severity: 1, __bad: x}
        fire: now
  - name: shop
    rules: []
  - name: monitor-stack-nodes
    rules: []
`;
    expect(parseRuleFile(text, 'r.yaml').problems).toEqual([
      'r.yaml:3: group "shop": interval must be a Prometheus duration such as 5m',
      'r.yaml:6: group "shop", rule "A": expr is not valid PromQL at its end (something is missing)',
      'r.yaml:7: group "shop", rule "B": needs exactly one of alert or record',
      'r.yaml:16: group "shop", rule "C": unknown key "fire"; a Prometheus alerting rule takes alert, expr, for, keep_firing_for, labels, annotations',
      'r.yaml:15: group "shop", rule "C": label "severity" must be a string (quote numbers and booleans)',
      expect.stringMatching(/^r\.yaml:15: group "shop", rule "C": label "__bad" must not start with __/),
      'r.yaml:14: group "shop", rule "C": expr is not valid PromQL at its end (something is missing)',
      'r.yaml:17: group "shop": the name is used twice in this file; Prometheus refuses that',
      'r.yaml:19: group "monitor-stack-nodes": names starting "monitor-stack-" are the baseline groups\'; choose another',
    ]);
    expect(parseRuleFile('groups: [\n', 'y.yaml').problems[0]).toMatch(/^y\.yaml:\d+: not YAML/);
    expect(parseRuleFile('rules: []\n', 'z.yaml').problems).toEqual(['z.yaml:1: a rule file needs a top-level "groups:" list (the Prometheus rule file format)']);
  });

  it('loadSettings reads the files relative to the config, renders them after the baseline, and refuses a bad one (nothing read twice across files)', () => {
    const dir = tempDir('ms-rules-');
    mkdirSync(join(dir, 'rules'));
    writeFileSync(join(dir, 'rules', 'shop.yaml'), GOOD);
    writeFileSync(join(dir, 'monitor-stack.yaml'), 'environments:\n  dev:\n    alerts: {ruleFiles: [rules/shop.yaml]}\n  twice:\n    alerts: {ruleFiles: [rules/shop.yaml, rules/shop.yaml]}\n  missing:\n    alerts: {ruleFiles: [rules/none.yaml]}\n');
    const s = loadSettings(join(dir, 'monitor-stack.yaml'), 'dev', NO_FLAGS);
    const groups = renderAlertingRules(s).groups.map((g) => g.name);
    expect(groups.at(-1)).toBe('shop');
    expect(groups.filter((g) => g.startsWith('monitor-stack-')).length).toBe(groups.length - 1);
    expect(() => loadSettings(join(dir, 'monitor-stack.yaml'), 'twice', NO_FLAGS)).toThrow(/group "shop" is also in rules\/shop\.yaml/);
    expect(() => loadSettings(join(dir, 'monitor-stack.yaml'), 'missing', NO_FLAGS)).toThrow(UsageError);
    expect(() => readRuleFiles(['rules/none.yaml'], dir)).toThrow(/rules\/none\.yaml/);
  });
});
