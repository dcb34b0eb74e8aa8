/** Dashboards: the default set, the team's folder, grafana.com ids, as chart grafana 12.11.1 values. */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/index.js';
import { DEFAULT_DASHBOARDS, dashboardJson, defaultDashboards } from '../../src/dashboards/defaults.js';
import { checkDashboard, readDashboardFolder } from '../../src/dashboards/files.js';
import { UsageError } from '../../src/errors.js';
import { renderGrafanaValues } from '../../src/overlays/grafana.js';
import { NO_FLAGS, scenarioSettings } from '../support/scenarios.js';
import { tempDir } from '../support/run.js';

/** Grafana's variables replaced by what they stand for, so the Prometheus grammar can judge the query. */
const asPromql = (expr: string) => expr.replaceAll('$__rate_interval', '5m').replace(/\$(\w+)/g, 'x');
const promqlError = (expr: string) => {
  let bad = false;
  parser.parse(expr).iterate({ enter: (n) => void (n.type.isError && (bad = true)) });
  return bad;
};

type Panel = { id: number; type: string; datasource: { uid: string }; gridPos: { x: number; y: number; w: number; h: number }; targets: { expr: string; datasource: { uid: string } }[] };
type Dashboard = { uid: string; title: string; panels: Panel[]; templating: { list: { datasource: { uid: string }; definition: string }[] } };

describe('the default dashboards', () => {
  const all = DEFAULT_DASHBOARDS.map((d) => dashboardJson(d) as unknown as Dashboard);

  it('are nodes, Kubernetes, Prometheus, Alertmanager and logs, with unique uids Grafana accepts', () => {
    expect(all.map((d) => [d.uid, d.title])).toEqual([
      ['monitor-stack-nodes', 'Nodes'],
      ['monitor-stack-kubernetes', 'Kubernetes: namespaces and pods'],
      ['monitor-stack-prometheus', 'Prometheus'],
      ['monitor-stack-alertmanager', 'Alertmanager'],
      ['monitor-stack-logs', 'Logs'],
    ]);
    for (const d of all) expect(d.uid).toMatch(/^[a-z0-9-]{1,40}$/);
  });

  it('every Prometheus query and variable is PromQL by the Prometheus grammar, and the check can fail', () => {
    const prom = all.filter((d) => d.uid !== 'monitor-stack-logs');
    const queries = prom.flatMap((d) => [...d.panels.flatMap((p) => p.targets.map((t) => t.expr)), ...d.templating.list.map((v) => v.definition.replace(/^label_values\((.*), \w+\)$/, '$1'))]);
    expect(queries.length).toBeGreaterThan(25);
    expect(queries.filter((q) => promqlError(asPromql(q)))).toEqual([]);
    expect(promqlError(asPromql('rate(x[$__rate_interval]'))).toBe(true);
  });

  it('bind every panel, target and variable to a datasource UID the grafana overlay provisions', () => {
    const values = renderGrafanaValues(scenarioSettings('standard-ingress')) as { datasources: { 'datasources.yaml': { datasources: { uid: string }[] } } };
    const provisioned = values.datasources['datasources.yaml'].datasources.map((d) => d.uid).sort();
    expect(provisioned).toEqual(['loki', 'prometheus']);
    const used = new Set(all.flatMap((d) => [...d.panels.flatMap((p) => [p.datasource.uid, ...p.targets.map((t) => t.datasource.uid)]), ...d.templating.list.map((v) => v.datasource.uid)]));
    expect([...used].sort()).toEqual(provisioned);
  });

  it('lay panels out without overlap, within 24 columns, ids unique per dashboard', () => {
    for (const d of all) {
      expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
      const cells = new Set<string>();
      for (const p of d.panels) {
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
        for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++)
          for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
            expect(cells.has(`${x},${y}`), `${d.uid}: ${p.id} overlaps`).toBe(false);
            cells.add(`${x},${y}`);
          }
      }
    }
  });

  it('leave out what cannot show data: an exporter off, logs without Loki, or defaults: false', () => {
    const s = scenarioSettings('standard-ingress');
    expect(defaultDashboards(s).map((d) => d.uid)).toEqual(DEFAULT_DASHBOARDS.map((d) => d.uid));
    s.components = { ...s.components, nodeExporter: false, alertmanager: false };
    s.loki = { url: null };
    expect(defaultDashboards(s).map((d) => d.uid)).toEqual(['monitor-stack-kubernetes', 'monitor-stack-prometheus']);
    s.grafana.dashboards = { ...s.grafana.dashboards, defaults: false };
    expect(defaultDashboards(s)).toEqual([]);
    expect(renderGrafanaValues(s)).not.toHaveProperty('dashboards');
    expect(renderGrafanaValues(s)).not.toHaveProperty('dashboardProviders');
  });
});

describe('grafana overlay: dashboards', () => {
  it('one file provider per source at the path the chart mounts dashboards.<provider> at', () => {
    const s = scenarioSettings('standard-ingress');
    s.dashboardFiles = [{ name: 'shop', json: '{"title": "Shop"}' }];
    s.grafana.dashboards = { defaults: true, folder: 'dashboards', grafanaCom: [{ name: 'node-exporter-full', id: 1860, revision: 41 }] };
    const v = renderGrafanaValues(s) as { dashboardProviders: { 'dashboardproviders.yaml': { providers: { name: string; folder: string; options: { path: string } }[] } }; dashboards: Record<string, Record<string, Record<string, unknown>>> };
    expect(v.dashboardProviders['dashboardproviders.yaml'].providers.map((p) => [p.name, p.folder, p.options.path])).toEqual([
      ['monitor-stack', 'monitor-stack', '/var/lib/grafana/dashboards/monitor-stack'],
      ['files', '', '/var/lib/grafana/dashboards/files'],
      ['grafana-com', '', '/var/lib/grafana/dashboards/grafana-com'],
    ]);
    expect(Object.keys(v.dashboards['monitor-stack']!)).toEqual(['nodes', 'kubernetes', 'prometheus', 'alertmanager', 'logs']);
    expect(JSON.parse(v.dashboards['monitor-stack']!.nodes!.json as string).uid).toBe('monitor-stack-nodes');
    expect(v.dashboards.files).toEqual({ shop: { json: '{"title": "Shop"}' } });
    expect(v.dashboards['grafana-com']).toEqual({ 'node-exporter-full': { gnetId: 1860, revision: 41, datasource: [{ name: 'DS_PROMETHEUS', value: 'prometheus' }, { name: 'DS_LOKI', value: 'loki' }] } });
  });
});

const EXPORTED = JSON.stringify(
  {
    __inputs: [
      { name: 'DS_PROM', label: 'Prometheus', type: 'datasource', pluginId: 'prometheus' },
      { name: 'VAR_X', type: 'constant', value: 'x' },
    ],
    __requires: [{ type: 'grafana', id: 'grafana', version: '12.0.0' }],
    id: 17,
    uid: 'shop',
    title: 'Shop',
    panels: [{ type: 'timeseries', datasource: { type: 'prometheus', uid: '${DS_PROM}' }, targets: [{ expr: 'up', datasource: { uid: '${DS_PROM}' } }] }],
  },
  null,
  2,
);

describe('dashboard files', () => {
  it('an exported dashboard is bound to the provisioned datasource; its inputs and id are dropped', () => {
    const r = checkDashboard(EXPORTED, 'd/shop.json', { loki: false });
    expect(r.problems).toEqual([]);
    const d = JSON.parse(r.json!);
    expect(d).not.toHaveProperty('__inputs');
    expect(d).not.toHaveProperty('id');
    expect(d.panels[0].datasource).toEqual({ type: 'prometheus', uid: 'prometheus' });
    expect(d.panels[0].targets[0].datasource).toEqual({ uid: 'prometheus' });
    expect(r.uid).toBe('shop');
  });

  it('each problem names the file (and the line of a JSON error)', () => {
    expect(checkDashboard('{\n  "title": "x",\n  "panels": [1,\n 2 3]\n}', 'd/a.json', { loki: false }).problems).toEqual(["d/a.json:4: not JSON: Expected ',' or ']' after array element"]);
    expect(checkDashboard('{"a":}', 'd/a.json', { loki: false }).problems).toEqual(["d/a.json: not JSON: Unexpected token '}'"]);
    expect(checkDashboard('[1]', 'd/a.json', { loki: false }).problems).toEqual(['d/a.json: must be a dashboard (a JSON object with a title and panels)']);
    expect(checkDashboard('{"dashboard": {"title": "x"}, "meta": {}}', 'd/a.json', { loki: false }).problems[0]).toMatch(/HTTP API's wrapper/);
    expect(checkDashboard('{"panels": {}, "uid": "monitor-stack-nodes"}', 'd/a.json', { loki: false }).problems).toEqual([
      'd/a.json: needs a "title" (a string)',
      'd/a.json: "panels" must be a list',
      'd/a.json: uid "monitor-stack-nodes": uids starting "monitor-stack-" are the default dashboards\'; choose another',
    ]);
    expect(checkDashboard(JSON.stringify({ title: 'x', uid: 'a'.repeat(41) }), 'd/a.json', { loki: false }).problems[0]).toMatch(/1 to 40 letters/);
    const loki = JSON.stringify({ title: 'x', __inputs: [{ name: 'DS_LOKI', type: 'datasource', pluginId: 'loki' }] });
    expect(checkDashboard(loki, 'd/a.json', { loki: false }).problems).toEqual(['d/a.json: input DS_LOKI needs a loki datasource; monitor-stack provisions Prometheus (and Loki when loki.url is set)']);
    expect(checkDashboard(loki, 'd/a.json', { loki: true }).problems).toEqual([]);
    const elastic = JSON.stringify({ title: 'x', __inputs: [{ name: 'DS_ES', type: 'datasource', pluginId: 'elasticsearch' }] });
    expect(checkDashboard(elastic, 'd/a.json', { loki: true }).problems[0]).toMatch(/input DS_ES needs a elasticsearch datasource/);
  });

  it('a folder: its .json files in name order; a missing or empty folder, a uid used twice, a bad file name or too much in total is refused', () => {
    const dir = tempDir('ms-dash-');
    mkdirSync(join(dir, 'd', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'd', 'b.json'), EXPORTED);
    writeFileSync(join(dir, 'd', 'a.json'), JSON.stringify({ title: 'A', uid: 'a' }));
    writeFileSync(join(dir, 'd', 'notes.txt'), 'not a dashboard');
    writeFileSync(join(dir, 'd', 'sub', 'c.json'), 'ignored: not read');
    expect(readDashboardFolder('d', dir, { loki: false }).map((f) => f.name)).toEqual(['a', 'b']);
    expect(() => readDashboardFolder('none', dir, { loki: false })).toThrow(/grafana\.dashboards\.folder: none does not exist\./);
    mkdirSync(join(dir, 'empty'));
    expect(() => readDashboardFolder('empty', dir, { loki: false })).toThrow(/empty holds no \.json file/);
    mkdirSync(join(dir, 'linked'));
    symlinkSync(join(dir, 'nowhere.json'), join(dir, 'linked', 'gone.json'));
    expect(() => readDashboardFolder('linked', dir, { loki: false })).toThrow(/grafana\.dashboards\.folder: linked\/gone\.json does not exist/);
    writeFileSync(join(dir, 'd', 'c.json'), JSON.stringify({ title: 'C', uid: 'a' }));
    writeFileSync(join(dir, 'd', 'bad name.json'), JSON.stringify({ title: 'C' }));
    const err = (() => {
      try {
        readDashboardFolder('d', dir, { loki: false });
      } catch (e) {
        return e as UsageError;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err!.message).toBe('grafana.dashboards.folder: 2 problems in the dashboard files:');
    expect(err!.hints).toEqual(['- d/bad name.json: the file name becomes a ConfigMap key; use letters, digits, -, _ and . only', '- d/c.json: uid "a" is also the uid of d/a.json; Grafana keeps one of them', 'Fix the files, then run again. Nothing was changed.']);
    mkdirSync(join(dir, 'big'));
    for (const n of [1, 2]) writeFileSync(join(dir, 'big', `${n}.json`), JSON.stringify({ title: 'x', description: 'y'.repeat(500 * 1024) }));
    expect(() => readDashboardFolder('big', dir, { loki: false })).toThrow(/the dashboards total 1001 KiB; they become one ConfigMap, and the API server refuses one over 1 MiB: keep them under 960 KiB/);
  });

  it('loadSettings reads the folder relative to the config, and not when Grafana is off', () => {
    const dir = tempDir('ms-dash-');
    mkdirSync(join(dir, 'boards'));
    writeFileSync(join(dir, 'boards', 'shop.json'), EXPORTED);
    writeFileSync(join(dir, 'monitor-stack.yaml'), 'grafana:\n  dashboards: {folder: boards}\nenvironments:\n  dev: {}\n  off: {components: {grafana: false}}\n');
    const s = loadSettings(join(dir, 'monitor-stack.yaml'), 'dev', NO_FLAGS);
    expect(s.dashboardFiles?.map((f) => f.name)).toEqual(['shop']);
    expect(loadSettings(join(dir, 'monitor-stack.yaml'), 'off', NO_FLAGS).dashboardFiles).toBeUndefined();
  });
});
