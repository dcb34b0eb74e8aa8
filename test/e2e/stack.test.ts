/**
 * The whole path on real parts, once per helm major: `init --non-interactive` → `upgrade` into a
 * real kube-apiserver from a real chart repository, then a changed answer, a preflight failure,
 * a dry run, a failed --wait upgrade that is rolled back, and the secret canary.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { recordedCalls, ROOT, runCli, writeHelmRecorder, type CliResult } from '../support/run.js';

const e2e = inject('e2e');
const skip = inject('e2eSkip');
if (skip) describe.skip(skip, () => it('skipped', () => {}));

describe.runIf(e2e).each([
  { helmName: 'helm3', major: 'v3.' },
  { helmName: 'helm4', major: 'v4.' },
] as const)('$helmName', ({ helmName, major }) => {
  const env = e2e!;
  const realHelm = env[helmName];
  const ns = `e2e-${helmName}`;
  const canary = `https://hooks.example.invalid/services/CANARY-${helmName}-${Math.random().toString(36).slice(2)}`;
  let dir: string;
  let log: string;
  let cliEnv: Record<string, string>;
  const outputs: CliResult[] = [];

  const cliWith = async (extraEnv: Record<string, string>, ...args: string[]) => {
    const r = await runCli(args, { cwd: dir, env: { ...cliEnv, ...extraEnv } });
    outputs.push(r);
    return r;
  };
  const cli = (...args: string[]) => cliWith({}, ...args);
  const receiverSecret = () => Buffer.from(kubectl('get', 'secret', 'prometheus-alertmanager-receivers', '-n', ns, '-o', 'jsonpath={.data.slack-webhook-url}'), 'base64').toString();
  const helm = (...args: string[]) => execFileSync(realHelm, args, { env: { ...process.env, ...cliEnv }, encoding: 'utf8' });
  const kubectl = (...args: string[]) => execFileSync(env.kubectl, args, { env: { ...process.env, KUBECONFIG: env.kubeconfig }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const releases = () => JSON.parse(helm('list', '--namespace', ns, '--output', 'json')) as { name: string; revision: string; status: string; chart: string }[];
  const values = (release: string, namespace = ns) => JSON.parse(helm('get', 'values', release, '--namespace', namespace, '--output', 'json')) as Record<string, unknown>;
  const initArgs = (retention: string) => [
    'init', '--non-interactive', '--env', 'dev', '--namespace', ns, '--storage-class', 'standard',
    '--grafana-host', `grafana.${helmName}.example.com`, '--tls-issuer', 'letsencrypt-staging',
    '--slack-webhook-url', 'env:E2E_SLACK_URL', '--slack-channel', '#e2e', '--retention', retention,
  ];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `monitor-stack-e2e-${helmName}-`));
    log = join(dir, 'helm-calls.log');
    const helmHome = join(dir, 'helm-home');
    cliEnv = {
      KUBECONFIG: env.kubeconfig,
      HELM_CONFIG_HOME: join(helmHome, 'config'),
      HELM_CACHE_HOME: join(helmHome, 'cache'),
      HELM_DATA_HOME: join(helmHome, 'data'),
      MONITOR_STACK_HELM: writeHelmRecorder(join(dir, 'helm'), log, realHelm),
      E2E_SLACK_URL: canary,
    };
    // A mirror: every chart from the local repository. init keeps this base and adds environments.
    writeFileSync(
      join(dir, 'monitor-stack.yaml'),
      ['charts:', ...['prometheus', 'grafana', 'promtail'].map((c) => `  ${c}: {source: "${env.repoUrl}"}`), ''].join('\n'),
    );
  });

  it('init --non-interactive, then upgrade --env dev installs three releases whose values equal the overlays', async () => {
    const init = await cli(...initArgs('15d'));
    expect(init.stderr).toContain('Wrote environment dev');
    expect(init.exitCode).toBe(0);
    const up = await cli('upgrade', '--env', 'dev', '--no-wait');
    expect(up.stderr).toContain(`helm ${major}`);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/prometheus\s+prometheus\s+29\.27\.0\s+1\s+deployed/);
    expect(up.stderr).toContain('Grafana Alloy'); // promtail's deprecation is said

    const listed = releases();
    expect(listed.map((r) => [r.name, r.status, r.chart]).sort()).toEqual([
      ['grafana', 'deployed', 'grafana-12.11.1'],
      ['prometheus', 'deployed', 'prometheus-29.27.0'],
      ['promtail', 'deployed', 'promtail-6.17.1'],
    ]);
    const rendered = await cli('render', '--env', 'dev', '--out', 'rendered');
    expect(rendered.exitCode).toBe(0);
    for (const chart of ['prometheus', 'grafana', 'promtail']) {
      const overlay = parse(readFileSync(join(dir, 'rendered', 'dev', `${chart}.values.yaml`), 'utf8'));
      expect(values(chart)).toEqual(overlay);
    }
    expect((values('prometheus').server as { retention: string }).retention).toBe('15d');
    // The receiver Secret holds the resolved value: the canary reached the cluster, so its absence elsewhere means something.
    expect(receiverSecret()).toBe(canary);
    expect(kubectl('get', 'secret', 'grafana-admin-credentials', '-n', ns, '-o', 'jsonpath={.data.admin-password}').length).toBeGreaterThan(20);
  });

  it('a changed answer gives revision 2 carrying the new value', async () => {
    expect((await cli(...initArgs('30d'))).exitCode).toBe(0);
    const up = await cli('upgrade', '--env', 'dev', '--no-wait');
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/-\s+retention: 15d/);
    expect(up.stderr).toMatch(/\+\s+retention: 30d/);
    expect(up.stderr).toContain('promtail: values unchanged');
    const prom = releases().find((r) => r.name === 'prometheus')!;
    expect(prom.revision).toBe('2');
    expect((values('prometheus').server as { retention: string }).retention).toBe('30d');
    const status = JSON.parse((await cli('status', '--env', 'dev', '--output', 'json')).stdout) as { release: string; revision: number; status: string }[];
    expect(status.find((s) => s.release === 'prometheus')).toMatchObject({ revision: 2, status: 'deployed' });
  });

  it('--dry-run runs helm server-side and changes nothing', async () => {
    const before = releases();
    const r = await cli('upgrade', '--env', 'dev', '--dry-run', '--retention', '45d', '--debug');
    expect(r.exitCode, r.stderr).toBe(0);
    // --debug shows every helm command line
    expect(r.stderr).toMatch(/\$ \S+ upgrade prometheus monitor-stack-[0-9a-f]{10}\/prometheus --install --kube-context e2e --namespace e2e-helm\d --create-namespace --version 29\.27\.0 --values \S+prometheus\.values\.yaml/);
    expect(r.stdout).toContain('dry run ok');
    expect(recordedCalls(log).filter((c) => c.startsWith('upgrade')).at(-1)).toContain('--dry-run=server');
    expect(releases()).toEqual(before);
    expect((values('prometheus').server as { retention: string }).retention).toBe('30d');
  });

  it('a failed --wait upgrade is rolled back: the release keeps its last values', async () => {
    // No kubelet runs, so no Deployment ever becomes ready and waiting fails at the timeout.
    // A new webhook URL comes with the failed run: the receiver Secret must be put back too.
    const r = await cliWith({ E2E_SLACK_URL: `${canary}-rotated` }, 'upgrade', '--env', 'dev', '--timeout', '4s', '--retention', '60d');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Secret prometheus-alertmanager-receivers replaced');
    expect(r.stderr).toContain('Secret prometheus-alertmanager-receivers restored');
    expect(receiverSecret()).toBe(canary);
    expect(r.stderr).toContain('helm upgrade of release prometheus failed');
    expect(r.stderr).toMatch(/prometheus: rolled back to revision 2/);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace without --debug
    const prom = releases().find((x) => x.name === 'prometheus')!;
    expect(prom.status).toBe('deployed');
    expect((values('prometheus').server as { retention: string }).retention).toBe('30d');
    // Grafana and promtail were not reached: untouched.
    expect(releases().find((x) => x.name === 'grafana')!.revision).toBe('2');
  });

  it('a StorageClass change on installed volumes is refused in preflight, before any change', async () => {
    const before = releases();
    const callsBefore = recordedCalls(log).length;
    const r = await cli('upgrade', '--env', 'dev', '--no-wait', '--storage-class', 'fast-ssd');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('server.persistentVolume.storageClass would change from standard to fast-ssd, but the StorageClass of an existing volume cannot change');
    expect(r.stderr).toContain('persistence.storageClassName would change from standard to fast-ssd');
    expect(recordedCalls(log).slice(callsBefore).filter((c) => /^(upgrade|repo|rollback|uninstall) /.test(c))).toEqual([]);
    expect(releases()).toEqual(before);
  });

  it('an upgrade naming a missing StorageClass fails in preflight and creates nothing', async () => {
    const brokenNs = `${ns}-broken`;
    const callsBefore = recordedCalls(log).length;
    const init = await cli('init', '--non-interactive', '--env', 'broken', '--namespace', brokenNs, '--storage-class', 'does-not-exist', '--no-tls');
    expect(init.exitCode).toBe(0);
    const r = await cli('upgrade', '--env', 'broken', '--no-wait');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('StorageClass "does-not-exist" does not exist');
    expect(r.stderr).toContain('Available: fast-ssd, standard (default)');
    expect(r.stderr).toContain('nothing was changed');
    const calls = recordedCalls(log).slice(callsBefore);
    expect(calls.length).toBeGreaterThan(0); // helm was found and read from ...
    expect(calls.filter((c) => !/^(version|list|get values) /.test(c))).toEqual([]); // ... and nothing else ran
    expect(() => kubectl('get', 'namespace', brokenNs)).toThrow(/NotFound/);
  });

  it('a chart from a local folder (air-gapped) installs from that folder, relative to the config file', async () => {
    const localNs = `${ns}-local`;
    cpSync(join(ROOT, 'test', 'fixtures', 'charts', 'promtail'), join(dir, 'vendor', 'promtail'), { recursive: true });
    const file = parseDocument(readFileSync(join(dir, 'monitor-stack.yaml'), 'utf8'));
    file.setIn(['environments', 'local'], file.createNode({ namespace: localNs, preset: 'minimal', components: { grafana: false }, charts: { promtail: { source: './vendor/promtail' } } }));
    writeFileSync(join(dir, 'monitor-stack.yaml'), file.toString());
    const r = await cli('upgrade', '--env', 'local', '--no-wait');
    expect(r.exitCode, r.stderr).toBe(0);
    const calls = recordedCalls(log).filter((c) => c.startsWith('upgrade promtail'));
    expect(calls.at(-1)).toContain(`upgrade promtail ${join(dir, 'vendor', 'promtail')} --install`);
    const listed = JSON.parse(helm('list', '--namespace', localNs, '--output', 'json')) as { name: string; chart: string; status: string }[];
    expect(listed.map((x) => [x.name, x.chart, x.status]).sort()).toEqual([
      ['prometheus', 'prometheus-29.27.0', 'deployed'],
      ['promtail', 'promtail-6.17.1', 'deployed'],
    ]);
  });

  it('the canary secret appears in no argv, file, overlay, log or helm values', async () => {
    const seen: string[] = [
      readFileSync(log, 'utf8'),
      readFileSync(join(dir, 'monitor-stack.yaml'), 'utf8'),
      ...readdirSync(join(dir, 'rendered', 'dev')).map((f) => readFileSync(join(dir, 'rendered', 'dev', f), 'utf8')),
      ...outputs.flatMap((o) => [o.stdout, o.stderr]),
      ...['prometheus', 'grafana', 'promtail'].flatMap((rel) => [helm('get', 'values', rel, '-n', ns, '--all'), helm('get', 'manifest', rel, '-n', ns)]),
      kubectl('get', 'configmaps', '-n', ns, '-o', 'yaml'),
    ];
    expect(outputs.length).toBeGreaterThan(5);
    for (const text of seen) expect(text).not.toContain(canary);
    // The mounted file path is what Alertmanager reads instead.
    expect(kubectl('get', 'configmap', 'prometheus-alertmanager', '-n', ns, '-o', 'yaml')).toContain('api_url_file: /etc/alertmanager/secrets/prometheus-alertmanager-receivers/slack-webhook-url');
  });
});
