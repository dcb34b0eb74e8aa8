/**
 * The whole path on real parts, once per helm major, with the fixture charts: `init
 * --non-interactive` → plan → `upgrade --yes` into a real kube-apiserver from a real chart
 * repository, every upgrade waiting for readiness (the pods run on kwok's fake nodes and become
 * Ready; a NoSchedule taint on every node stands for a full cluster); then what a second run must not do (no empty revision), diff of a changed answer,
 * drift, a Secret change, saved plans, a failed --wait upgrade undone, risks refused before any
 * change, a second environment colliding on a ClusterRole, and the secret canary (argv included).
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { isolatedEnv, recordedCalls, ROOT, runCli, writeHelmRecorder, type CliResult } from '../support/run.js';

const e2e = inject('e2e');
const skip = inject('e2eSkip');
if (skip) describe.skip(skip, () => it('skipped', () => {}));

/** helm calls that change a cluster: every upgrade but a server-side dry run, rollbacks, uninstalls. */
const changingCalls = (calls: string[]) => calls.filter((c) => /^(upgrade|rollback|uninstall) /.test(c) && !c.includes('--dry-run=server'));

/** Every process command line seen while it runs (sampled from /proc every 20 ms). */
function sampleArgv(): { stop: () => string[] } {
  const seen = new Set<string>();
  const tick = () => {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        seen.add(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '));
      } catch {}
    }
  };
  const timer = setInterval(tick, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return [...seen];
    },
  };
}

/** SIGKILL to a process and to every process group it started (helm runs in its own). */
function killTree(pid: number): void {
  const children = (parent: number): number[] =>
    readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return Number(readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]) === parent;
        } catch {
          return false;
        }
      })
      .map(Number);
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...children(all[i]!));
  for (const p of all) {
    try {
      process.kill(-p, 'SIGKILL');
    } catch {
      try {
        process.kill(p, 'SIGKILL');
      } catch {}
    }
  }
}

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
  let argv: { stop: () => string[] };
  const outputs: CliResult[] = [];

  const cliWith = async (extraEnv: Record<string, string>, ...args: string[]) => {
    const r = await runCli(args, { cwd: dir, env: { ...cliEnv, ...extraEnv } });
    outputs.push(r);
    return r;
  };
  const cli = (...args: string[]) => cliWith({}, ...args);
  const kubectl = (...args: string[]) => execFileSync(env.kubectl, args, { env: { ...process.env, KUBECONFIG: env.kubeconfig }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const receiverSecret = () => Buffer.from(kubectl('get', 'secret', 'prometheus-alertmanager-receivers', '-n', ns, '-o', 'jsonpath={.data.slack-webhook-url}'), 'base64').toString();
  const helm = (...args: string[]) => execFileSync(realHelm, args, { env: { ...process.env, ...cliEnv }, encoding: 'utf8' });
  // Pending releases too (helm list shows deployed and failed ones only by default; Helm 4 has no --all).
  const releases = (namespace = ns) => JSON.parse(helm('list', '--namespace', namespace, '--deployed', '--failed', '--pending', '--output', 'json')) as { name: string; revision: string; status: string; chart: string }[];
  const revisions = () => Object.fromEntries(releases().map((r) => [r.name, r.revision]));
  const values = (release: string, namespace = ns) => JSON.parse(helm('get', 'values', release, '--namespace', namespace, '--output', 'json')) as Record<string, unknown>;
  const retention = () => (values('prometheus').server as { retention: string }).retention;
  const namespaceExists = (name: string) => {
    try {
      kubectl('get', 'namespace', name);
      return true;
    } catch (err) {
      expect(String((err as { stderr?: string }).stderr)).toMatch(/NotFound/);
      return false;
    }
  };
  /** Runs `fn` while every node refuses new pods (a NoSchedule taint), as a full cluster would. */
  const whileUnschedulable = async <T>(fn: () => Promise<T>): Promise<T> => {
    kubectl('taint', 'nodes', '--all', 'monitor-stack.io/e2e-full=true:NoSchedule');
    try {
      return await fn();
    } finally {
      kubectl('taint', 'nodes', '--all', 'monitor-stack.io/e2e-full-');
    }
  };
  const initArgs = (days: string) => [
    'init', '--non-interactive', '--env', 'dev', '--namespace', ns, '--storage-class', 'standard',
    '--grafana-host', `grafana.${helmName}.example.com`, '--tls-issuer', 'letsencrypt-staging',
    '--slack-webhook-url', 'env:E2E_SLACK_URL', '--slack-channel', '#e2e', '--retention', days,
  ];
  /**
   * `init --non-interactive` against this cluster's kubeconfig with the API server unreachable
   * (same context name, port 1): answers are not checked against the cluster, as documented.
   */
  const initOffline = async (...args: string[]) => {
    const offline = join(dir, 'offline-kubeconfig');
    writeFileSync(offline, readFileSync(env.kubeconfig, 'utf8').replace(/server: \S+/g, 'server: https://127.0.0.1:1'));
    const r = await cliWith({ KUBECONFIG: offline }, 'init', '--non-interactive', ...args);
    expect(r.stderr).toContain('note: cannot read the cluster, so answers are not checked against it');
    return r;
  };
  const editConfig = (path: string[], value: unknown) => {
    const file = parseDocument(readFileSync(join(dir, 'monitor-stack.yaml'), 'utf8'));
    file.setIn(path, file.createNode(value));
    writeFileSync(join(dir, 'monitor-stack.yaml'), file.toString());
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `monitor-stack-e2e-${helmName}-`));
    log = join(dir, 'helm-calls.log');
    cliEnv = {
      ...isolatedEnv(dir, env.kubeconfig),
      MONITOR_STACK_HELM: writeHelmRecorder(join(dir, 'helm'), log, realHelm),
      E2E_SLACK_URL: canary,
      // Every run's private temp folder is made here, so that afterEach can see it was removed.
      TMPDIR: join(dir, 'tmp'),
    };
    mkdirSync(cliEnv.TMPDIR!);
    // A mirror: every chart from the local repository. init keeps this base and adds environments.
    writeFileSync(
      join(dir, 'monitor-stack.yaml'),
      ['charts:', ...['prometheus', 'grafana', 'promtail'].map((c) => `  ${c}: {source: "${env.repoUrl}"}`), ''].join('\n'),
    );
    argv = sampleArgv();
  });

  // Success, failure, Ctrl-C, SIGTERM or a refusal: no run leaves its private temp folder behind.
  afterEach(() => {
    const left = readdirSync(cliEnv.TMPDIR!);
    // Removed first, so that only the test that left it fails.
    for (const f of left) rmSync(join(cliEnv.TMPDIR!, f), { recursive: true, force: true });
    expect(left, 'a run left its private temp folder').toEqual([]);
  });

  afterAll(() => {
    argv?.stop();
    // Leave the shared control plane as found: the other helm major installs the same cluster-wide names.
    for (const namespace of [ns, `${ns}-local`, `${ns}-second`]) for (const r of releases(namespace)) helm('uninstall', r.name, '--namespace', namespace);
    kubectl('delete', 'namespace', `${ns}-objects`, '--ignore-not-found', '--wait=false');
    rmSync(dir, { recursive: true, force: true });
  });

  it('before anything is installed, diff, --plan-out, --dry-run and upgrade without --yes change nothing', async () => {
    expect((await cli(...initArgs('15d'))).exitCode).toBe(0);
    const diff = await cli('diff', '--env', 'dev', '--detailed-exitcode');
    expect(diff.exitCode, diff.stderr).toBe(2);
    expect(diff.stdout).toContain('prometheus: 0 changed, 6 added, 0 removed, 0 drifted (new release, prometheus 29.27.0)');
    expect(diff.stdout).toContain('+ ClusterRole prometheus-server (rbac.authorization.k8s.io/v1) added');
    expect((await cli('upgrade', '--env', 'dev', '--plan-out', 'first.plan.json')).exitCode).toBe(0);
    expect((await cli('upgrade', '--env', 'dev', '--dry-run')).exitCode).toBe(0);
    const noYes = await cli('upgrade', '--env', 'dev');
    expect(noYes.exitCode).toBe(2);
    expect(noYes.stderr).toContain('a non-interactive run needs --yes');
    expect(noYes.stderr).toContain('Nothing was changed.');
    // Nothing in the cluster: no namespace (so no Secret and no release), and helm only read and dry-ran.
    expect(namespaceExists(ns)).toBe(false);
    expect(changingCalls(recordedCalls(log))).toEqual([]);
  });

  it('upgrade --yes installs three releases whose values equal the overlays', async () => {
    const up = await cli('upgrade', '--env', 'dev', '--yes');
    expect(up.stderr).toContain(`helm ${major}`);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/prometheus\s+prometheus\s+29\.27\.0\s+1\s+deployed\s+installed/);
    expect(up.stderr).toContain('Grafana Alloy'); // promtail's deprecation is said
    // helm waited for readiness, which the kwok nodes make real: every workload is ready.
    expect(kubectl('get', 'deployment', 'prometheus-server', 'grafana', '-n', ns, '-o', 'jsonpath={.items[*].status.readyReplicas}')).toBe('1 1');
    expect(kubectl('get', 'statefulset', 'prometheus-alertmanager', '-n', ns, '-o', 'jsonpath={.status.readyReplicas}')).toBe('1');
    expect(kubectl('get', 'pvc', 'prometheus-server', '-n', ns, '-o', 'jsonpath={.status.phase}')).toBe('Bound');
    expect(releases().map((r) => [r.name, r.status, r.chart]).sort()).toEqual([
      ['grafana', 'deployed', 'grafana-12.11.1'],
      ['prometheus', 'deployed', 'prometheus-29.27.0'],
      ['promtail', 'deployed', 'promtail-6.17.1'],
    ]);
    const rendered = await cli('render', '--env', 'dev', '--out', 'rendered');
    expect(rendered.exitCode).toBe(0);
    for (const chart of ['prometheus', 'grafana', 'promtail']) {
      expect(values(chart)).toEqual(parse(readFileSync(join(dir, 'rendered', 'dev', `${chart}.values.yaml`), 'utf8')));
    }
    expect(retention()).toBe('15d');
    // The receiver Secret holds the resolved value: the canary reached the cluster, so its absence elsewhere means something.
    expect(receiverSecret()).toBe(canary);
    expect(kubectl('get', 'secret', 'grafana-admin-credentials', '-n', ns, '-o', 'jsonpath={.data.admin-password}').length).toBeGreaterThan(20);
  });

  it('an unchanged second upgrade makes no new revision, and diff --detailed-exitcode exits 0', async () => {
    const password = kubectl('get', 'secret', 'grafana-admin-credentials', '-n', ns, '-o', 'jsonpath={.data.admin-password}');
    const callsBefore = recordedCalls(log).length;
    const up = await cli('upgrade', '--env', 'dev', '--yes');
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).toContain('Nothing to change');
    expect(up.stdout).toMatch(/grafana\s+grafana\s+12\.11\.1\s+1\s+deployed\s+unchanged: skipped/);
    expect(revisions()).toEqual({ prometheus: '1', grafana: '1', promtail: '1' });
    expect(kubectl('get', 'secret', 'grafana-admin-credentials', '-n', ns, '-o', 'jsonpath={.data.admin-password}')).toBe(password);
    // helm processes: version, one repo add (it fetches the index), one server-side dry run per release; no upgrade.
    const calls = recordedCalls(log).slice(callsBefore);
    expect(calls.map((c) => c.split(' ').slice(0, 2).join(' ')).sort()).toEqual(['repo add', 'upgrade grafana', 'upgrade prometheus', 'upgrade promtail', 'version --template']);
    expect(calls.filter((c) => c.startsWith('upgrade')).every((c) => c.includes('--dry-run=server'))).toBe(true);
    const diff = await cli('diff', '--env', 'dev', '--detailed-exitcode');
    expect(diff.exitCode, diff.stderr).toBe(0);
    expect(diff.stdout).toContain('prometheus: 0 changed, 0 added, 0 removed, 0 drifted (no change)');
  });

  it('a changed answer: diff shows exactly that change and exits 2; upgrade makes a revision of that release only', async () => {
    expect((await cli(...initArgs('30d'))).exitCode).toBe(0);
    const diff = await cli('diff', '--env', 'dev', '--detailed-exitcode');
    expect(diff.exitCode, diff.stderr).toBe(2);
    expect(diff.stdout).toContain('prometheus: 1 changed, 0 added, 0 removed, 0 drifted (values changed)');
    expect(diff.stdout).toContain('~ Deployment e2e-helm');
    expect(diff.stdout).toMatch(/-\s+- --storage\.tsdb\.retention\.time=15d\n\s+\+\s+- --storage\.tsdb\.retention\.time=30d/);
    expect(diff.stdout).toContain('grafana: 0 changed, 0 added, 0 removed, 0 drifted (no change)');
    const json = JSON.parse((await cli('diff', '--env', 'dev', '-o', 'json')).stdout);
    expect(json.changes).toBe(true);
    expect(json.releases[0]).toMatchObject({
      release: 'prometheus',
      action: 'upgrade',
      valuesChanged: true,
      summary: { changed: 1, added: 0, removed: 0, drifted: 0 },
      resources: [{ resource: `apps/v1/Deployment/${ns}/prometheus-server`, kind: 'Deployment', change: 'changed', fields: ['spec.template.spec.containers[0].args[0]'] }],
    });
    const up = await cli('upgrade', '--env', 'dev', '--yes');
    expect(up.exitCode, up.stderr).toBe(0);
    expect(revisions()).toEqual({ prometheus: '2', grafana: '1', promtail: '1' });
    expect(retention()).toBe('30d');
    const status = JSON.parse((await cli('status', '--env', 'dev', '--output', 'json')).stdout) as { release: string; revision: number; status: string }[];
    expect(status.find((s) => s.release === 'prometheus')).toMatchObject({ revision: 2, status: 'deployed' });
  });

  it('kubectl edit of a managed object shows up as drift', async () => {
    const datasources = kubectl('get', 'configmap', 'grafana-datasources', '-n', ns, '-o', 'jsonpath={.data.datasources\\.yaml}');
    expect(datasources).toContain('prometheus-server');
    kubectl('scale', 'deployment', 'grafana', '-n', ns, '--replicas=3');
    kubectl('patch', 'configmap', 'grafana-datasources', '-n', ns, '--type=merge', '-p', '{"data":{"datasources.yaml":"edited"}}');
    const diff = await cli('diff', '--env', 'dev', '--detailed-exitcode');
    expect(diff.exitCode, diff.stderr).toBe(0); // drift alone is not a change upgrade makes
    expect(diff.stdout).toContain('grafana: 0 changed, 0 added, 0 removed, 2 drifted (no change)');
    expect(diff.stdout).toContain(`≠ Deployment ${ns}/grafana drifted in the cluster: spec.replicas`);
    expect(diff.stdout).toContain(`≠ ConfigMap ${ns}/grafana-datasources drifted in the cluster: data["datasources.yaml"]`);
    const json = JSON.parse((await cli('diff', '--env', 'dev', '-o', 'json')).stdout);
    expect(json.releases[1].drift).toEqual([
      { resource: `v1/ConfigMap/${ns}/grafana-datasources`, kind: 'ConfigMap', namespace: ns, name: 'grafana-datasources', fields: ['data["datasources.yaml"]'] },
      { resource: `apps/v1/Deployment/${ns}/grafana`, kind: 'Deployment', namespace: ns, name: 'grafana', fields: ['spec.replicas'] },
    ]);
    // Edit it back by hand: the release stays at revision 1, and the next diff is clean.
    kubectl('scale', 'deployment', 'grafana', '-n', ns, '--replicas=1');
    kubectl('patch', 'configmap', 'grafana-datasources', '-n', ns, '--type=merge', '-p', JSON.stringify({ data: { 'datasources.yaml': datasources } }));
    expect((await cli('diff', '--env', 'dev', '--detailed-exitcode')).exitCode).toBe(0);
    expect(JSON.parse((await cli('diff', '--env', 'dev', '-o', 'json')).stdout).releases[1].drift).toEqual([]);
  });

  it('a Secret change shows key names only', async () => {
    const rotated = `${canary}-rotated`;
    const diff = await cliWith({ E2E_SLACK_URL: rotated }, 'diff', '--env', 'dev', '--detailed-exitcode');
    expect(diff.exitCode, diff.stderr).toBe(2);
    expect(diff.stdout).toContain('Secret prometheus-alertmanager-receivers: replace (keys changed: slack-webhook-url)');
    const json = await cliWith({ E2E_SLACK_URL: rotated }, 'diff', '--env', 'dev', '-o', 'json');
    expect(JSON.parse(json.stdout).secrets).toEqual([
      { name: 'prometheus-alertmanager-receivers', action: 'replace', changedKeys: ['slack-webhook-url'] },
      { name: 'grafana-admin-credentials', action: 'unchanged', changedKeys: [] },
    ]);
    for (const o of [diff, json]) expect(o.stdout + o.stderr).not.toContain(canary);
  });

  it('a saved plan applies; a saved plan applied after the cluster moved on is refused', async () => {
    const save = await cli('upgrade', '--env', 'dev', '--retention', '45d', '--plan-out', 'p1.json');
    expect(save.exitCode, save.stderr).toBe(0);
    expect(retention()).toBe('30d');
    const saved = JSON.parse(readFileSync(join(dir, 'p1.json'), 'utf8'));
    expect(saved.plan.releases[0]).toMatchObject({ release: 'prometheus', action: 'upgrade', installed: { revision: 2 } });
    const apply = await cli('upgrade', '--env', 'dev', '--retention', '45d', '--plan', 'p1.json');
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(retention()).toBe('45d');

    expect((await cli('upgrade', '--env', 'dev', '--retention', '50d', '--plan-out', 'p2.json')).exitCode).toBe(0);
    expect((await cli('upgrade', '--env', 'dev', '--retention', '55d', '--yes')).exitCode).toBe(0); // someone else moved the cluster
    const stale = await cli('upgrade', '--env', 'dev', '--retention', '50d', '--plan', 'p2.json');
    expect(stale.exitCode).toBe(2);
    expect(stale.stderr).toContain('the saved plan p2.json no longer matches the cluster or the settings; nothing was changed.');
    expect(stale.stderr).toContain('release prometheus was revision 3 (deployed) when planned, now revision 4 (deployed)');
    expect(retention()).toBe('55d');
    // Back to the answer in the file.
    expect((await cli('upgrade', '--env', 'dev', '--yes')).exitCode).toBe(0);
    expect(retention()).toBe('30d');
  });

  it('a failed --wait upgrade is undone: every release back at its revision, the receiver Secret restored', async () => {
    // No node takes new pods: the new prometheus-server pod is never scheduled, so never Ready,
    // and waiting fails at the timeout (the old pod keeps running).
    const before = revisions();
    const r = await whileUnschedulable(() => cliWith({ E2E_SLACK_URL: `${canary}-rotated` }, 'upgrade', '--env', 'dev', '--yes', '--timeout', '4s', '--retention', '60d', '--parallel', '1'));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Secret prometheus-alertmanager-receivers replaced');
    expect(r.stderr).toContain('Secret prometheus-alertmanager-receivers restored');
    expect(receiverSecret()).toBe(canary);
    expect(r.stderr).toContain('helm upgrade of release prometheus failed');
    expect(r.stderr).toMatch(/prometheus: rolled back (by helm )?to revision 5/);
    expect(r.stderr).toContain('Every release this run touched is back at the revision it had before');
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace without --debug
    expect(r.stdout).toMatch(/grafana\s+grafana\s+12\.11\.1\s+\d+\s+deployed\s+unchanged: skipped/);
    const prom = releases().find((x) => x.name === 'prometheus')!;
    expect(prom.status).toBe('deployed');
    expect(retention()).toBe('30d');
    expect(revisions().grafana).toBe(before.grafana);
  });

  it('a StorageClass change on installed volumes is refused in preflight, before any change', async () => {
    const before = releases();
    const callsBefore = recordedCalls(log).length;
    const r = await cli('upgrade', '--env', 'dev', '--yes', '--storage-class', 'fast-ssd');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('server.persistentVolume.storageClass would change from standard to fast-ssd, but the StorageClass of an existing volume cannot change');
    expect(r.stderr).toContain('persistence.storageClassName would change from standard to fast-ssd');
    expect(changingCalls(recordedCalls(log).slice(callsBefore))).toEqual([]);
    expect(releases()).toEqual(before);
  });

  it('a StatefulSet whose volumeClaimTemplates change is refused; --allow-recreate recreates it and keeps the PVC', async () => {
    // The PVC the StatefulSet controller would have made from the template.
    const pvc = JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'storage-prometheus-alertmanager-0', namespace: ns }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'standard', resources: { requests: { storage: '2Gi' } } } });
    execFileSync(env.kubectl, ['apply', '-f', '-'], { env: { ...process.env, KUBECONFIG: env.kubeconfig }, input: pvc });
    editConfig(['environments', 'dev', 'alertmanager', 'storageSize'], '4Gi');
    const before = revisions();
    const refused = await cli('upgrade', '--env', 'dev', '--yes');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(`StatefulSet ${ns}/prometheus-alertmanager: spec.volumeClaimTemplates cannot change on an existing object`);
    expect(refused.stderr).toContain('--allow-recreate');
    expect(revisions()).toEqual(before);
    const uid = kubectl('get', 'statefulset', 'prometheus-alertmanager', '-n', ns, '-o', 'jsonpath={.metadata.uid}');
    const up = await cli('upgrade', '--env', 'dev', '--yes', '--allow-recreate');
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).toContain(`prometheus: StatefulSet ${ns}/prometheus-alertmanager deleted to be created anew (pods orphaned, PVCs kept)`);
    expect(kubectl('get', 'statefulset', 'prometheus-alertmanager', '-n', ns, '-o', 'jsonpath={.metadata.uid}')).not.toBe(uid);
    expect(kubectl('get', 'statefulset', 'prometheus-alertmanager', '-n', ns, '-o', 'jsonpath={.spec.volumeClaimTemplates[0].spec.resources.requests.storage}')).toBe('4Gi');
    expect(kubectl('get', 'pvc', 'storage-prometheus-alertmanager-0', '-n', ns, '-o', 'jsonpath={.spec.resources.requests.storage}')).toBe('2Gi');
  });

  it('a second environment in another namespace with the same release names is refused, naming the ClusterRole and its owner', async () => {
    const second = `${ns}-second`;
    expect((await cli('init', '--non-interactive', '--env', 'second', '--namespace', second, '--preset', 'minimal', '--no-tls')).exitCode).toBe(0);
    const r = await cli('upgrade', '--env', 'second', '--yes');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`ClusterRole prometheus-server (release prometheus in namespace ${ns})`);
    expect(r.stderr).toContain(`charts.prometheus.release in monitor-stack.yaml, e.g. prometheus-${second}`);
    expect(namespaceExists(second)).toBe(false);
  });

  it('an upgrade naming a missing StorageClass fails in preflight and creates nothing', async () => {
    const brokenNs = `${ns}-broken`;
    const callsBefore = recordedCalls(log).length;
    const configBefore = readFileSync(join(dir, 'monitor-stack.yaml'), 'utf8');
    const init = await cli('init', '--non-interactive', '--env', 'broken', '--namespace', brokenNs, '--storage-class', 'does-not-exist', '--no-tls');
    // init reads the cluster and refuses it at once, listing what exists.
    expect(init.exitCode).toBe(2);
    expect(init.stderr).toMatch(/--storage-class "does-not-exist": the cluster of context \S+ has no such StorageClass\. Available: fast-ssd, standard \(default\)\./);
    expect(readFileSync(join(dir, 'monitor-stack.yaml'), 'utf8')).toBe(configBefore);
    // A file written where the cluster could not be read (or a class deleted since) meets preflight.
    expect((await initOffline('--env', 'broken', '--namespace', brokenNs, '--storage-class', 'does-not-exist', '--no-tls')).exitCode).toBe(0);
    const r = await cli('upgrade', '--env', 'broken', '--yes');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('StorageClass "does-not-exist" does not exist');
    expect(r.stderr).toContain('Available: fast-ssd, standard (default)');
    expect(r.stderr).toContain('nothing was changed');
    expect(changingCalls(recordedCalls(log).slice(callsBefore))).toEqual([]);
    expect(namespaceExists(brokenNs)).toBe(false);
  });

  // Each kind of object the settings name, missing from the cluster: refused by preflight (exit 2)
  // with what exists, before any change. Environment "objects" lives in a namespace that exists
  // and holds one Secret with the wrong key; nothing else may appear in it.
  it.each([
    { kind: 'IngressClass', flags: ['--grafana-host', 'g.objects.example.com', '--ingress-class', 'traefik', '--no-tls'], says: ['IngressClass "traefik" does not exist', 'Available: nginx (default)'], initRefuses: ['has no such IngressClass. Available: nginx (default).'] },
    { kind: 'ClusterIssuer', flags: ['--grafana-host', 'g.objects.example.com', '--tls-issuer', 'letsencrypt-prod'], says: ['ClusterIssuer "letsencrypt-prod" does not exist', 'Available: letsencrypt-staging'], initRefuses: ['has no such ClusterIssuer. Available: letsencrypt-staging.'] },
    { kind: 'TLS Secret', flags: ['--grafana-host', 'g.objects.example.com', '--tls-secret', 'wildcard-tls'], says: ['Secret "wildcard-tls" (TLS certificate) does not exist in namespace'] },
    { kind: 'Grafana admin Secret', flags: ['--no-tls', '--grafana-admin-secret', 'grafana-admin'], says: ['Secret "grafana-admin" (Grafana admin) does not exist in namespace'] },
    { kind: 'receiver Secret key', flags: ['--no-tls', '--webhook-url', 'secret:receivers/webhook-url'], says: ['Secret "receivers" (Alertmanager receiver) has no key "webhook-url"', 'Keys present: other-key, pd-key'] },
    { kind: 'Grafana admin Secret value', flags: ['--no-tls', '--grafana-admin-secret', 'grafana-admin-empty'], says: ['Secret "grafana-admin-empty" (Grafana admin) key "admin-password": the value is empty; the value is not shown.'] },
    { kind: 'receiver Secret value', flags: ['--no-tls', '--pagerduty-routing-key', 'secret:receivers/pd-key'], says: ['secret:receivers/pd-key (receiver pagerduty, routingKey): the value must be a PagerDuty Events API v2 integration key: 32 letters and digits; the value is not shown.'] },
  ])('a missing or wrong $kind is refused by preflight, naming what exists, and nothing is created', async ({ flags, says, initRefuses }: { flags: string[]; says: string[]; initRefuses?: string[] }) => {
    const objectsNs = `${ns}-objects`;
    if (!namespaceExists(objectsNs)) {
      kubectl('create', 'namespace', objectsNs);
      kubectl('create', 'secret', 'generic', 'receivers', '-n', objectsNs, '--from-literal=other-key=x', '--from-literal=pd-key=SHORTCANARY');
      kubectl('create', 'secret', 'generic', 'grafana-admin-empty', '-n', objectsNs, '--from-literal=admin-user=SHORTCANARY', '--from-literal=admin-password=');
    }
    // kube-root-ca.crt is the controller-manager's, and may appear at any moment after the namespace.
    const objects = () => kubectl('get', 'secrets,configmaps,leases', '-n', objectsNs, '-o', 'name').split('\n').filter((o) => o !== 'configmap/kube-root-ca.crt');
    const before = objects();
    const callsBefore = recordedCalls(log).length;
    const initArgs = ['--env', 'objects', '--namespace', objectsNs, '--preset', 'minimal', ...flags];
    const init = await cli('init', '--non-interactive', ...initArgs);
    if (initRefuses) {
      // init reads IngressClasses and ClusterIssuers, so it refuses these first, naming what exists.
      expect(init.exitCode).toBe(2);
      for (const s of initRefuses) expect(init.stderr).toContain(s);
      expect((await initOffline(...initArgs)).exitCode).toBe(0);
    } else expect(init.exitCode, init.stderr).toBe(0);
    const r = await cli('upgrade', '--env', 'objects', '--yes');
    expect(r.exitCode, r.stderr).toBe(2);
    for (const s of says) expect(r.stderr).toContain(s);
    expect(r.stderr + r.stdout).not.toContain('SHORTCANARY');
    expect(r.stderr).toContain('nothing was changed');
    expect(changingCalls(recordedCalls(log).slice(callsBefore))).toEqual([]);
    expect(objects()).toEqual(before);
    expect(releases(objectsNs)).toEqual([]);
  });

  it('a chart from a local folder (air-gapped) installs from that folder, relative to the config file', async () => {
    const localNs = `${ns}-local`;
    cpSync(join(ROOT, 'test', 'fixtures', 'charts', 'promtail'), join(dir, 'vendor', 'promtail'), { recursive: true });
    // Its own release name for prometheus, so its ClusterRole does not collide with environment dev's.
    editConfig(['environments', 'local'], { namespace: localNs, preset: 'minimal', components: { grafana: false }, charts: { prometheus: { release: 'prometheus-local' }, promtail: { source: './vendor/promtail' } } });
    // helm ignores --version for a folder, so preflight pins it: another version there is refused.
    const chartYaml = join(dir, 'vendor', 'promtail', 'Chart.yaml');
    const pinned = readFileSync(chartYaml, 'utf8');
    writeFileSync(chartYaml, pinned.replace(/^version: 6\.17\.1$/m, 'version: 6.16.0'));
    const callsBefore = recordedCalls(log).length;
    const other = await cli('upgrade', '--env', 'local', '--yes');
    expect(other.exitCode, other.stderr).toBe(2);
    expect(other.stderr).toContain(`local chart folder ${join(dir, 'vendor', 'promtail')} holds chart promtail 6.16.0, but release promtail is pinned to promtail 6.17.1.`);
    expect(changingCalls(recordedCalls(log).slice(callsBefore))).toEqual([]);
    expect(namespaceExists(localNs)).toBe(false);
    writeFileSync(chartYaml, pinned);
    const r = await cli('upgrade', '--env', 'local', '--yes');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(recordedCalls(log).filter((c) => c.startsWith('upgrade promtail')).at(-1)).toContain(`upgrade promtail ${join(dir, 'vendor', 'promtail')} --install`);
    const listed = releases(localNs);
    expect(listed.map((x) => [x.name, x.chart, x.status]).sort()).toEqual([
      ['prometheus-local', 'prometheus-29.27.0', 'deployed'],
      ['promtail', 'promtail-6.17.1', 'deployed'],
    ]);
  });

  it('a run finding the lock held fails naming the holder and changes nothing; an expired lock is taken over and released', async () => {
    const micro = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    const putLease = (renewTime: string) =>
      execFileSync(env.kubectl, ['apply', '-f', '-'], {
        env: { ...process.env, KUBECONFIG: env.kubeconfig },
        input: JSON.stringify({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: 'monitor-stack-dev', namespace: ns, annotations: { 'monitor-stack.io/holder': JSON.stringify({ who: 'ci-job-77', host: 'runner-3', command: 'monitor-stack upgrade --env dev', since: '2026-11-22T10:00:00Z', runId: 'other-run' }) } },
          spec: { holderIdentity: 'other-run', leaseDurationSeconds: 30, renewTime },
        }),
      });
    putLease(micro(Date.now()));
    const before = revisions();
    const held = await cli('upgrade', '--env', 'dev', '--yes', '--retention', '31d');
    expect(held.exitCode).toBe(1);
    expect(held.stderr).toContain('another run holds the lock of environment dev: ci-job-77 on runner-3, running "monitor-stack upgrade --env dev", since 2026-11-22T10:00:00Z');
    expect(held.stderr).toContain('Nothing was changed.');
    expect(revisions()).toEqual(before);

    putLease(micro(Date.now() - 120_000));
    const taken = await cli('upgrade', '--env', 'dev', '--yes', '--retention', '31d');
    expect(taken.exitCode, taken.stderr).toBe(0);
    expect(taken.stderr).toMatch(/lock e2e-helm\d\/monitor-stack-dev was left by ci-job-77 on runner-3, .*; it expired \d+s ago and is taken over/);
    expect(retention()).toBe('31d');
    expect(() => kubectl('get', 'lease', 'monitor-stack-dev', '-n', ns)).toThrow(/NotFound/); // released
  });

  it('two upgrades at once: one applies, the other changes nothing and says why', async () => {
    const before = Number(revisions().prometheus);
    const runs = await Promise.all([1, 2].map(() => cli('upgrade', '--env', 'dev', '--yes')));
    expect(Number(revisions().prometheus)).toBe(before + 1);
    expect(retention()).toBe('30d');
    const applied = runs.filter((r) => r.exitCode === 0 && /upgraded/.test(r.stdout));
    expect(applied).toHaveLength(1);
    const other = runs.find((r) => r !== applied[0])!;
    if (other.exitCode === 1) expect(other.stderr).toContain('another run holds the lock of environment dev');
    else if (other.exitCode === 2) expect(other.stderr).toContain('another run changed the stack since this plan was made; nothing was changed.');
    else expect(other.stderr).toContain('Nothing to change');
  });

  it('history records every run that changed something; rollback restores all three releases, and can itself be rolled back', async () => {
    const history = async () => JSON.parse((await cli('history', '--env', 'dev', '-o', 'json')).stdout) as { revision: number; kind: string; outcome: string; who: string; message?: string; releases: { release: string; before: number | null; after: number | null }[] }[];
    const recorded = await history();
    expect(recorded.map((r) => r.revision)).toEqual(recorded.map((_, i) => i + 1));
    expect(recorded[0]).toMatchObject({ kind: 'upgrade', outcome: 'succeeded', releases: [{ release: 'prometheus', before: null, after: 1 }, { release: 'grafana', before: null, after: 1 }, { release: 'promtail', before: null, after: 1 }] });
    expect(recorded.find((r) => r.outcome === 'rolled-back')).toMatchObject({ message: expect.stringContaining('helm upgrade of release prometheus failed') });
    expect(recorded.every((r) => r.who.length > 0)).toBe(true);

    const valuesNow = () => Object.fromEntries(['prometheus', 'grafana', 'promtail'].map((r) => [r, values(r)]));
    const before = valuesNow();
    const loki = 'http://loki-e2e.logging/loki/api/v1/push';
    const up = await cli('upgrade', '--env', 'dev', '--yes', '--retention', '40d', '--loki-url', loki);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stdout.match(/ upgraded /g)).toHaveLength(3);
    const changed = valuesNow();
    expect(changed.prometheus).not.toEqual(before.prometheus);
    expect(changed.grafana).not.toEqual(before.grafana);
    expect(changed.promtail).not.toEqual(before.promtail);
    const upgradeRevision = (await history()).at(-1)!.revision;

    const noYes = await cli('rollback', '--env', 'dev');
    expect(noYes.exitCode).toBe(2);
    expect(noYes.stderr).toContain('a non-interactive run needs --yes');
    expect(valuesNow()).toEqual(changed);

    const back = await cli('rollback', '--env', 'dev', '--yes');
    expect(back.exitCode, back.stderr).toBe(0);
    expect(back.stderr).toContain(`Rollback to stack revision ${upgradeRevision - 1}`);
    expect(back.stderr).toMatch(/promtail: rolled back[\s\S]*grafana: rolled back[\s\S]*prometheus: rolled back/); // newest release first
    expect(valuesNow()).toEqual(before);
    expect((await history()).at(-1)).toMatchObject({ revision: upgradeRevision + 1, kind: 'rollback', outcome: 'succeeded' });

    const again = await cli('rollback', '--env', 'dev', '--yes'); // a rollback is a stack revision: it can be undone
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain(`Rollback to stack revision ${upgradeRevision}`);
    expect(valuesNow()).toEqual(changed);

    const older = await cli('rollback', '--env', 'dev', '--yes', '--to', String(upgradeRevision - 1));
    expect(older.exitCode, older.stderr).toBe(0);
    expect(valuesNow()).toEqual(before);
    const failed = (await history()).find((r) => r.outcome === 'rolled-back')!;
    const refused = await cli('rollback', '--env', 'dev', '--yes', '--to', '999');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('stack revision 999 is not recorded');
    expect(failed.kind).toBe('upgrade');

    const releaseHistory = JSON.parse((await cli('history', '--env', 'dev', '--release', 'prometheus', '-o', 'json')).stdout) as { status: string; description: string }[];
    expect(releaseHistory.some((r) => r.status === 'failed')).toBe(true);
    expect(releaseHistory.at(-1)).toMatchObject({ status: 'deployed', description: expect.stringMatching(/^Rollback to \d+/) });
  });

  it('a killed upgrade leaves a pending release: preflight reports it with its age; upgrade --recover puts it back and records it', async () => {
    // A SIGKILLed run cannot remove its private temp folder: keep it under this test's folder.
    const killedTmp = join(dir, 'killed-tmp');
    mkdirSync(killedTmp);
    const killed = spawn(process.execPath, [join(ROOT, 'bin', 'monitor-stack.js'), 'upgrade', '--env', 'dev', '--yes', '--timeout', '120s', '--retention', '50d'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...cliEnv, TMPDIR: killedTmp },
      detached: true,
      stdio: 'ignore',
    });
    // The new pod cannot be scheduled, so helm waits (pending-upgrade) until the kill.
    const pending = await whileUnschedulable(async () => {
      const until = Date.now() + 60_000;
      while (!releases().some((r) => r.name === 'prometheus' && r.status === 'pending-upgrade') && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
      killTree(killed.pid!); // monitor-stack and its helm (its own process group), as a CI runner's pod killed
      return releases().find((r) => r.name === 'prometheus')!;
    });
    expect(pending.status).toBe('pending-upgrade');

    const refused = await cli('upgrade', '--env', 'dev', '--yes');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`release prometheus is pending-upgrade at revision ${pending.revision} since \\d+s, left by an upgrade that did not finish \\(its last deployed revision is ${Number(pending.revision) - 1}\\)`));
    expect(refused.stderr).toContain('monitor-stack upgrade --env dev --recover');

    // The killed run's Lease is still there: it expires 30 s after its last renewal.
    const recovered = await cli('upgrade', '--env', 'dev', '--yes', '--recover', '--lock-timeout', '60s');
    expect(recovered.exitCode, recovered.stderr).toBe(0);
    expect(recovered.stderr).toContain(`prometheus: recovered from pending-upgrade: rolled back to revision ${Number(pending.revision) - 1}`);
    expect(releases().find((r) => r.name === 'prometheus')!.status).toBe('deployed');
    expect(retention()).toBe('30d');
    const history = JSON.parse((await cli('history', '--env', 'dev', '-o', 'json')).stdout) as { kind: string; outcome: string }[];
    expect(history.some((r) => r.kind === 'recover' && r.outcome === 'succeeded')).toBe(true);
  });

  /**
   * Starts an upgrade of prometheus, grafana and promtail (a Loki URL is in grafana's datasources too), one release at a time, whose helm upgrades take 3 s
   * longer (a wrapper sleeps, then runs the real helm); sends `signals` to monitor-stack alone once
   * prometheus is upgrading, as a terminal's Ctrl-C or a CI runner's SIGTERM does (helm runs in its
   * own process group).
   */
  const interruptedUpgrade = async (signals: NodeJS.Signals[]) => {
    const slow = join(dir, 'slow-helm');
    writeFileSync(slow, `#!/bin/sh\ncase "$*" in *--dry-run*) ;; upgrade*) sleep 3 ;; esac\nexec '${cliEnv.MONITOR_STACK_HELM}' "$@"\n`, { mode: 0o755 });
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'monitor-stack.js'), 'upgrade', '--env', 'dev', '--yes', '--parallel', '1', '--retention', '41d', '--loki-url', 'http://loki-other.example/loki/api/v1/push'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...cliEnv, MONITOR_STACK_HELM: slow },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number>((done) => child.on('exit', (code, signal) => done(code ?? (signal ? -1 : -2))));
    const until = Date.now() + 90_000;
    while (!stderr.includes('prometheus: upgrading') && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    for (const signal of signals) {
      child.kill(signal);
      await new Promise((r) => setTimeout(r, 300));
    }
    const exitCode = await exited;
    return { exitCode, stdout, stderr };
  };
  const lastStackRevision = async () => (JSON.parse((await cli('history', '--env', 'dev', '-o', 'json')).stdout) as { kind: string; outcome: string; message?: string; releases: { release: string; result: string }[] }[]).at(-1)!;

  it('Ctrl-C mid-run: the running helm upgrade finishes, no new release starts, the run is undone, the lock released, recorded interrupted, exit 130', async () => {
    const before = revisions();
    const retentionBefore = retention();
    const run = await interruptedUpgrade(['SIGINT', 'SIGINT']);
    expect(run.exitCode, run.stderr).toBe(130);
    expect(run.stderr).toContain('SIGINT: stopping. No new release starts; helm upgrade prometheus (running');
    expect(run.stderr).toMatch(/SIGINT again: still running: helm upgrade prometheus \(running \ds\)\. Stopping helm now can leave its release pending-upgrade/);
    expect(run.stderr).toContain('prometheus: rolled back to revision ' + before.prometheus);
    expect(run.stderr).toContain('stopped by SIGINT: grafana, promtail not started.');
    expect(run.stdout).toMatch(/promtail\s+promtail\s+6\.17\.1\s+\d+\s+deployed\s+not started/);
    expect(run.stdout).toMatch(/grafana\s+grafana\s+12\.11\.1\s+\d+\s+deployed\s+not started/);
    // The cluster: prometheus upgraded then rolled back (2 revisions), grafana and promtail untouched, values as before.
    expect(revisions()).toEqual({ ...before, prometheus: String(Number(before.prometheus) + 2) });
    expect(retention()).toBe(retentionBefore);
    expect(releases().every((r) => r.status === 'deployed')).toBe(true);
    expect(() => kubectl('get', 'lease', 'monitor-stack-dev', '-n', ns)).toThrow(/NotFound/);
    const recorded = await lastStackRevision();
    expect(recorded).toMatchObject({ kind: 'upgrade', outcome: 'interrupted', message: 'stopped by SIGINT: grafana, promtail not started.' });
  });

  it('SIGTERM mid-run (a CI job cancelled) does the same and exits 143', async () => {
    const before = revisions();
    const run = await interruptedUpgrade(['SIGTERM']);
    expect(run.exitCode, run.stderr).toBe(143);
    expect(run.stderr).toContain('stopped by SIGTERM: grafana, promtail not started.');
    expect(run.stderr).not.toContain('SIGTERM again: still running');
    expect(revisions()).toEqual({ ...before, prometheus: String(Number(before.prometheus) + 2) });
    expect((await lastStackRevision()).outcome).toBe('interrupted');
    expect(() => kubectl('get', 'lease', 'monitor-stack-dev', '-n', ns)).toThrow(/NotFound/);
  });

  it('the canary secret appears in no argv, file, overlay, plan, log or helm values', async () => {
    const processes = argv.stop();
    expect(processes.some((p) => p.includes('upgrade prometheus') && p.includes('--install'))).toBe(true); // the sampler saw helm run
    const seen: string[] = [
      ...processes,
      readFileSync(log, 'utf8'),
      readFileSync(join(dir, 'monitor-stack.yaml'), 'utf8'),
      ...['first.plan.json', 'p1.json', 'p2.json'].map((f) => readFileSync(join(dir, f), 'utf8')),
      ...readdirSync(join(dir, 'rendered', 'dev')).map((f) => readFileSync(join(dir, 'rendered', 'dev', f), 'utf8')),
      ...outputs.flatMap((o) => [o.stdout, o.stderr]),
      ...['prometheus', 'grafana', 'promtail'].flatMap((rel) => [helm('get', 'values', rel, '-n', ns, '--all'), helm('get', 'manifest', rel, '-n', ns)]),
      kubectl('get', 'configmaps', '-n', ns, '-o', 'yaml'),
    ];
    expect(outputs.length).toBeGreaterThan(10);
    for (const text of seen) expect(text).not.toContain(canary);
    // The mounted file path is what Alertmanager reads instead.
    expect(kubectl('get', 'configmap', 'prometheus-alertmanager', '-n', ns, '-o', 'yaml')).toContain('api_url_file: /etc/alertmanager/secrets/prometheus-alertmanager-receivers/slack-webhook-url');
  });

  it('uninstall keeps PVCs, Secrets and history; --delete-data without the typed namespace deletes nothing; with it, the data goes', async () => {
    const pvcs = () => kubectl('get', 'pvc', '-n', ns, '-o', 'jsonpath={.items[*].metadata.name}').split(' ').filter(Boolean).sort();
    const secrets = () => kubectl('get', 'secret', '-n', ns, '-l', 'app.kubernetes.io/managed-by=monitor-stack', '-o', 'jsonpath={.items[*].metadata.name}').split(' ').filter(Boolean).sort();
    const dataBefore = { pvcs: pvcs(), secrets: secrets() };
    expect(dataBefore.pvcs).toEqual(expect.arrayContaining(['prometheus-server', 'storage-prometheus-alertmanager-0']));
    expect(dataBefore.secrets).toEqual(['grafana-admin-credentials', 'prometheus-alertmanager-receivers']);
    const before = revisions();

    const noYes = await cli('uninstall', '--env', 'dev');
    expect(noYes.exitCode).toBe(2);
    expect(noYes.stderr).toContain('the uninstall above was not run: a non-interactive run needs --yes');
    const unconfirmed = await cli('uninstall', '--env', 'dev', '--yes', '--delete-data');
    expect(unconfirmed.exitCode).toBe(2);
    expect(unconfirmed.stderr).toContain(`not in a terminal it needs --confirm-namespace ${ns}`);
    expect(revisions()).toEqual(before);

    const up = await cli('uninstall', '--env', 'dev', '--yes');
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/Kept: PersistentVolumeClaim prometheus-server \(\d+Gi, Bound\); PersistentVolumeClaim storage-prometheus-alertmanager-0 \(\d+Gi, Bound\); Secret prometheus-alertmanager-receivers; Secret grafana-admin-credentials/);
    expect(up.stdout).toMatch(/prometheus\s+prometheus\s+29\.27\.0\s+-\s+not installed\s+uninstalled/);
    expect(releases()).toEqual([]);
    expect(pvcs()).toEqual(dataBefore.pvcs); // the server's PVC by its keep annotation, the StatefulSet's by helm never owning it
    expect(secrets()).toEqual(dataBefore.secrets);
    expect(await lastStackRevision()).toMatchObject({ kind: 'uninstall', outcome: 'succeeded' });
    expect(() => kubectl('get', 'lease', 'monitor-stack-dev', '-n', ns)).toThrow(/NotFound/);

    const wrong = await cli('uninstall', '--env', 'dev', '--yes', '--delete-data', '--confirm-namespace', 'default');
    expect(wrong.exitCode).toBe(2);
    expect(pvcs()).toEqual(dataBefore.pvcs);
    // The release records are gone; the PVCs the uninstall kept are found in its stack revision.
    const gone = await cli('uninstall', '--env', 'dev', '--yes', '--delete-data', '--confirm-namespace', ns);
    expect(gone.exitCode, gone.stderr).toBe(0);
    expect(gone.stderr).toContain('PersistentVolumeClaim storage-prometheus-alertmanager-0 deleted');
    expect(pvcs()).not.toEqual(expect.arrayContaining(['prometheus-server']));
    expect(pvcs()).not.toEqual(expect.arrayContaining(['storage-prometheus-alertmanager-0']));
    expect(secrets()).toEqual([]);
    expect(await lastStackRevision()).toMatchObject({ kind: 'uninstall', outcome: 'succeeded', releases: [] });
  });
});
