/**
 * Dashboards as the real grafana 12.11.1 chart renders them (real helm 4 templating
 * upstream-charts/packages/grafana-12.11.1.tgz with the overlay the built CLI renders): each source
 * becomes a ConfigMap mounted where its provider reads, the providers file is mounted where Grafana
 * provisions from, grafana.com ids become the download-dashboards init container's script, and what
 * the release stores stays far under the 1 MiB a release Secret may hold.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, inject, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { ROOT, runCli, tempDir } from '../support/run.js';

const tools = inject('tools');
const skip = inject('toolsSkip');
if (skip) describe.skip(skip, () => it('skipped', () => {}));

const GRAFANA_PACKAGE = join(ROOT, 'upstream-charts', 'packages', 'grafana-12.11.1.tgz');

type K8sObject = { kind?: string; metadata?: { name?: string }; data?: Record<string, string>; spec?: any } | null;

async function renderGrafana(env: Record<string, unknown>, files: Record<string, string> = {}) {
  const dir = tempDir('monitor-stack-tools-grafana-');
  writeFileSync(join(dir, 'monitor-stack.yaml'), stringify({ environments: { test: env } }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const r = await runCli(['render', '--env', 'test', '--out', 'out'], { cwd: dir });
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  const valuesPath = join(dir, 'out', 'test', 'grafana.values.yaml');
  const manifest = execFileSync(tools!.helm, ['template', 'grafana', GRAFANA_PACKAGE, '--namespace', 'monitoring', '--values', valuesPath], {
    encoding: 'utf8',
    env: { ...process.env, HELM_CONFIG_HOME: join(dir, 'helm'), HELM_CACHE_HOME: join(dir, 'helm'), HELM_DATA_HOME: join(dir, 'helm') },
  });
  const objects = parseAllDocuments(manifest).map((d) => d.toJS() as K8sObject);
  const get = (kind: string, name: string) => {
    const o = objects.find((x) => x?.kind === kind && x.metadata?.name === name);
    if (!o) throw new Error(`the chart rendered no ${kind} ${name}`);
    return o;
  };
  return { manifest, values: readFileSync(valuesPath, 'utf8'), get, objects };
}

const EXPORTED = JSON.stringify({
  __inputs: [{ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }],
  id: 3,
  uid: 'shop',
  title: 'Shop',
  panels: [{ id: 1, type: 'timeseries', title: 'Errors', datasource: { type: 'prometheus', uid: '${DS_PROMETHEUS}' }, targets: [{ refId: 'A', expr: 'sum(rate(http_requests_total{code=~"5.."}[5m]))' }] }],
});

describe.runIf(tools)('dashboards through the real grafana chart', () => {
  it('the defaults, a folder and a grafana.com id: each a provider whose path holds its dashboards', async () => {
    const { get } = await renderGrafana(
      { preset: 'standard', components: { promtail: false }, grafana: { dashboards: { folder: 'dashboards', grafanaCom: [{ name: 'node-exporter-full', id: 1860, revision: 41 }] } } },
      { 'dashboards/shop.json': EXPORTED },
    );
    const config = get('ConfigMap', 'grafana').data!;
    const providers = (parse(config['dashboardproviders.yaml']!) as { providers: { name: string; folder: string; options: { path: string } }[] }).providers;
    expect(providers.map((p) => [p.name, p.folder, p.options.path])).toEqual([
      ['monitor-stack', 'monitor-stack', '/var/lib/grafana/dashboards/monitor-stack'],
      ['files', '', '/var/lib/grafana/dashboards/files'],
      ['grafana-com', '', '/var/lib/grafana/dashboards/grafana-com'],
    ]);

    const defaults = get('ConfigMap', 'grafana-dashboards-monitor-stack').data!;
    expect(Object.keys(defaults).sort()).toEqual(['alertmanager.json', 'kubernetes.json', 'logs.json', 'nodes.json', 'prometheus.json']);
    const nodes = JSON.parse(defaults['nodes.json']!) as { uid: string; panels: { datasource: { uid: string } }[] };
    expect(nodes.uid).toBe('monitor-stack-nodes');
    expect(new Set(nodes.panels.map((p) => p.datasource.uid))).toEqual(new Set(['prometheus']));
    // Grafana's own {{label}} legend syntax survives the chart: it does not template dashboard JSON.
    expect(defaults['nodes.json']).toContain('"legendFormat": "{{instance}}"');

    const shop = JSON.parse(get('ConfigMap', 'grafana-dashboards-files').data!['shop.json']!) as Record<string, any>;
    expect(shop.panels[0].datasource).toEqual({ type: 'prometheus', uid: 'prometheus' });
    expect(shop).not.toHaveProperty('__inputs');

    const pod = get('Deployment', 'grafana').spec.template.spec;
    const grafana = pod.containers.find((c: { name: string }) => c.name === 'grafana');
    const mounts = grafana.volumeMounts.map((m: { name: string; mountPath: string; subPath?: string }) => [m.name, m.mountPath, m.subPath ?? null]);
    expect(mounts).toEqual(
      expect.arrayContaining([
        ['dashboards-monitor-stack', '/var/lib/grafana/dashboards/monitor-stack/nodes.json', 'nodes.json'],
        ['dashboards-monitor-stack', '/var/lib/grafana/dashboards/monitor-stack/logs.json', 'logs.json'],
        ['dashboards-files', '/var/lib/grafana/dashboards/files/shop.json', 'shop.json'],
        ['config', '/etc/grafana/provisioning/dashboards/dashboardproviders.yaml', 'dashboardproviders.yaml'],
      ]),
    );
    const volumes = Object.fromEntries(pod.volumes.filter((v: { configMap?: unknown }) => v.configMap).map((v: { name: string; configMap: { name: string } }) => [v.name, v.configMap.name]));
    expect(volumes).toMatchObject({ 'dashboards-monitor-stack': 'grafana-dashboards-monitor-stack', 'dashboards-files': 'grafana-dashboards-files' });

    // grafana.com: fetched at start by the init container, the shared-export input bound to our UID.
    expect(pod.initContainers.map((c: { name: string }) => c.name)).toContain('download-dashboards');
    const script = config['download_dashboards.sh']!;
    expect(script).toContain('"https://grafana.com/api/dashboards/1860/revisions/41/download"');
    expect(script).toContain("sed -E '/-- .* --/! s/\\$\\{?DS_PROMETHEUS\\}?/prometheus/g'");
    expect(script).toContain('> "/var/lib/grafana/dashboards/grafana-com/node-exporter-full.json"');
  });

  it('what the default dashboards add to the release, measured: stored gzipped, far under the 1 MiB of a release Secret', async () => {
    const without = await renderGrafana({ preset: 'standard', components: { promtail: false }, grafana: { dashboards: { defaults: false } } });
    const withDefaults = await renderGrafana({ preset: 'standard', components: { promtail: false } });
    expect(without.objects.some((o) => o?.metadata?.name === 'grafana-dashboards-monitor-stack')).toBe(false);
    // helm stores the manifest and the values in the release, gzipped (then base64 in a Secret).
    const stored = (r: { manifest: string; values: string }) => gzipSync(r.manifest + r.values).length;
    const raw = (r: { manifest: string; values: string }) => Buffer.byteLength(r.manifest + r.values);
    const added = stored(withDefaults) - stored(without);
    process.stdout.write(`default dashboards: manifest+values ${raw(without)} → ${raw(withDefaults)} bytes raw, ${stored(without)} → ${stored(withDefaults)} bytes gzipped (+${added})\n`);
    expect(added).toBeGreaterThan(0);
    expect(stored(withDefaults)).toBeLessThan(256 * 1024);
  });
});
