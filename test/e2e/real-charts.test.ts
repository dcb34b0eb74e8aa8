/**
 * The real upstream charts (prometheus 29.27.0 with its four subcharts, grafana 12.11.1, promtail
 * 6.17.1, from upstream-charts/packages) served as a chart repository on 127.0.0.1,
 * installed with each helm major, presets standard and ha. What only real templates show: the plan
 * of an installed stack is empty (deterministic rendering, no false drift from the API server's
 * defaults), and the switch of an installed standard stack to ha drops the server's PVC from the
 * release (helm keeps it, annotated resource-policy keep, but the StatefulSet would start empty),
 * which the plan refuses. Pods run on kwok's fake nodes and become Ready, so helm waits for real.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { isolatedEnv, oneRepositoryConfig, runCli } from '../support/run.js';

const e2e = inject('e2e');

/** A team rule file (alerts.ruleFiles) whose one alert fires above `threshold` errors a second. */
const SHOP_RULES = (threshold: number) => `groups:
  - name: shop
    rules:
      - alert: ShopErrors
        expr: sum(rate(http_requests_total{code=~"5.."}[5m])) > ${threshold}
        labels: {severity: warning}
`;
const skip = inject('realChartsSkip');
if (skip) describe.skip(skip, () => it('skipped', () => {}));

describe.runIf(e2e?.realRepoUrl).each(['helm3', 'helm4'] as const)('real charts, %s', (helmName) => {
  const env = e2e!;
  const h = helmName.replace('helm', 'h');
  let dir: string;
  let cliEnv: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, { cwd: dir, env: cliEnv });
  const helm = (...args: string[]) => execFileSync(env[helmName], args, { env: { ...process.env, ...cliEnv }, encoding: 'utf8' });
  const listed = (ns: string) => (JSON.parse(helm('list', '--namespace', ns, '--output', 'json')) as { name: string; revision: string; status: string; chart: string }[]).map((r) => [r.name, r.chart, r.status, r.revision]).sort();
  const names = (suffix: string) => ({ prometheus: { release: `prometheus-${suffix}` }, grafana: { release: `grafana-${suffix}` }, promtail: { release: `promtail-${suffix}` } });
  const namespaces = { standard: `real-${h}`, ha: `real-${h}-ha` };
  const RW_CANARY = `rw-canary-${h}-${Math.random().toString(36).slice(2)}`;
  const kubectl = (...args: string[]) => execFileSync(env.kubectl, args, { env: { ...process.env, ...cliEnv }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `monitor-stack-real-${h}-`));
    cliEnv = {
      ...isolatedEnv(dir, env.kubeconfig),
      MONITOR_STACK_HELM: env[helmName],
      SLACK_URL: 'https://hooks.example.invalid/real-charts',
      RW_PASSWORD: RW_CANARY,
    };
    writeFileSync(
      join(dir, 'monitor-stack.yaml'),
      oneRepositoryConfig(env.realRepoUrl!, {
        standard: {
          namespace: namespaces.standard,
          preset: 'standard',
          storageClass: 'standard',
          charts: names(h),
          ingress: { className: 'nginx', hosts: { grafana: `grafana.${h}.example.com`, prometheus: `prometheus.${h}.example.com`, alertmanager: `alertmanager.${h}.example.com` } },
          tls: { clusterIssuer: 'letsencrypt-staging' },
          alertmanager: { receivers: [{ name: 'slack', type: 'slack', webhookUrl: 'env:SLACK_URL', channel: '#alerts' }] },
        },
        ha: { namespace: namespaces.ha, preset: 'ha', charts: names(`ha-${h}`) },
      }),
    );
  });

  afterAll(() => {
    for (const ns of Object.values(namespaces)) for (const [name] of listed(ns)) helm('uninstall', name!, '--namespace', ns);
    kubectl('delete', 'secret', 'thanos-auth', `prometheus-${h}-remote-write`, '-n', namespaces.standard, '--ignore-not-found');
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['standard', 'ha'] as const)('preset %s installs, and then its plan is empty: nothing changed, nothing drifted', async (preset) => {
    const ns = namespaces[preset];
    const suffix = preset === 'ha' ? `ha-${h}` : h;
    const up = await cli('upgrade', '--env', preset, '--yes');
    expect(up.exitCode, up.stderr).toBe(0);
    expect(listed(ns)).toEqual([
      [`grafana-${suffix}`, 'grafana-12.11.1', 'deployed', '1'],
      [`prometheus-${suffix}`, 'prometheus-29.27.0', 'deployed', '1'],
      [`promtail-${suffix}`, 'promtail-6.17.1', 'deployed', '1'],
    ]);
    const diff = await cli('diff', '--env', preset, '-o', 'json', '--detailed-exitcode');
    expect(diff.exitCode, diff.stdout).toBe(0);
    const plan = JSON.parse(diff.stdout) as { changes: boolean; releases: { action: string; resources: unknown[]; drift: unknown[] }[]; risks: unknown[] };
    expect(plan.changes).toBe(false);
    expect(plan.releases.map((r) => [r.action, r.resources, r.drift])).toEqual([
      ['unchanged', [], []],
      ['unchanged', [], []],
      ['unchanged', [], []],
    ]);
    expect(plan.risks).toEqual([]);
    const again = await cli('upgrade', '--env', preset, '--yes');
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain('Nothing to change');
    expect(listed(ns).map((r) => r[3])).toEqual(['1', '1', '1']);
  });

  it('switching the installed standard stack to ha would leave the server PVC unused: refused, nothing changed', async () => {
    const diff = await cli('diff', '--env', 'standard', '--preset', 'ha', '-o', 'json');
    expect(diff.exitCode, diff.stderr).toBe(0);
    const plan = JSON.parse(diff.stdout) as { releases: { release: string; resources: { kind: string; name: string; change: string }[] }[]; risks: { rule: string; resource: string }[] };
    const prom = plan.releases.find((r) => r.release === `prometheus-${h}`)!;
    expect(prom.resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'StatefulSet', name: `prometheus-${h}-server`, change: 'added' }),
        expect.objectContaining({ kind: 'Deployment', name: `prometheus-${h}-server`, change: 'removed' }),
        expect.objectContaining({ kind: 'PersistentVolumeClaim', name: `prometheus-${h}-server`, change: 'removed' }),
      ]),
    );
    expect(plan.risks).toEqual([expect.objectContaining({ rule: 'volume-removed', resource: `PersistentVolumeClaim ${namespaces.standard}/prometheus-${h}-server` })]);
    const up = await cli('upgrade', '--env', 'standard', '--preset', 'ha', '--yes');
    expect(up.exitCode).toBe(2);
    expect(up.stderr).toContain('would leave the release: helm keeps it with its data (helm.sh/resource-policy: keep), but nothing would use it any more');
    expect(listed(namespaces.standard).map((r) => r[3])).toEqual(['1', '1', '1']);
  });

  it('a change to the alert rules: diff shows the server ConfigMap changed, and upgrade applies it in a revision of prometheus only', async () => {
    const file = join(dir, 'monitor-stack.yaml');
    const doc = parseDocument(readFileSync(file, 'utf8'));
    doc.setIn(['environments', 'standard', 'alerts'], doc.createNode({ disabled: ['KubeJobFailed'], severityOverrides: { TargetDown: 'critical' }, ruleFiles: ['rules/shop.yaml'] }));
    writeFileSync(file, doc.toString());
    mkdirSync(join(dir, 'rules'), { recursive: true });
    writeFileSync(join(dir, 'rules', 'shop.yaml'), SHOP_RULES(1));
    const diff = await cli('diff', '--env', 'standard', '-o', 'json', '--detailed-exitcode');
    expect(diff.exitCode, diff.stderr).toBe(2);
    const plan = JSON.parse(diff.stdout) as { releases: { release: string; action: string; resources: { kind: string; name: string; change: string }[] }[] };
    expect(plan.releases.map((r) => [r.release, r.action]).sort()).toEqual([
      [`grafana-${h}`, 'unchanged'],
      [`prometheus-${h}`, 'upgrade'],
      [`promtail-${h}`, 'unchanged'],
    ]);
    const server = plan.releases.find((r) => r.release === `prometheus-${h}`)!.resources;
    expect(server.map((r) => [r.kind, r.name, r.change])).toContainEqual(['ConfigMap', `prometheus-${h}-server`, 'changed']);
    expect(JSON.stringify(server)).toContain('alerting_rules.yml');
    const up = await cli('upgrade', '--env', 'standard', '--yes');
    expect(up.exitCode, up.stderr).toBe(0);
    expect(listed(namespaces.standard).map((r) => [r[0], r[3]])).toEqual([
      [`grafana-${h}`, '1'],
      [`prometheus-${h}`, '2'],
      [`promtail-${h}`, '1'],
    ]);
    const live = JSON.parse(execFileSync(env.kubectl, ['get', 'configmap', `prometheus-${h}-server`, '--namespace', namespaces.standard, '-o', 'json'], { env: { ...process.env, ...cliEnv }, encoding: 'utf8' })) as { data: Record<string, string> };
    const rules = (parse(live.data['alerting_rules.yml']!) as { groups: { rules: { alert: string; labels: { severity: string } }[] }[] }).groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).not.toContain('KubeJobFailed');
    expect(rules.find((r) => r.alert === 'TargetDown')?.labels.severity).toBe('critical');
    expect(rules.map((r) => r.alert).at(-1)).toBe('ShopErrors');
    expect(rules).toHaveLength(25);
  });

  it('a threshold changed in a team rule file: diff shows the old and the new expr, upgrade applies it in a revision of prometheus only', async () => {
    writeFileSync(join(dir, 'rules', 'shop.yaml'), SHOP_RULES(5));
    const text = await cli('diff', '--env', 'standard');
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^\s*-\s.*sum\(rate\(http_requests_total\{code=~"5\.\."\}\[5m\]\)\) > 1$/m);
    expect(text.stdout).toMatch(/^\s*\+\s.*sum\(rate\(http_requests_total\{code=~"5\.\."\}\[5m\]\)\) > 5$/m);
    const diff = await cli('diff', '--env', 'standard', '-o', 'json', '--detailed-exitcode');
    expect(diff.exitCode, diff.stderr).toBe(2);
    const plan = JSON.parse(diff.stdout) as { releases: { release: string; action: string; resources: { kind: string; name: string; change: string; fields: string[] }[] }[] };
    expect(plan.releases.map((r) => [r.release, r.action]).sort()).toEqual([[`grafana-${h}`, 'unchanged'], [`prometheus-${h}`, 'upgrade'], [`promtail-${h}`, 'unchanged']]);
    const changed = plan.releases.find((r) => r.release === `prometheus-${h}`)!.resources.filter((r) => r.change === 'changed');
    expect(changed.find((r) => r.kind === 'ConfigMap' && r.name === `prometheus-${h}-server`)?.fields).toEqual(['data["alerting_rules.yml"]']);
    const up = await cli('upgrade', '--env', 'standard', '--yes');
    expect(up.exitCode, up.stderr).toBe(0);
    expect(listed(namespaces.standard).map((r) => [r[0], r[3]])).toEqual([[`grafana-${h}`, '1'], [`prometheus-${h}`, '3'], [`promtail-${h}`, '1']]);
    const live = JSON.parse(kubectl('get', 'configmap', `prometheus-${h}-server`, '--namespace', namespaces.standard, '-o', 'json')) as { data: Record<string, string> };
    const shop = (parse(live.data['alerting_rules.yml']!) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap((g) => g.rules).find((r) => r.alert === 'ShopErrors');
    expect(shop?.expr).toBe('sum(rate(http_requests_total{code=~"5.."}[5m])) > 5');
  });

  it('a chart value passed through (charts.grafana.values): diff shows the field, upgrade applies it in a revision of grafana only, and a managed key is refused with nothing changed', async () => {
    const file = join(dir, 'monitor-stack.yaml');
    const doc = parseDocument(readFileSync(file, 'utf8'));
    doc.setIn(['environments', 'standard', 'charts', 'grafana', 'values'], doc.createNode({ podAnnotations: { 'example.com/team': 'sre' } }));
    writeFileSync(file, doc.toString());
    const diff = await cli('diff', '--env', 'standard', '-o', 'json', '--detailed-exitcode');
    expect(diff.exitCode, diff.stderr).toBe(2);
    const plan = JSON.parse(diff.stdout) as { releases: { release: string; action: string; resources: { kind: string; name: string; change: string; paths?: string[] }[] }[] };
    expect(plan.releases.map((r) => [r.release, r.action]).sort()).toEqual([
      [`grafana-${h}`, 'upgrade'],
      [`prometheus-${h}`, 'unchanged'],
      [`promtail-${h}`, 'unchanged'],
    ]);
    const grafana = plan.releases.find((r) => r.release === `grafana-${h}`)!.resources;
    expect(grafana.map((r) => [r.kind, r.name, r.change])).toContainEqual(['Deployment', `grafana-${h}`, 'changed']);
    expect(JSON.stringify(grafana)).toContain('example.com/team');
    const up = await cli('upgrade', '--env', 'standard', '--yes');
    expect(up.exitCode, up.stderr).toBe(0);
    expect(listed(namespaces.standard).map((r) => [r[0], r[3]])).toEqual([
      [`grafana-${h}`, '2'],
      [`prometheus-${h}`, '3'],
      [`promtail-${h}`, '1'],
    ]);
    const live = JSON.parse(execFileSync(env.kubectl, ['get', 'deployment', `grafana-${h}`, '--namespace', namespaces.standard, '-o', 'json'], { env: { ...process.env, ...cliEnv }, encoding: 'utf8' })) as { spec: { template: { metadata: { annotations?: Record<string, string> } } } };
    expect(live.spec.template.metadata.annotations?.['example.com/team']).toBe('sre');

    doc.setIn(['environments', 'standard', 'charts', 'grafana', 'values', 'persistence'], doc.createNode({ storageClassName: 'other' }));
    writeFileSync(file, doc.toString());
    const refused = await cli('upgrade', '--env', 'standard', '--yes');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('charts.grafana.values.persistence.storageClassName: monitor-stack sets this from storageClass; set that instead.');
    expect(listed(namespaces.standard).map((r) => r[3])).toEqual(['2', '3', '1']);
  });

  it('remote write: a missing secret: reference is refused by preflight; then diff shows the managed Secret by key name, and upgrade writes it and mounts both Secrets where prometheus.yml reads them', async () => {
    const ns = namespaces.standard;
    const file = join(dir, 'monitor-stack.yaml');
    const doc = parseDocument(readFileSync(file, 'utf8'));
    doc.deleteIn(['environments', 'standard', 'charts', 'grafana', 'values', 'persistence']);
    doc.setIn(['environments', 'standard', 'prometheus', 'remoteWrite'], doc.createNode([
      { name: 'mimir', url: 'https://mimir.example.invalid/api/v1/push', basicAuth: { username: 'tenant-1', password: 'env:RW_PASSWORD' } },
      { name: 'thanos', url: 'http://thanos.example.invalid/api/v1/receive', bearerToken: 'secret:thanos-auth/token' },
    ]));
    writeFileSync(file, doc.toString());
    const outputs: string[] = [];

    const refused = await cli('upgrade', '--env', 'standard', '--yes');
    outputs.push(refused.stdout, refused.stderr);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(`Secret "thanos-auth" (Prometheus remote write) does not exist in namespace ${ns}.`);
    expect(listed(ns).map((r) => r[3])).toEqual(['2', '3', '1']);
    expect(() => kubectl('get', 'secret', `prometheus-${h}-remote-write`, '-n', ns)).toThrow(/NotFound/);

    kubectl('create', 'secret', 'generic', 'thanos-auth', '-n', ns, '--from-literal=token=thanos-token');
    const diff = await cli('diff', '--env', 'standard', '-o', 'json', '--detailed-exitcode');
    outputs.push(diff.stdout, diff.stderr);
    expect(diff.exitCode, diff.stderr).toBe(2);
    const plan = JSON.parse(diff.stdout) as { releases: { release: string; action: string; resources: { kind: string; name: string; change: string }[] }[]; secrets: unknown[] };
    expect(plan.secrets).toContainEqual({ name: `prometheus-${h}-remote-write`, action: 'create', changedKeys: ['mimir-password'] });
    expect(plan.releases.map((r) => [r.release, r.action]).sort()).toEqual([[`grafana-${h}`, 'unchanged'], [`prometheus-${h}`, 'upgrade'], [`promtail-${h}`, 'unchanged']]);
    const server = plan.releases.find((r) => r.release === `prometheus-${h}`)!.resources.map((r) => [r.kind, r.name, r.change]);
    expect(server).toEqual(expect.arrayContaining([['ConfigMap', `prometheus-${h}-server`, 'changed'], ['Deployment', `prometheus-${h}-server`, 'changed']]));

    const up = await cli('upgrade', '--env', 'standard', '--yes');
    outputs.push(up.stdout, up.stderr);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).toContain(`Secret prometheus-${h}-remote-write created (keys changed: mimir-password)`);
    expect(listed(ns).map((r) => [r[0], r[3]])).toEqual([[`grafana-${h}`, '2'], [`prometheus-${h}`, '4'], [`promtail-${h}`, '1']]);
    const secret = JSON.parse(kubectl('get', 'secret', `prometheus-${h}-remote-write`, '-n', ns, '-o', 'json')) as { data: Record<string, string> };
    expect(Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]))).toEqual({ 'mimir-password': RW_CANARY });
    const pod = (JSON.parse(kubectl('get', 'deployment', `prometheus-${h}-server`, '-n', ns, '-o', 'json')) as { spec: { template: { spec: any } } }).spec.template.spec;
    const volumes = Object.fromEntries(pod.volumes.filter((v: { secret?: unknown }) => v.secret).map((v: { name: string; secret: { secretName: string } }) => [v.name, v.secret.secretName]));
    const container = pod.containers.find((c: { name: string }) => c.name === 'prometheus-server');
    const mounted = container.volumeMounts.filter((m: { name: string }) => m.name in volumes).map((m: { name: string; mountPath: string }) => [volumes[m.name], m.mountPath]).sort();
    expect(mounted).toEqual([[`prometheus-${h}-remote-write`, `/etc/prometheus/secrets/prometheus-${h}-remote-write`], ['thanos-auth', '/etc/prometheus/secrets/thanos-auth']]);
    const config = (JSON.parse(kubectl('get', 'configmap', `prometheus-${h}-server`, '-n', ns, '-o', 'json')) as { data: Record<string, string> }).data['prometheus.yml']!;
    expect(config).toContain(`password_file: /etc/prometheus/secrets/prometheus-${h}-remote-write/mimir-password`);
    expect(config).toContain('credentials_file: /etc/prometheus/secrets/thanos-auth/token');

    const again = await cli('diff', '--env', 'standard', '--detailed-exitcode');
    outputs.push(again.stdout, again.stderr);
    expect(again.exitCode, again.stdout).toBe(0);
    for (const text of [...outputs, config, helm('get', 'values', `prometheus-${h}`, '-n', ns, '--all'), helm('get', 'manifest', `prometheus-${h}`, '-n', ns)]) expect(text).not.toContain(RW_CANARY);
  });

  it('a dashboard file added to grafana.dashboards.folder: diff shows its ConfigMap, upgrade installs it in a revision of grafana only, rollback of grafana removes it', async () => {
    const ns = namespaces.standard;
    const file = join(dir, 'monitor-stack.yaml');
    const doc = parseDocument(readFileSync(file, 'utf8'));
    doc.setIn(['environments', 'standard', 'grafana', 'dashboards'], doc.createNode({ folder: 'dashboards' }));
    writeFileSync(file, doc.toString());
    mkdirSync(join(dir, 'dashboards'), { recursive: true });
    writeFileSync(join(dir, 'dashboards', 'shop.json'), JSON.stringify({ __inputs: [{ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }], uid: 'shop', title: 'Shop', panels: [{ type: 'timeseries', title: 'Errors', datasource: { uid: '${DS_PROMETHEUS}' }, targets: [{ expr: 'sum(rate(http_requests_total[5m]))' }] }] }));
    const diff = await cli('diff', '--env', 'standard', '-o', 'json', '--detailed-exitcode');
    expect(diff.exitCode, diff.stderr).toBe(2);
    const plan = JSON.parse(diff.stdout) as { releases: { release: string; action: string; resources: { kind: string; name: string; change: string }[] }[] };
    expect(plan.releases.map((r) => [r.release, r.action]).sort()).toEqual([[`grafana-${h}`, 'upgrade'], [`prometheus-${h}`, 'unchanged'], [`promtail-${h}`, 'unchanged']]);
    expect(plan.releases.find((r) => r.release === `grafana-${h}`)!.resources.map((r) => [r.kind, r.name, r.change])).toContainEqual(['ConfigMap', `grafana-${h}-dashboards-files`, 'added']);
    const up = await cli('upgrade', '--env', 'standard', '--yes');
    expect(up.exitCode, up.stderr).toBe(0);
    expect(listed(ns).map((r) => [r[0], r[3]])).toEqual([[`grafana-${h}`, '3'], [`prometheus-${h}`, '4'], [`promtail-${h}`, '1']]);
    const cm = JSON.parse(kubectl('get', 'configmap', `grafana-${h}-dashboards-files`, '-n', ns, '-o', 'json')) as { data: Record<string, string> };
    expect(JSON.parse(cm.data['shop.json']!).panels[0].datasource).toEqual({ uid: 'prometheus' });

    const back = await cli('rollback', '--env', 'standard', '--release', `grafana-${h}`, '--revision', '2', '--yes');
    expect(back.exitCode, back.stderr).toBe(0);
    expect(listed(ns).map((r) => [r[0], r[3]])).toEqual([[`grafana-${h}`, '4'], [`prometheus-${h}`, '4'], [`promtail-${h}`, '1']]);
    expect(() => kubectl('get', 'configmap', `grafana-${h}-dashboards-files`, '-n', ns)).toThrow(/NotFound/);
    expect(kubectl('get', 'configmap', `grafana-${h}-dashboards-monitor-stack`, '-n', ns, '-o', 'jsonpath={.data}')).toContain('nodes.json');
  });
});
