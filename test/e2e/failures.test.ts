/**
 * A run that fails, and a run that loses the API server, on the real upstream charts, once per
 * helm major; and every helm and API call on the configured kube context only.
 *
 * The failure is real: the wrapper around helm adds a pod annotation to one release's upgrade
 * (`--set-string …podAnnotations`, the key each pinned chart has) that kwok's pod-ready stage skips
 * (scripts/cluster.mjs NEVER_READY_ANNOTATION), so that release's new pods never become Ready and
 * helm's wait fails, as with a crash-looping image; it shortens that release's --timeout to 6 s.
 * The failure is put in turn in the first, the second and the last release, on a first install
 * and on an upgrade.
 *
 * The kubeconfig's current context is `other`, a second control plane; the settings name context
 * `e2e`. Whatever upgrade, rollback, recover and uninstall do must land on `e2e`; the last test
 * checks that `other` holds nothing of theirs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isolatedEnv, oneRepositoryConfig, ROOT, runCli } from '../support/run.js';

const e2e = inject('e2e');
const skip = inject('realChartsSkip');
if (skip) describe.skip(skip, () => it('skipped', () => {}));

const NEVER_READY = 'monitor-stack\\.io/e2e-never-ready=true';

describe.runIf(e2e?.realRepoUrl).each(['helm3', 'helm4'] as const)('failures, real charts, %s', (helmName) => {
  const env = e2e!;
  const h = helmName.replace('helm', 'f');
  const ns = `fail-${h}`;
  const rel = { prometheus: `prometheus-${h}`, grafana: `grafana-${h}`, promtail: `promtail-${h}` };
  /** The overlay key of the pods that must never become Ready, per chart (29.27.0, 12.11.1, 6.17.1). */
  const podAnnotations = { prometheus: 'server.podAnnotations', grafana: 'podAnnotations', promtail: 'podAnnotations' };
  const slackUrl = 'https://hooks.example.invalid/failures-original';
  let dir: string;
  let tmp: string;
  let cliEnv: Record<string, string>;

  const cli = (extra: Record<string, string>, ...args: string[]) => runCli(args, { cwd: dir, env: { ...cliEnv, ...extra } });
  /** An upgrade whose release `chart` never becomes Ready. */
  const failing = (chart: keyof typeof rel, ...args: string[]) => cli({ E2E_FAIL_RELEASE: rel[chart], E2E_FAIL_SET: `${podAnnotations[chart]}.${NEVER_READY}` }, 'upgrade', '--env', 'fail', '--yes', '--parallel', '1', ...args);
  const kubectl = (context: string, ...args: string[]) => execFileSync(env.kubectl, ['--context', context, ...args], { env: { ...process.env, KUBECONFIG: cliEnv.KUBECONFIG }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const helm = (...args: string[]) => execFileSync(env[helmName], ['--kube-context', 'e2e', ...args], { env: { ...process.env, ...cliEnv }, encoding: 'utf8' });
  const listed = () => Object.fromEntries((JSON.parse(helm('list', '--namespace', ns, '--deployed', '--failed', '--pending', '--output', 'json')) as { name: string; revision: string; status: string }[]).map((r) => [r.name, `${r.revision} ${r.status}`]));
  const values = () => Object.fromEntries(Object.values(rel).map((r) => [r, JSON.parse(helm('get', 'values', r, '--namespace', ns, '--output', 'json'))]));
  const pvcs = () => kubectl('e2e', 'get', 'pvc', '-n', ns, '-o', 'jsonpath={.items[*].metadata.name}').split(' ').filter(Boolean).sort();
  const ourSecrets = () => kubectl('e2e', 'get', 'secret', '-n', ns, '-l', 'app.kubernetes.io/managed-by=monitor-stack', '-o', 'jsonpath={.items[*].metadata.name}').split(' ').filter(Boolean).sort();
  const secretValue = (name: string, key: string) => Buffer.from(kubectl('e2e', 'get', 'secret', name, '-n', ns, '-o', `jsonpath={.data.${key.replace(/\./g, '\\.')}}`), 'base64').toString();
  const receiverSecret = `${rel.prometheus}-alertmanager-receivers`;
  const adminPassword = () => secretValue(`${rel.grafana}-admin-credentials`, 'admin-password');
  const history = async () => JSON.parse((await cli({}, 'history', '--env', 'fail', '-o', 'json')).stdout) as { revision: number; kind: string; outcome: string; message?: string; releases: { release: string; before: number | null; after: number | null; result: string }[] }[];
  /** The private temp folder of every run is removed, failed runs included. */
  const tempLeft = () => readdirSync(tmp);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `monitor-stack-failures-${h}-`));
    tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    // Two contexts; the current one is the other control plane.
    const main = parse(readFileSync(env.kubeconfig, 'utf8'));
    const other = parse(readFileSync(env.otherKubeconfig, 'utf8'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, stringify({ apiVersion: 'v1', kind: 'Config', clusters: [...main.clusters, ...other.clusters], users: [...main.users, ...other.users], contexts: [...main.contexts, ...other.contexts], 'current-context': 'other' }), { mode: 0o600 });
    const wrapper = join(dir, 'helm');
    const stopApi = `${process.execPath} -e "import('${join(ROOT, 'scripts', 'cluster.mjs')}').then((c) => c.stopApiServer('${env.clusterDir}'))"`;
    writeFileSync(
      wrapper,
      [
        '#!/bin/sh',
        'case "$*" in *--dry-run*) ;; *)',
        '  if [ "$1" = upgrade ] && [ -n "$E2E_FAIL_RELEASE" ] && [ "$2" = "$E2E_FAIL_RELEASE" ]; then set -- "$@" --set-string "$E2E_FAIL_SET" --timeout 6s; fi',
        `  if [ "$1" = upgrade ] && [ -n "$E2E_STOP_API_BEFORE" ] && [ "$2" = "$E2E_STOP_API_BEFORE" ]; then ${stopApi}; fi`,
        ';; esac',
        `exec '${env[helmName]}' "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    cliEnv = { ...isolatedEnv(dir, kubeconfig), MONITOR_STACK_HELM: wrapper, TMPDIR: tmp, SLACK_URL: slackUrl };
    writeFileSync(
      join(dir, 'monitor-stack.yaml'),
      oneRepositoryConfig(env.realRepoUrl!, {
        fail: {
          namespace: ns,
          kubeContext: 'e2e',
          preset: 'standard',
          storageClass: 'standard',
          charts: { prometheus: { release: rel.prometheus }, grafana: { release: rel.grafana }, promtail: { release: rel.promtail } },
          alertmanager: { receivers: [{ name: 'slack', type: 'slack', webhookUrl: 'env:SLACK_URL', channel: '#alerts' }] },
        },
      }),
    );
  });

  afterAll(() => {
    for (const name of Object.keys(listed())) helm('uninstall', name, '--namespace', ns);
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['prometheus', 'grafana', 'promtail'] as const)('a first install failing in %s is undone: no release left, PVCs kept, the receiver Secret it created deleted', async (chart) => {
    const r = await failing(chart);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toContain(`helm upgrade of release ${rel[chart]} failed`);
    expect(r.stderr).toContain('Every release this run touched is back at the revision it had before');
    expect(listed()).toEqual({});
    // Releases before the failing one were installed and are uninstalled; those after never started.
    const order = ['prometheus', 'grafana', 'promtail'] as const;
    for (const c of order.slice(0, order.indexOf(chart))) expect(r.stderr).toContain(`${rel[c]}: uninstalled (this run installed it)`);
    for (const c of order.slice(order.indexOf(chart) + 1)) expect(r.stdout).toMatch(new RegExp(`${rel[c]}\\s+${c}\\s+\\S+\\s+-\\s+not installed\\s+not started`));
    expect(pvcs()).toEqual(expect.arrayContaining([`${rel.prometheus}-server`]));
    expect(ourSecrets()).not.toContain(receiverSecret);
    // The generated Grafana admin Secret stays once Grafana was started with it (its volume keeps that password).
    // (the promtail case finds the one the grafana case kept, and leaves it as it found it).
    if (chart === 'prometheus') expect(ourSecrets()).toEqual([]);
    else expect(ourSecrets()).toEqual([`${rel.grafana}-admin-credentials`]);
    if (chart === 'grafana') expect(r.stderr).toContain(`Secret ${rel.grafana}-admin-credentials kept: this run created it and started Grafana with it`);
    expect((await history()).at(-1)).toMatchObject({ kind: 'upgrade', outcome: 'rolled-back' });
    expect(tempLeft()).toEqual([]);
  });

  it('then a clean install succeeds over the kept volumes', async () => {
    const r = await cli({}, 'upgrade', '--env', 'fail', '--yes');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(listed()).toEqual({ [rel.prometheus]: '1 deployed', [rel.grafana]: '1 deployed', [rel.promtail]: '1 deployed' });
    expect(secretValue(receiverSecret, 'slack-webhook-url')).toBe(slackUrl);
  });

  it.each(['prometheus', 'grafana', 'promtail'] as const)('an upgrade of all three failing in %s is undone: every release back, the receiver Secret restored, the Grafana password unchanged', async (chart) => {
    const before = { listed: listed(), values: values(), password: adminPassword() };
    const r = await cli({ E2E_FAIL_RELEASE: rel[chart], E2E_FAIL_SET: `${podAnnotations[chart]}.${NEVER_READY}`, SLACK_URL: `${slackUrl}-rotated` }, 'upgrade', '--env', 'fail', '--yes', '--parallel', '1', '--retention', '40d', '--loki-url', 'http://loki.failures.example/loki/api/v1/push');
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toContain(`helm upgrade of release ${rel[chart]} failed`);
    expect(r.stderr).toContain(`Secret ${receiverSecret} restored`);
    expect(r.stderr).toContain('Every release this run touched is back at the revision it had before');
    expect(values()).toEqual(before.values);
    expect(Object.values(listed()).every((s) => s.endsWith(' deployed'))).toBe(true);
    const order = ['prometheus', 'grafana', 'promtail'] as const;
    for (const c of order.slice(0, order.indexOf(chart))) expect(r.stderr).toContain(`${rel[c]}: rolled back to revision ${before.listed[rel[c]]!.split(' ')[0]}`);
    for (const c of order.slice(order.indexOf(chart) + 1)) expect(listed()[rel[c]]).toBe(before.listed[rel[c]]);
    expect(secretValue(receiverSecret, 'slack-webhook-url')).toBe(slackUrl);
    expect(adminPassword()).toBe(before.password);
    expect((await history()).at(-1)).toMatchObject({ kind: 'upgrade', outcome: 'rolled-back' });
    expect(tempLeft()).toEqual([]);
  });

  it('the API server stops between two releases: exit 1 saying what is left; once it is back, preflight finds it and upgrade --recover repairs it', async () => {
    const before = { listed: listed(), values: values() };
    const change = ['--retention', '41d', '--loki-url', 'http://loki.failures.example/loki/api/v1/push'];
    const lost = await cli({ E2E_STOP_API_BEFORE: rel.grafana }, 'upgrade', '--env', 'fail', '--yes', '--parallel', '1', ...change);
    try {
      expect(lost.exitCode, lost.stderr).toBe(1);
      expect(lost.stderr).toContain(`${rel.prometheus}: deployed, revision`);
      expect(lost.stderr).toContain(`helm upgrade of release ${rel.grafana} failed`);
      expect(lost.stderr).toContain(`${rel.prometheus}: NOT undone, state unknown: the Kubernetes API did not answer (connect ECONNREFUSED`);
      expect(lost.stderr).toContain('The run could NOT be fully undone. To finish by hand:');
      expect(lost.stderr).toContain(`helm rollback ${rel.prometheus} ${before.listed[rel.prometheus]!.split(' ')[0]} --namespace ${ns} --kube-context e2e`);
      expect(lost.stderr).toMatch(/stack revision \d+ could not be updated .*: it stays marked running/);
      expect(lost.stderr).toContain('could not be released');
      expect(lost.stderr).not.toMatch(/\bat .*\.js:\d+/);
      expect(tempLeft()).toEqual([]);
    } finally {
      const cluster = await import('../../scripts/cluster.mjs');
      await cluster.startApiServer(env.clusterDir);
    }
    // What the run left: prometheus upgraded, grafana and promtail not.
    const now = listed();
    expect(now[rel.prometheus]).toBe(`${Number(before.listed[rel.prometheus]!.split(' ')[0]) + 1} deployed`);
    expect(now[rel.grafana]).toBe(before.listed[rel.grafana]);
    const unfinished = (await history()).at(-1)!;
    expect(unfinished).toMatchObject({ kind: 'upgrade', outcome: 'running' });

    // Before anything else changes, an upgrade refuses (once the dead run's Lease expired) and names what is left.
    const refused = await cli({}, 'upgrade', '--env', 'fail', '--yes', '--lock-timeout', '60s', ...change);
    expect(refused.exitCode, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(`stack revision ${unfinished.revision} (upgrade by`);
    expect(refused.stderr).toContain('did not finish');
    expect(refused.stderr).toContain('--recover');
    const diff = await cli({}, 'diff', '--env', 'fail', ...change);
    expect(diff.exitCode).toBe(2);
    expect(diff.stderr).toContain(`${rel.prometheus}: at revision ${now[rel.prometheus]!.split(' ')[0]} (the run started from revision ${before.listed[rel.prometheus]!.split(' ')[0]})`);
    expect(diff.stderr).toContain(`${rel.grafana}: at revision ${before.listed[rel.grafana]!.split(' ')[0]}, as before the run`);
    expect(values()).not.toEqual(before.values);

    const recovered = await cli({}, 'upgrade', '--env', 'fail', '--yes', '--recover', ...change);
    expect(recovered.exitCode, recovered.stderr).toBe(0);
    expect(recovered.stderr).toContain(`${rel.prometheus}: rolled back to revision ${before.listed[rel.prometheus]!.split(' ')[0]}`);
    expect(recovered.stderr).toContain(`stack revision ${unfinished.revision} closed as interrupted`);
    expect(recovered.stdout.match(/ upgraded /g)).toHaveLength(3);
    const recorded = await history();
    expect(recorded.find((r) => r.revision === unfinished.revision)).toMatchObject({ outcome: 'interrupted' });
    expect(recorded.slice(-2).map((r) => [r.kind, r.outcome])).toEqual([
      ['recover', 'succeeded'],
      ['upgrade', 'succeeded'],
    ]);
    expect((values()[rel.prometheus] as { server: { retention: string } }).server.retention).toBe('41d');
  });

  it('rollback and uninstall act on context e2e too; the current context, another control plane, holds nothing of any run', async () => {
    const back = await cli({}, 'rollback', '--env', 'fail', '--yes');
    expect(back.exitCode, back.stderr).toBe(0);
    expect((values()[rel.prometheus] as { server: { retention: string } }).server.retention).not.toBe('41d');
    const gone = await cli({}, 'uninstall', '--env', 'fail', '--yes', '--delete-data', '--confirm-namespace', ns);
    expect(gone.exitCode, gone.stderr).toBe(0);
    expect(listed()).toEqual({});
    expect(pvcs()).toEqual([]);

    // The other control plane: only its own namespaces, no helm release, nothing labelled by monitor-stack.
    expect(kubectl('other', 'get', 'namespaces', '-o', 'jsonpath={.items[*].metadata.name}').split(' ').sort()).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    expect(kubectl('other', 'get', 'secrets', '--all-namespaces', '-l', 'owner=helm', '-o', 'name')).toBe('');
    for (const kind of ['configmaps', 'secrets', 'leases', 'persistentvolumeclaims']) expect(kubectl('other', 'get', kind, '--all-namespaces', '-l', 'app.kubernetes.io/managed-by=monitor-stack', '-o', 'name')).toBe('');
    expect(kubectl('other', 'get', 'clusterroles', '-o', 'name')).not.toContain(rel.prometheus);
  });
});
