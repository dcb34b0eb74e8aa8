/** charts.<chart>.values: merged last over the overlay, keys checked against the pinned chart, managed keys refused. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/index.js';
import { readPresets } from '../../src/config/load.js';
import { resolveSettings } from '../../src/config/merge.js';
import type { ConfigFile } from '../../src/config/schema.js';
import { UsageError } from '../../src/errors.js';
import { chartValuesProblems, managingSetting, MANAGED_VALUES, splitPath } from '../../src/overlays/passthrough.js';
import { planReleases } from '../../src/plan.js';
import { loadUpstream } from '../../src/upstream.js';
import { checkPath } from '../support/upstream.js';

const presets = readPresets();
const resolve = (file: ConfigFile) => resolveSettings({ file, fileName: 'f.yaml', environment: 'e', presets });
const problems = (file: ConfigFile) => chartValuesProblems(resolve(file), ['prometheus', 'grafana', 'promtail'], loadUpstream);
const values = (file: ConfigFile, id: string) => planReleases(resolve(file)).find((p) => p.id === id)!.values as Record<string, any>;

describe('merge', () => {
  it('values merge last over the overlay: maps key by key, lists replace, null stays for helm to drop a default', () => {
    const file: ConfigFile = {
      charts: { prometheus: { values: { server: { nodeSelector: { pool: 'base' }, tolerations: [{ key: 'a', operator: 'Exists' }] } } } },
      environments: { e: { charts: { prometheus: { values: { server: { nodeSelector: { disk: 'ssd' }, priorityClassName: null } } } } } },
    };
    const server = values(file, 'prometheus').server;
    expect(server.nodeSelector).toEqual({ pool: 'base', disk: 'ssd' });
    expect(server.tolerations).toEqual([{ key: 'a', operator: 'Exists' }]);
    expect(server.priorityClassName).toBeNull();
    // the overlay's own keys beside them are kept
    expect(server.retention).toBe('15d');
    expect(problems(file)).toEqual([]);
  });

  it('a subchart value and a value of a key the overlay sets without a setting pass', () => {
    const file: ConfigFile = {
      environments: {
        e: {
          charts: {
            prometheus: { values: { 'kube-state-metrics': { collectors: ['pods', 'nodes'] }, alertmanager: { podAnnotations: { team: 'sre' } } } },
            grafana: { values: { 'grafana.ini': { users: { default_theme: 'light' } } } },
          },
        },
      },
    };
    expect(problems(file)).toEqual([]);
    const p = values(file, 'prometheus');
    expect(p['kube-state-metrics']).toMatchObject({ enabled: true, collectors: ['pods', 'nodes'] });
    // merged with the scrape annotations the overlay sets
    expect(p.alertmanager.podAnnotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9093', team: 'sre' });
    expect(values(file, 'grafana')['grafana.ini']).toEqual({ users: { default_theme: 'light' } });
  });

  it('changes the settings hash in the overlay header, so a values change is a visible change', () => {
    const a = planReleases(resolve({ environments: { e: {} } }))[0]!.overlay;
    const b = planReleases(resolve({ environments: { e: { charts: { prometheus: { values: { server: { priorityClassName: 'high' } } } } } } }))[0]!.overlay;
    expect(a.split('\n')[1]).not.toBe(b.split('\n')[1]);
    expect(b).toContain('priorityClassName: high');
  });
});

describe('unknown keys', () => {
  it('names the path and the closest known key, in the chart and under a subchart', () => {
    expect(problems({ environments: { e: { charts: { prometheus: { values: { server: { nodeSelecter: { a: 'b' } } } } } } } })).toEqual([
      'charts.prometheus.values: prometheus-29.27.0 has no key server.nodeSelecter; the closest key is server.nodeSelector.',
    ]);
    expect(problems({ environments: { e: { charts: { prometheus: { values: { 'kube-state-metrics': { colectors: ['pods'] } } } } } } })).toEqual([
      'charts.prometheus.values: subchart kube-state-metrics: kube-state-metrics-8.4.0 has no key colectors; the closest key is collectors.',
    ]);
    expect(problems({ environments: { e: { charts: { grafana: { values: { sidecarr: {} } } } } } })).toEqual([
      'charts.grafana.values: grafana-12.11.1 has no key sidecarr; the closest key is sidecar.',
    ]);
  });

  it('refuses a wrong shape: a string or a map where the chart has a list', () => {
    expect(problems({ environments: { e: { charts: { promtail: { values: { tolerations: 'all' } } } } } })).toEqual([
      'charts.promtail.values: tolerations is a list in promtail-6.17.1, given a string.',
    ]);
    expect(problems({ environments: { e: { charts: { prometheus: { values: { server: { tolerations: { key: 'a' } } } } } } } })).toEqual([
      'charts.prometheus.values: server.tolerations is a list in prometheus-29.27.0, given a map.',
    ]);
  });

  it('a chart version without known defaults is checked for managed keys only', () => {
    const file: ConfigFile = { environments: { e: { charts: { grafana: { version: '12.12.0', values: { anything: 1, adminPassword: 'x' } } } } } };
    expect(problems(file)).toEqual([
      'charts.grafana.values.adminPassword: monitor-stack sets this from grafana.adminSecret (an existing Secret, or one monitor-stack generates); set that instead.',
    ]);
    expect(planReleases(resolve(file)).find((p) => p.id === 'grafana')!.versionNote).toMatch(/charts.grafana.values keys were not checked either/);
  });

  it('a disabled chart is not checked', () => {
    expect(chartValuesProblems(resolve({ environments: { e: { charts: { promtail: { values: { nope: 1 } } } } } }), ['prometheus', 'grafana'], loadUpstream)).toEqual([]);
  });
});

describe('managed keys', () => {
  it('a key a setting manages is refused naming the setting: at, under or above the managed path', () => {
    expect(managingSetting('prometheus', ['server', 'persistentVolume', 'storageClass'])).toBe('storageClass');
    expect(managingSetting('prometheus', ['server', 'ingress', 'hosts'])).toMatch(/^ingress.hosts.prometheus/);
    expect(managingSetting('prometheus', ['server'])).toBe('prometheus.replicas');
    expect(managingSetting('prometheus', ['serverFiles', 'alerting_rules.yml'])).toMatch(/^alerts/);
    expect(managingSetting('prometheus', ['serverFiles', 'recording_rules.yml'])).toBeUndefined();
    expect(managingSetting('prometheus', ['server', 'persistentVolume', 'accessModes'])).toBeUndefined();
    expect(managingSetting('grafana', ['datasources', 'datasources.yaml'])).toMatch(/^loki.url/);
    expect(problems({ environments: { e: { charts: { prometheus: { values: { alertmanager: { config: { receivers: [] } } } } } } } })).toEqual([
      'charts.prometheus.values.alertmanager.config.receivers: monitor-stack sets this from alertmanager.receivers, alertmanager.route and alertmanager.routes; set that instead.',
    ]);
    expect(problems({ environments: { e: { charts: { promtail: { values: { config: { clients: [{ url: 'http://x' }] } } } } } } })).toEqual([
      'charts.promtail.values.config.clients: monitor-stack sets this from loki.url; set that instead.',
    ]);
  });

  it('every managed path exists in its pinned chart (or subchart), so the table cannot name a key no chart has', () => {
    const subs: Record<string, string> = { alertmanager: '1.42.0', 'kube-state-metrics': '8.4.0', 'prometheus-node-exporter': '4.56.1', 'prometheus-pushgateway': '3.8.0' };
    const charts = { prometheus: '29.27.0', grafana: '12.11.1', promtail: '6.17.1' } as const;
    for (const [id, entries] of Object.entries(MANAGED_VALUES) as [keyof typeof charts, [string, string][]][]) {
      for (const [path] of entries) {
        const parts = splitPath(path);
        const parent = checkPath(loadUpstream(id, charts[id])!, parts, null);
        const sub = subs[parts[0]!] ? checkPath(loadUpstream(parts[0]!, subs[parts[0]!]!)!, parts.slice(1), null) : parent;
        expect(parent && sub, `${id}: ${path}`).toBeFalsy();
      }
    }
  });
});

describe('loadSettings', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('refuses bad values with one UsageError listing each, naming the file and environment', () => {
    dir = mkdtempSync(join(tmpdir(), 'ms-values-'));
    const config = join(dir, 'monitor-stack.yaml');
    writeFileSync(config, 'environments:\n  prod:\n    charts:\n      grafana:\n        values: {adminUser: root, sidecarr: {}}\n');
    let err: unknown;
    try {
      loadSettings(config, 'prod', { values: {}, given: new Set() });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    const e = err as UsageError;
    expect(e.message).toBe(`${config} (environment prod): chart values that cannot be passed:`);
    expect(e.hints).toEqual([
      '- charts.grafana.values.adminUser: monitor-stack sets this from grafana.adminSecret (an existing Secret, or one monitor-stack generates); set that instead.',
      '- charts.grafana.values: grafana-12.11.1 has no key sidecarr; the closest key is sidecar.',
    ]);
  });
});
