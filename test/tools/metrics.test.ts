/**
 * Every metric a baseline rule or a default dashboard reads exists in what the pinned programs
 * really export (a dashboard query with Grafana's variables replaced by values): the metric
 * names are taken from each rule's expression with the Prometheus project's own PromQL grammar
 * (@prometheus-io/lezer-promql 0.314.0, the parser of Prometheus v3.14.0's UI), and looked up in
 * the /metrics output of node_exporter v1.12.1, Alertmanager v0.34.0 and Prometheus v3.14.0, each
 * built from Go modules and run here on loopback. kube-state-metrics needs a cluster (the e2e
 * tier) and the kubelet a node: their metrics are listed as not checked here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { BASELINE_GROUPS } from '../../src/alerts/baseline.js';
import { DEFAULT_DASHBOARDS } from '../../src/dashboards/defaults.js';
import { freePort, tempDir } from '../support/run.js';

const tools = inject('tools');
const skip = inject('toolsSkip');
if (skip) describe.skip(skip, () => it('skipped', () => {}));

/** The metric names an expression selects (each VectorSelector's Identifier). */
function metricNames(expr: string): string[] {
  const names = new Set<string>();
  const tree = parser.parse(expr);
  let error = false;
  tree.iterate({
    enter(node) {
      if (node.type.isError) error = true;
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.add(expr.slice(node.from, node.to));
    },
  });
  if (error) throw new Error(`not PromQL: ${expr}`);
  return [...names];
}

const children: ChildProcess[] = [];
// Each program is stopped, and has exited, before the temp folders it writes are removed.
afterAll(async () => {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
});

/** Starts a program listening on a free loopback port and returns the metric names on its /metrics (series and # TYPE lines). */
async function scrape(bin: string, port: number, args: string[], wait: (text: string) => boolean = () => true): Promise<Set<string>> {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (c: Buffer) => (log += c.toString('utf8')));
  children.push(child);
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      const text = await res.text();
      if (res.status === 200 && wait(text)) {
        const names = new Set<string>();
        for (const line of text.split('\n')) {
          const m = /^# TYPE (\S+)/.exec(line) ?? /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
          if (m) names.add(m[1]!);
        }
        return names;
      }
    } catch {}
    if (Date.now() > until) throw new Error(`${bin} served no /metrics in 60 s:\n${log.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const rules = BASELINE_GROUPS.flatMap((g) => g.rules);
const used = new Map<string, string[]>(); // metric → alerts reading it
for (const r of rules) for (const name of metricNames(r.expr)) used.set(name, [...(used.get(name) ?? []), r.alert]);
// The dashboards' Prometheus queries, Grafana's variables replaced ($__rate_interval by 5m, $name by x).
const panels = DEFAULT_DASHBOARDS.filter((d) => d.datasource.type === 'prometheus').flatMap((d) => [
  ...d.panels.flatMap((p) => p.targets.map((t) => ({ where: `dashboard ${d.title}: ${p.title}`, expr: t.expr }))),
  ...d.variables.map((v) => ({ where: `dashboard ${d.title}: $${v.name}`, expr: v.query.replace(/^label_values\((.*), \w+\)$/, '$1') })),
]);
const asPromql = (expr: string) => expr.replaceAll('$__rate_interval', '5m').replace(/\$(\w+)/g, 'x');
for (const p of panels) for (const name of metricNames(asPromql(p.expr))) used.set(name, [...(used.get(name) ?? []), p.where]);
const byPrefix = (test: (name: string) => boolean) => [...used.keys()].filter(test).sort();

describe.runIf(tools)('every metric a baseline rule or a default dashboard reads is exported by the pinned program', () => {
  it('the grammar finds a metric in every rule but Watchdog, and refuses what is not PromQL', () => {
    expect(rules.filter((r) => metricNames(r.expr).length === 0).map((r) => r.alert)).toEqual(['Watchdog']);
    expect(panels.filter((p) => metricNames(asPromql(p.expr)).length === 0).map((p) => p.where)).toEqual([]);
    expect(metricNames('sum by (a) (rate(x_total[5m])) / on (a) y > 1 unless z')).toEqual(['x_total', 'y', 'z']);
    expect(() => metricNames('rate(x_total[5m]')).toThrow(/not PromQL/);
  });

  it('node_exporter v1.12.1 exports every node_* metric the rules read', async () => {
    const port = await freePort();
    const names = await scrape(tools!.nodeExporter, port, [`--web.listen-address=127.0.0.1:${port}`]);
    const wanted = byPrefix((n) => n.startsWith('node_'));
    expect(wanted.length).toBeGreaterThanOrEqual(8);
    expect(wanted.filter((n) => !names.has(n))).toEqual([]);
  });

  it('Alertmanager v0.34.0 exports every alertmanager_* metric the rules read', async () => {
    const dir = tempDir('monitor-stack-metrics-am-');
    writeFileSync(join(dir, 'alertmanager.yml'), 'route: {receiver: hook}\nreceivers:\n  - name: hook\n    webhook_configs: [{url: "http://127.0.0.1:9/x"}]\n');
    const port = await freePort();
    const names = await scrape(tools!.alertmanager, port, [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=']);
    const wanted = byPrefix((n) => n.startsWith('alertmanager_'));
    expect(wanted).toEqual(['alertmanager_alerts', 'alertmanager_config_last_reload_successful', 'alertmanager_notification_latency_seconds_bucket', 'alertmanager_notifications_failed_total', 'alertmanager_notifications_total', 'alertmanager_silences']);
    expect(wanted.filter((n) => !names.has(n))).toEqual([]);
  });

  it('Prometheus v3.14.0 exports every prometheus_* metric and up, with a rule group loaded and an Alertmanager to send to', async () => {
    const dir = tempDir('monitor-stack-metrics-prom-');
    const amPort = await freePort();
    const port = await freePort();
    writeFileSync(join(dir, 'rules.yml'), 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: vector(1)\n');
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global: {scrape_interval: 1s, evaluation_interval: 1s}\nrule_files: [rules.yml]\nalerting:\n  alertmanagers:\n    - static_configs: [{targets: ["127.0.0.1:${amPort}"]}]\nscrape_configs:\n  - job_name: prometheus\n    static_configs: [{targets: ["127.0.0.1:${port}"]}]\n`,
    );
    const wanted = byPrefix((n) => n.startsWith('prometheus_') || n === 'up');
    // Labelled counters appear once a child exists: wait for the rule group and the Alertmanager,
    const names = await scrape(
      tools!.prometheus,
      port,
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      // and for the first scrape: the appended-samples counter is created by the first append.
      (text) => text.includes('prometheus_rule_evaluation_failures_total{') && text.includes('prometheus_notifications_errors_total{') && text.includes('prometheus_tsdb_head_samples_appended_total{'),
    );
    // `up` is no exported metric: Prometheus writes it for each target it scrapes (here, itself).
    const until = Date.now() + 30_000;
    let up: unknown[] = [];
    while (!up.length && Date.now() < until) {
      const res = (await (await fetch(`http://127.0.0.1:${port}/api/v1/query?query=up`)).json()) as { data: { result: unknown[] } };
      up = res.data.result;
      if (!up.length) await new Promise((r) => setTimeout(r, 300));
    }
    if (up.length) names.add('up');
    expect(wanted).toContain('up');
    expect(wanted.filter((n) => !names.has(n))).toEqual([]);
  });

  it('what this tier does not check against a running program is exactly the kube-state-metrics, kubelet and cAdvisor metrics', () => {
    const checked = (n: string) => n.startsWith('node_') || n.startsWith('alertmanager_') || n.startsWith('prometheus_') || n === 'up';
    const unchecked = byPrefix((n) => !checked(n));
    expect(unchecked.filter((n) => !n.startsWith('kube_') && !n.startsWith('kubelet_') && !n.startsWith('container_'))).toEqual([]);
    expect(unchecked.filter((n) => n.startsWith('kubelet_'))).toEqual(['kubelet_volume_stats_available_bytes', 'kubelet_volume_stats_capacity_bytes', 'kubelet_volume_stats_used_bytes']);
    expect(unchecked.filter((n) => n.startsWith('container_'))).toEqual(['container_cpu_usage_seconds_total', 'container_memory_working_set_bytes']);
  });
});
