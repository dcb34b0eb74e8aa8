/**
 * The kube-state-metrics rules against the real programs: kube-state-metrics v2.20.0 (built from Go
 * modules, the version chart kube-state-metrics 8.4.0 runs) reads a real kube-apiserver in which
 * this test makes one object go wrong for each rule, and the real Prometheus v3.14.0 scrapes it
 * and evaluates the alerting_rules.yml the real prometheus 29.27.0 chart renders from our overlay.
 * Every rule on kube_* metrics must become pending (its expression true; its `for` not yet over),
 * for the broken object and no other, and every kube_* name a rule or a default dashboard reads
 * must be in kube-state-metrics' /metrics.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { BASELINE_GROUPS } from '../../src/alerts/baseline.js';
import { DEFAULT_DASHBOARDS } from '../../src/dashboards/defaults.js';
import { NEVER_READY_ANNOTATION } from '../../scripts/cluster.mjs';
import { freePort, isolatedEnv, ROOT, runCli } from '../support/run.js';

const e2e = inject('e2e');
const skip = inject('e2eSkip');
if (skip) describe.skip(skip, () => it('skipped', () => {}));

const NS = 'ksm-test';
const NODE = 'ksm-test-host';
const PV = 'ksm-test-failed';

/** Every baseline alert on kube-state-metrics, written out here (not read from the code under test). */
const KSM_ALERTS = ['KubeDaemonSetRolloutStuck', 'KubeDeploymentReplicasMismatch', 'KubeJobFailed', 'KubeNodeNotReady', 'KubePersistentVolumeErrors', 'KubePodCrashLooping', 'KubePodNotReady', 'KubeStatefulSetReplicasMismatch'];

/** Metric names an expression selects, by the Prometheus grammar. */
function metricNames(expr: string): string[] {
  const names: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.push(expr.slice(node.from, node.to));
    },
  });
  return names;
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, seconds: number, log = () => ''): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${seconds} s\n${log().slice(-3000)}`);
    await new Promise((done) => setTimeout(done, 500));
  }
}

describe.runIf(e2e)('kube-state-metrics rules against the real kube-state-metrics and Prometheus', () => {
  const env = e2e!;
  let dir: string;
  const children: { child: ChildProcess; log: () => string }[] = [];
  const kubectl = (args: string[], input?: string) => execFileSync(env.kubectl, args, { env: { ...process.env, KUBECONFIG: env.kubeconfig }, encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  const start = (bin: string, args: string[]) => {
    let log = '';
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (c: Buffer) => (log = (log + c.toString('utf8')).slice(-20_000)));
    const entry = { child, log: () => log };
    children.push(entry);
    return entry;
  };
  let ksmPort: number;
  let promPort: number;
  let ksmLog: () => string;
  let promLog: () => string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'monitor-stack-ksm-'));
    const neverReady = { [NEVER_READY_ANNOTATION]: 'true' };
    const template = (app: string) => ({ metadata: { labels: { app }, annotations: neverReady }, spec: { containers: [{ name: app, image: 'registry.example/app:1' }] } });
    const objects = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
      // No kubelet or kwok runs this node: its status is what the test writes (Ready False).
      { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE } },
      // Pods that kwok runs but never makes Ready: available and ready counts stay below the spec.
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: template('web') } },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: NS }, spec: { replicas: 1, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template('db') } },
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: NS }, spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent') } },
      // The job controller fails it when its deadline passes.
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'fails', namespace: NS }, spec: { activeDeadlineSeconds: 1, backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'run', image: 'registry.example/run:1' }] } } } },
      // A pod whose container keeps crashing: its status written by the test, on the node no kubelet runs.
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'crashing', namespace: NS }, spec: { nodeName: NODE, containers: [{ name: 'app', image: 'registry.example/app:1' }] } },
      // Reclaim policy Delete for an NFS volume whose claim is gone: the NFS plugin deletes nothing, so the PV controller marks it Failed.
      { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: PV }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', nfs: { server: '192.0.2.9', path: '/exports/gone' }, claimRef: { namespace: NS, name: 'gone', uid: randomUUID() } } },
    ];
    kubectl(['apply', '-f', '-'], objects.map((o) => stringify(o)).join('---\n'));
    kubectl(['patch', 'node', NODE, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'no kubelet: monitor-stack e2e' }] } })]);
    kubectl(['patch', 'pod', 'crashing', '-n', NS, '--subresource=status', '--type=merge', '-p', JSON.stringify({
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [{ name: 'app', image: 'registry.example/app:1', imageID: '', ready: false, restartCount: 7, started: false, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } } }],
      },
    })]);
    kubectl(['wait', '--for=condition=Failed', 'job/fails', '-n', NS, '--timeout=90s']);
    await until('PersistentVolume phase Failed', () => (kubectl(['get', 'pv', PV, '-o', 'jsonpath={.status.phase}']) === 'Failed' ? true : undefined), 90);

    // The rules as the real chart renders them from our overlay.
    writeFileSync(join(dir, 'monitor-stack.yaml'), stringify({ environments: { test: { components: { grafana: false, promtail: false } } } }));
    const r = await runCli(['render', '--env', 'test', '--out', 'out'], { cwd: dir, env: isolatedEnv(dir, env.kubeconfig) });
    expect(r.exitCode, r.stderr).toBe(0);
    const manifest = execFileSync(env.helm4, ['template', 'prometheus', join(ROOT, 'upstream-charts', 'packages', 'prometheus-29.27.0.tgz'), '--values', join(dir, 'out', 'test', 'prometheus.values.yaml')], { encoding: 'utf8', env: { ...process.env, ...isolatedEnv(dir, env.kubeconfig) } });
    const cm = parseAllDocuments(manifest).map((d) => d.toJS()).find((o) => o?.kind === 'ConfigMap' && o.metadata?.name === 'prometheus-server');
    writeFileSync(join(dir, 'alerting_rules.yml'), cm.data['alerting_rules.yml']);

    ksmPort = await freePort();
    const telemetry = await freePort();
    ksmLog = start(env.kubeStateMetrics, [`--kubeconfig=${env.kubeconfig}`, '--host=127.0.0.1', `--port=${ksmPort}`, '--telemetry-host=127.0.0.1', `--telemetry-port=${telemetry}`]).log;
    await until('kube-state-metrics serving the Job', async () => ((await fetch(`http://127.0.0.1:${ksmPort}/metrics`).then((x) => x.text(), () => '')).includes(`kube_job_failed{namespace="${NS}"`) ? true : undefined), 60, ksmLog);

    promPort = await freePort();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      stringify({ global: { scrape_interval: '1s', evaluation_interval: '1s' }, rule_files: ['alerting_rules.yml'], scrape_configs: [{ job_name: 'kube-state-metrics', static_configs: [{ targets: [`127.0.0.1:${ksmPort}`] }] }] }),
    );
    promLog = start(env.prometheus, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`]).log;
  }, 300_000);

  afterAll(async () => {
    await Promise.all(children.map(({ child }) => (child.exitCode !== null || child.signalCode !== null ? undefined : new Promise<void>((resolve) => (child.once('exit', () => resolve()), child.kill('SIGTERM'))))));
    try {
      kubectl(['delete', 'namespace', NS, '--wait=false', '--ignore-not-found']);
      kubectl(['delete', 'node', NODE, '--ignore-not-found']);
      kubectl(['delete', 'pv', PV, '--ignore-not-found', '--wait=false']);
    } catch {}
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every kube_* metric a baseline rule or a default dashboard reads is in what kube-state-metrics v2.20.0 serves', async () => {
    const text = await (await fetch(`http://127.0.0.1:${ksmPort}/metrics`)).text();
    const served = new Set([...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!));
    const exprs = [
      ...BASELINE_GROUPS.flatMap((g) => g.rules.map((r) => r.expr)),
      ...DEFAULT_DASHBOARDS.filter((d) => d.datasource.type === 'prometheus').flatMap((d) => [...d.panels.flatMap((p) => p.targets.map((t) => t.expr)), ...d.variables.map((v) => v.query.replace(/^label_values\((.*), \w+\)$/, '$1'))]),
    ];
    const wanted = [...new Set(exprs.flatMap((e) => metricNames(e.replaceAll('$__rate_interval', '5m').replace(/\$(\w+)/g, 'x'))).filter((n) => n.startsWith('kube_')))].sort();
    expect(wanted.length).toBeGreaterThanOrEqual(18);
    expect(wanted.filter((n) => !served.has(n))).toEqual([]);
  });

  it('each kube-state-metrics rule becomes pending for the object broken for it, and for no other object of the test', async () => {
    type Alert = { labels: Record<string, string>; state: string };
    const ours = (a: Alert) => a.labels.namespace === NS || a.labels.node === NODE || a.labels.persistentvolume === PV;
    const alerts = await until(
      'every kube-state-metrics rule pending',
      async () => {
        const res = (await fetch(`http://127.0.0.1:${promPort}/api/v1/alerts`).then((x) => x.json(), () => null)) as { data: { alerts: Alert[] } } | null;
        const mine = (res?.data.alerts ?? []).filter(ours);
        return KSM_ALERTS.every((name) => mine.some((a) => a.labels.alertname === name)) ? mine : undefined;
      },
      120,
      () => promLog(),
    );
    const found = alerts.map((a) => [a.labels.alertname, a.state, a.labels.deployment ?? a.labels.statefulset ?? a.labels.daemonset ?? a.labels.job_name ?? a.labels.pod ?? a.labels.node ?? a.labels.persistentvolume]);
    process.stdout.write(`pending on real kube-state-metrics: ${JSON.stringify(found)}\n`);
    expect(new Set(alerts.map((a) => a.state))).toEqual(new Set(['pending']));
    const by = (name: string) => alerts.filter((a) => a.labels.alertname === name);
    expect(by('KubeJobFailed').map((a) => a.labels.job_name)).toEqual(['fails']);
    expect(by('KubePodCrashLooping').map((a) => [a.labels.pod, a.labels.container])).toEqual([['crashing', 'app']]);
    expect(by('KubeNodeNotReady').map((a) => a.labels.node)).toEqual([NODE]);
    expect(by('KubePersistentVolumeErrors').map((a) => a.labels.persistentvolume)).toEqual([PV]);
    expect(by('KubeDeploymentReplicasMismatch').map((a) => a.labels.deployment)).toEqual(['web']);
    expect(by('KubeStatefulSetReplicasMismatch').map((a) => a.labels.statefulset)).toEqual(['db']);
    expect(by('KubeDaemonSetRolloutStuck').map((a) => a.labels.daemonset)).toEqual(['agent']);
    // Not ready: the crashing pod and the never-ready pods; never the Job's pod (excluded by the rule).
    const notReady = by('KubePodNotReady').map((a) => a.labels.pod!);
    expect(notReady).toContain('crashing');
    expect(notReady.some((p) => p.startsWith('fails-'))).toBe(false);
  }, 180_000);
});
