/** The tuning settings: scrape and evaluation intervals, external labels, retention size, kube-state-metrics lists, resources, plugins. */
import { describe, expect, it } from 'vitest';
import { readPresets } from '../../src/config/load.js';
import { checkSettings, resolveSettings } from '../../src/config/merge.js';
import type { ConfigFile } from '../../src/config/schema.js';
import { durationMs, prometheusGlobal } from '../../src/overlays/prometheus.js';
import { planReleases } from '../../src/plan.js';
import { checkCpu, checkGrafanaPlugin, checkLabelName, checkMemory, checkPrometheusSize } from '../../src/validate.js';

const presets = readPresets();
const resolve = (env: ConfigFile['environments'] extends Record<string, infer L> | undefined ? L : never, environment = 'prod') =>
  resolveSettings({ file: { environments: { [environment]: env } }, fileName: 'f.yaml', environment, presets });
const values = (env: Parameters<typeof resolve>[0], id: string) => planReleases(resolve(env)).find((p) => p.id === id)!.values as Record<string, any>;

describe('server.global', () => {
  it('durations in milliseconds', () => {
    expect(durationMs('1m30s')).toBe(90_000);
    expect(durationMs('250ms')).toBe(250);
    expect(durationMs('1w1d')).toBe(8 * 86_400_000);
    expect(durationMs('1y')).toBe(365 * 86_400_000);
    expect(durationMs('2h')).toBe(7_200_000);
  });

  it('the scrape timeout is the chart\'s 10s unless the interval is shorter, which Prometheus would refuse', () => {
    const timeout = (scrapeInterval: string) => prometheusGlobal(resolve({ prometheus: { scrapeInterval } })).scrape_timeout;
    expect(timeout('1m')).toBe('10s');
    expect(timeout('10s')).toBe('10s');
    expect(timeout('9s')).toBe('9s');
    expect(timeout('9999ms')).toBe('9999ms');
    expect(timeout('1m30s')).toBe('10s');
  });

  it('external labels: cluster is the environment name, overridable and removable; others are added', () => {
    expect(prometheusGlobal(resolve({})).external_labels).toEqual({ cluster: 'prod' });
    expect(prometheusGlobal(resolve({ prometheus: { externalLabels: { cluster: 'eu-1', region: 'eu' } } })).external_labels).toEqual({ cluster: 'eu-1', region: 'eu' });
    expect(prometheusGlobal(resolve({ prometheus: { externalLabels: { cluster: null } } }))).not.toHaveProperty('external_labels');
    expect(prometheusGlobal(resolve({ prometheus: { evaluationInterval: '15s' } }))).toEqual({
      scrape_interval: '1m',
      scrape_timeout: '10s',
      evaluation_interval: '15s',
      external_labels: { cluster: 'prod' },
    });
  });

  it('retentionSize is rendered only when set', () => {
    expect(values({}, 'prometheus').server).not.toHaveProperty('retentionSize');
    expect(values({ prometheus: { retentionSize: '45GB' } }, 'prometheus').server.retentionSize).toBe('45GB');
  });
});

describe('kube-state-metrics', () => {
  it('namespaces as the comma-separated string the chart takes; lists only when set; nothing when it is off', () => {
    expect(values({ kubeStateMetrics: { namespaces: ['a', 'b'], metricAllowlist: ['kube_pod_.*'] } }, 'prometheus')['kube-state-metrics']).toMatchObject({ enabled: true, namespaces: 'a,b', metricAllowlist: ['kube_pod_.*'] });
    const plain = values({}, 'prometheus')['kube-state-metrics'];
    expect(plain).not.toHaveProperty('namespaces');
    expect(plain).not.toHaveProperty('metricAllowlist');
    expect(plain).not.toHaveProperty('metricDenylist');
    expect(values({ components: { kubeStateMetrics: false }, kubeStateMetrics: { namespaces: ['a'] } }, 'prometheus')['kube-state-metrics']).toEqual({ enabled: false });
  });

  it('an allowlist and a denylist together are refused', () => {
    expect(() => resolve({ kubeStateMetrics: { metricAllowlist: ['a'], metricDenylist: ['b'] } })).toThrow(/metricAllowlist and kubeStateMetrics.metricDenylist are both set/);
  });
});

describe('resources', () => {
  it('each preset sizes every component, and a layer changes one field keeping the others', () => {
    for (const preset of ['minimal', 'standard', 'ha'] as const) {
      const s = resolve({ preset });
      for (const [component, r] of Object.entries(s.resources)) {
        expect(r.requests.cpu, `${preset} ${component}`).toBeTruthy();
        expect(r.requests.memory, `${preset} ${component}`).toBeTruthy();
        expect(r.limits.memory, `${preset} ${component}`).toBeTruthy();
        expect(r.limits.cpu, `${preset} ${component}: no CPU limit`).toBeNull();
      }
    }
    const server = values({ resources: { prometheus: { limits: { memory: '12Gi' }, requests: { cpu: null } } } }, 'prometheus').server;
    expect(server.resources).toEqual({ requests: { memory: '2Gi' }, limits: { memory: '12Gi' } });
  });

  it('lands under each chart\'s own key', () => {
    const p = values({ preset: 'ha' }, 'prometheus');
    expect(p.server.resources.requests).toEqual({ cpu: '500m', memory: '4Gi' });
    expect(p.alertmanager.resources.limits).toEqual({ memory: '512Mi' });
    expect(p['kube-state-metrics'].resources.requests.cpu).toBe('100m');
    expect(p['prometheus-node-exporter'].resources.requests.cpu).toBe('25m');
    expect(p['prometheus-pushgateway'].resources.limits.memory).toBe('128Mi');
    expect(values({ preset: 'ha' }, 'grafana').resources.requests.memory).toBe('256Mi');
    expect(values({ preset: 'ha' }, 'promtail').resources.limits.memory).toBe('512Mi');
  });

  it('a request over its limit is refused, comparing quantities by value', () => {
    const problems = (r: Record<string, unknown>) => checkSettings({ ...resolve({}), resources: { ...resolve({}).resources, grafana: r as never } });
    expect(problems({ requests: { cpu: null, memory: '1Gi' }, limits: { cpu: null, memory: '1024Mi' } })).toEqual([]);
    expect(problems({ requests: { cpu: null, memory: '1025Mi' }, limits: { cpu: null, memory: '1Gi' } })).toEqual([
      'resources.grafana: the memory request 1025Mi is more than the memory limit 1Gi; Kubernetes refuses such a pod.',
    ]);
    expect(problems({ requests: { cpu: '1.5', memory: null }, limits: { cpu: '1500m', memory: null } })).toEqual([]);
    expect(problems({ requests: { cpu: '2', memory: null }, limits: { cpu: '1500m', memory: null } })).toEqual([
      'resources.grafana: the cpu request 2 is more than the cpu limit 1500m; Kubernetes refuses such a pod.',
    ]);
  });
});

describe('grafana.plugins', () => {
  it('rendered as the chart\'s plugins list, only when set', () => {
    expect(values({}, 'grafana')).not.toHaveProperty('plugins');
    expect(values({ grafana: { plugins: ['grafana-clock-panel@2.1.8'] } }, 'grafana').plugins).toEqual(['grafana-clock-panel@2.1.8']);
  });
});

describe('validators', () => {
  it.each([
    ['250m', true], ['1', true], ['0.5', true], ['2.125', true], ['0', false], ['0m', false], ['1.2345', false], ['half', false], ['1Gi', false], ['-1', false],
  ])('cpu %j → %s', (v, ok) => expect(checkCpu(v) === undefined).toBe(ok));
  it.each([
    ['512Mi', true], ['2Gi', true], ['500M', true], ['1.5Gi', true], ['512', false], ['0Mi', false], ['2gi', false], ['1Pi', false],
  ])('memory %j → %s', (v, ok) => expect(checkMemory(v) === undefined).toBe(ok));
  it.each([
    ['45GB', true], ['500MB', true], ['1TB', true], ['512B', true], ['45Gi', false], ['45G', false], ['0GB', false], ['1.5GB', false],
  ])('retention size %j → %s', (v, ok) => expect(checkPrometheusSize(v) === undefined).toBe(ok));
  it.each([
    ['cluster', true], ['_a', true], ['Region2', true], ['__tenant', false], ['2a', false], ['my-region', false], ['', false],
  ])('label name %j → %s', (v, ok) => expect(checkLabelName(v) === undefined).toBe(ok));
  it.each([
    ['grafana-clock-panel', true], ['grafana-clock-panel@2.1.8', true], ['marcusolsson-json-datasource@1.3.24', true], ['clock', false], ['grafana-clock-panel@2', false], ['Grafana-Clock', false],
    ['https://example.com/p.zip', false], ['grafana-clock-panel@2.1.8@https://x', false],
  ])('plugin %j → %s', (v, ok) => expect(checkGrafanaPlugin(v) === undefined).toBe(ok));
});
