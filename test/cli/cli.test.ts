/** The built bin as a user runs it: version, help, render, init writing a file, the packed tarball. */
import { execa } from 'execa';
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/run.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };
const tmp = (p: string) => tempDir(p);
const noCluster = (dir: string) => ({ KUBECONFIG: join(dir, 'none') });

describe('basics', () => {
  it('--version prints the package version', async () => {
    const r = await runCli(['--version'], { cwd: ROOT });
    expect(r).toMatchObject({ exitCode: 0, stdout: version });
  });

  it('--help lists the commands; upgrade --help shows its alias and flags', async () => {
    const r = await runCli(['--help'], { cwd: ROOT });
    expect(r.exitCode).toBe(0);
    for (const c of ['init', 'render', 'upgrade|apply', 'status']) expect(r.stdout).toContain(c);
    const u = await runCli(['apply', '--help'], { cwd: ROOT });
    expect(u.stdout).toContain('--dry-run');
    expect(u.stdout).toContain('--no-wait');
  });
});

describe('render', () => {
  const config = `environments:
  prod:
    preset: ha
    storageClass: fast-ssd
    ingress: {hosts: {grafana: grafana.example.com}}
    tls: {secretName: wildcard-tls}
    alertmanager:
      receivers:
        - {name: oncall, type: pagerduty, routingKey: "env:PD_KEY"}
`;
  it('writes one overlay per chart, byte-identical across runs, with a header naming chart, version, environment and hash', async () => {
    const dir = tmp('ms-render-');
    writeFileSync(join(dir, 'monitor-stack.yaml'), config);
    const a = await runCli(['render', '--env', 'prod', '--out', 'a'], { cwd: dir });
    const b = await runCli(['render', '--env', 'prod', '--out', 'b'], { cwd: dir });
    expect(a.exitCode, a.stderr).toBe(0);
    expect(b.exitCode).toBe(0);
    expect(readdirSync(join(dir, 'a', 'prod')).sort()).toEqual(['grafana.values.yaml', 'prometheus.values.yaml', 'promtail.values.yaml']);
    for (const f of readdirSync(join(dir, 'a', 'prod'))) expect(readFileSync(join(dir, 'a', 'prod', f), 'utf8')).toBe(readFileSync(join(dir, 'b', 'prod', f), 'utf8'));
    const prom = readFileSync(join(dir, 'a', 'prod', 'prometheus.values.yaml'), 'utf8');
    expect(prom).toMatch(/^# monitor-stack values overlay for chart prometheus 29\.27\.0, release prometheus in namespace monitoring\n# environment: prod; preset: ha; settings sha256: [0-9a-f]{16}\n/);
    expect(a.stderr).toContain('Grafana Alloy');
    // a flag overrides the file for this run only
    const c = await runCli(['render', '--env', 'prod', '--out', 'c', '--retention', '90d'], { cwd: dir });
    expect(readFileSync(join(dir, 'c', 'prod', 'prometheus.values.yaml'), 'utf8')).toContain('retention: 90d');
    expect(readFileSync(join(dir, 'monitor-stack.yaml'), 'utf8')).toBe(config);
  });
});

describe('init --non-interactive', () => {
  it('writes references, never values, and keeps what the file already had', async () => {
    const dir = tmp('ms-init-');
    writeFileSync(join(dir, 'monitor-stack.yaml'), '# our mirror\ncharts:\n  grafana: {source: "https://charts.internal.example.com"}\n');
    const r = await runCli(
      ['init', '--non-interactive', '--env', 'staging', '--storage-class', 'gp3', '--slack-webhook-url', 'env:SLACK_URL', '--email-to', 'a@example.com', '--email-from', 'b@example.com', '--smtp-smarthost', 'smtp.example.com:587', '--smtp-username', 'am', '--smtp-password', 'file:/run/secrets/smtp', '--critical-to', 'slack,email', '--warning-to', 'slack'],
      { cwd: dir, env: { ...noCluster(dir), SLACK_URL: 'https://hooks.example.com/CANARY-INIT' } },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const text = readFileSync(join(dir, 'monitor-stack.yaml'), 'utf8');
    expect(text.startsWith('# our mirror\ncharts:\n')).toBe(true);
    expect(text).toContain('webhookUrl: env:SLACK_URL');
    // the pinned versions are written into the file; the mirror's source is kept
    expect(text).toContain('  grafana: { source: "https://charts.internal.example.com", release: grafana, version: 12.11.1 }\n');
    expect(text).toContain('  prometheus:\n    release: prometheus\n    version: 29.27.0\n    source: https://prometheus-community.github.io/helm-charts\n');
    expect(text).toContain('password: file:/run/secrets/smtp');
    expect(text + r.stdout + r.stderr).not.toContain('CANARY-INIT');
    expect(r.stderr).toContain('Next: monitor-stack upgrade --env staging');
    const rendered = await runCli(['render', '--env', 'staging'], { cwd: dir });
    expect(rendered.exitCode, rendered.stderr).toBe(0);
  });

  it('a second run keeps what it was not told: other answers, hand-added keys, comments, mode', async () => {
    const dir = tmp('ms-init-again-');
    const first = ['init', '--non-interactive', '--env', 'prod', '--storage-class', 'gp3', '--grafana-host', 'g.example.com', '--tls-issuer', 'le', '--slack-webhook-url', 'env:SLACK_URL', '--retention', '30d'];
    expect((await runCli(first, { cwd: dir, env: noCluster(dir) })).exitCode).toBe(0);
    const file = join(dir, 'monitor-stack.yaml');
    const doc = parseDocument(readFileSync(file, 'utf8'));
    doc.setIn(['environments', 'prod', 'prometheus', 'replicas'], 2);
    doc.setIn(['environments', 'prod', 'components'], doc.createNode({ promtail: false }));
    writeFileSync(file, `${doc.toString()}# hand-written note\n`);
    chmodSync(file, 0o640);

    // The same answers again: nothing to write.
    const same = await runCli(['init', '--non-interactive', '--env', 'prod'], { cwd: dir, env: noCluster(dir) });
    expect(same.exitCode, same.stderr).toBe(0);
    expect(same.stderr).toContain(`Environment prod in monitor-stack.yaml already has these answers; nothing was written.`);

    // One new answer: only it changes.
    const before = readFileSync(file, 'utf8');
    const r = await runCli(['init', '--non-interactive', '--env', 'prod', '--grafana-host', 'grafana.example.com'], { cwd: dir, env: noCluster(dir) });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('Updated environment prod in monitor-stack.yaml');
    const after = readFileSync(file, 'utf8');
    // (the yaml library sets a trailing comment off with a blank line)
    const lines = (t: string) => t.split('\n').filter(Boolean);
    expect(lines(after)).toEqual(lines(before.replace('grafana: g.example.com', 'grafana: grafana.example.com')));
    expect(after).toContain('# hand-written note');
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });

  it('--dry-run shows the file and writes nothing', async () => {
    const dir = tmp('ms-init-dry-');
    const r = await runCli(['init', '--non-interactive', '--yes', '--dry-run'], { cwd: dir, env: noCluster(dir) });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('environments:\n  dev:');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('CI=true never prompts, even without --non-interactive', async () => {
    const dir = tmp('ms-init-ci-');
    const r = await runCli(['init'], { cwd: dir, env: { ...noCluster(dir), CI: 'true' } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('a non-interactive run is missing');
  });
});

describe('the environment a CI job meets', () => {
  const setup = () => {
    const dir = tmp('ms-env-');
    writeFileSync(join(dir, 'monitor-stack.yaml'), 'environments: {dev: {storageClass: standard}}\n');
    return dir;
  };
  it('helm missing: exit 2, says what to install', async () => {
    const dir = setup();
    const r = await runCli(['upgrade', '--env', 'dev'], { cwd: dir, env: { MONITOR_STACK_HELM: join(dir, 'no-helm') } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`error: helm not found (looked for "${join(dir, 'no-helm')}").`);
    expect(r.stderr).toContain('install Helm 3.14+ or Helm 4');
  });
  it('no kubeconfig: exit 2, and no invented context', async () => {
    const dir = setup();
    const { ensureTools } = await import('../../scripts/tools.mjs');
    const r = await runCli(['upgrade', '--env', 'dev'], { cwd: dir, env: { MONITOR_STACK_HELM: ensureTools().helm4, HOME: dir } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('error: no kubeconfig found (~/.kube/config does not exist).');
  });
  it('cluster unreachable: exit 1, names the context and server', async () => {
    const dir = setup();
    writeFileSync(
      join(dir, 'kubeconfig'),
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: gone, context: {cluster: c, user: u}}]\ncurrent-context: gone\n',
    );
    const { ensureTools } = await import('../../scripts/tools.mjs');
    const r = await runCli(['upgrade', '--env', 'dev'], { cwd: dir, env: { MONITOR_STACK_HELM: ensureTools().helm4, KUBECONFIG: join(dir, 'kubeconfig') } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('error: the Kubernetes API of context "gone" (https://127.0.0.1:1) is not reachable');
  });
});

describe('unexpected errors', () => {
  it('--debug shows the stack; without it, one line and a hint', async () => {
    const dir = tmp('ms-debug-');
    writeFileSync(join(dir, 'monitor-stack.yaml'), 'environments: {dev: {}}\n');
    // An unreadable kubeconfig reaches the Kubernetes client during upgrade.
    writeFileSync(join(dir, 'kubeconfig'), 'not: [valid');
    const { ensureTools } = await import('../../scripts/tools.mjs');
    const env = { KUBECONFIG: join(dir, 'kubeconfig'), MONITOR_STACK_HELM: ensureTools().helm4 };
    const plain = await runCli(['upgrade', '--env', 'dev'], { cwd: dir, env });
    expect(plain.exitCode).toBe(2);
    expect(plain.stderr).toContain('error: cannot read kubeconfig');
    expect(plain.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    const debug = await runCli(['upgrade', '--env', 'dev', '--debug'], { cwd: dir, env });
    expect(debug.stderr).toMatch(/\n\s+at .+:\d+:\d+/);
  });
});

describe('packaging', () => {
  it('npm pack, then npx ./monitor-stack-<version>.tgz --version, from an empty folder', async () => {
    const dir = tmp('ms-pack-');
    await execa('npm', ['pack', '--pack-destination', dir], { cwd: ROOT, env: { npm_config_loglevel: 'error' } });
    const tgz = `monitor-stack-${version}.tgz`;
    expect(readdirSync(dir)).toEqual([tgz]);
    const r = await execa('npx', ['--yes', '--prefer-offline', `./${tgz}`, '--version'], { cwd: dir, reject: false, env: { npm_config_loglevel: 'error' } });
    expect(r.stdout.trim()).toBe(version);
    // The package carries the pinned charts' defaults, so it checks charts.<chart>.values keys.
    writeFileSync(join(dir, 'monitor-stack.yaml'), 'environments:\n  dev:\n    charts:\n      grafana:\n        values: {sidecarr: {}}\n');
    const bad = await execa('npx', ['--yes', '--prefer-offline', `./${tgz}`, 'render', '--env', 'dev'], { cwd: dir, reject: false, env: { npm_config_loglevel: 'error' } });
    expect(bad.stderr).toContain('charts.grafana.values: grafana-12.11.1 has no key sidecarr; the closest key is sidecar.');
    expect(bad.exitCode).toBe(2);
  }, 180_000);
});
