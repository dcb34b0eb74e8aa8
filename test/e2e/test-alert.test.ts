/**
 * `monitor-stack test-alert` against a real Alertmanager through a real kube-apiserver's pod proxy.
 * Alertmanager v0.34.0 (built from Go modules) runs here with the config the real prometheus
 * 29.27.0 chart renders from our overlay (the receiver Secret's files in place, moved under a temp
 * folder), listening on this machine's non-loopback address: the API server refuses to proxy to
 * loopback. The pod the command finds is a Pod object bound to a Node no kubelet (and no kwok)
 * runs, its status written by the test to point at that address: everything between the command
 * and Alertmanager (kubeconfig, pod lookup, API server proxy) is real.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { freePort, isolatedEnv, ROOT, runCli } from '../support/run.js';

const e2e = inject('e2e');
const skip = inject('e2eSkip');
if (skip) describe.skip(skip, () => it('skipped', () => {}));

const NS = 'alert-test';
const NODE = 'alert-test-host';
const POD = 'prometheus-alertmanager-0';
const SECRETS_ROOT = '/etc/alertmanager/secrets/';

/** This machine's first non-loopback IPv4 address: the API server proxies to pods only there. */
function hostAddress(): string {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  throw new Error('this machine has no non-loopback IPv4 address; the API server refuses to proxy to loopback, so test-alert cannot be tested here');
}

interface Received {
  path: string;
  body: any;
}

describe.runIf(e2e)('test-alert: a real Alertmanager through the API server pod proxy', () => {
  const env = e2e!;
  let dir: string;
  let cliEnv: Record<string, string>;
  let sink: Server;
  let am: ChildProcess | undefined;
  let amLog = '';
  let configFile: string;
  const received: Received[] = [];
  const kubectl = (args: string[], input?: string) => execFileSync(env.kubectl, args, { env: { ...process.env, KUBECONFIG: env.kubeconfig }, encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
  const cli = (...args: string[]) => runCli(args, { cwd: dir, env: cliEnv });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'monitor-stack-test-alert-'));
    cliEnv = isolatedEnv(dir, env.kubeconfig);
    sink = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(body || 'null') });
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
    const closed = await freePort();

    writeFileSync(
      join(dir, 'monitor-stack.yaml'),
      stringify({
        environments: {
          test: {
            namespace: NS,
            components: { grafana: false, promtail: false },
            alertmanager: {
              receivers: [
                { name: 'hook', type: 'webhook', url: 'env:HOOK_URL' },
                { name: 'chat', type: 'slack', webhookUrl: 'env:SLACK_URL', channel: '#alerts' },
                { name: 'broken', type: 'webhook', url: 'env:BROKEN_URL' },
              ],
              route: { receiver: 'hook', critical: ['chat'], warning: ['broken'] },
            },
          },
        },
      }),
    );
    // The config as the real chart renders it from our overlay.
    const r = await cli('render', '--env', 'test', '--out', 'out');
    expect(r.exitCode, r.stderr).toBe(0);
    const manifest = execFileSync(env.helm4, ['template', 'prometheus', join(ROOT, 'upstream-charts', 'packages', 'prometheus-29.27.0.tgz'), '--namespace', NS, '--values', join(dir, 'out', 'test', 'prometheus.values.yaml')], { encoding: 'utf8', env: { ...process.env, ...cliEnv } });
    const cm = parseAllDocuments(manifest).map((d) => d.toJS()).find((o) => o?.kind === 'ConfigMap' && o.metadata?.name === 'prometheus-alertmanager');
    const secrets = join(dir, 'secrets/');
    const text = (cm.data['alertmanager.yml'] as string).replaceAll(SECRETS_ROOT, secrets);
    const urls: Record<string, string> = { hook: `${sinkUrl}/hook`, chat: `${sinkUrl}/slack`, broken: `http://127.0.0.1:${closed}/down` };
    for (const rcv of (parse(text) as { receivers: Record<string, any>[] }).receivers) {
      const file = rcv.webhook_configs?.[0]?.url_file ?? rcv.slack_configs?.[0]?.api_url_file;
      if (!file) continue;
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, urls[rcv.name as string]!);
    }
    configFile = join(dir, 'alertmanager.yml');
    writeFileSync(configFile, text);

    const host = hostAddress();
    const port = await freePort();
    am = spawn(env.alertmanager, [`--config.file=${configFile}`, `--storage.path=${join(dir, 'am-data')}`, `--web.listen-address=${host}:${port}`, '--cluster.listen-address='], { stdio: ['ignore', 'ignore', 'pipe'] });
    am.stderr!.on('data', (c: Buffer) => (amLog += c.toString('utf8')));
    for (let i = 0; ; i++) {
      if ((await fetch(`http://${host}:${port}/-/ready`).then((x) => x.status, () => 0)) === 200) break;
      if (i > 100) throw new Error(`Alertmanager did not start:\n${amLog.slice(-2000)}`);
      await new Promise((done) => setTimeout(done, 200));
    }

    kubectl(['apply', '-f', '-'], stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }) + '---\n' + stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: NODE } }));
    kubectl(['apply', '-f', '-'], stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: POD, namespace: NS, labels: { 'app.kubernetes.io/name': 'alertmanager', 'app.kubernetes.io/instance': 'prometheus' } },
      spec: { nodeName: NODE, containers: [{ name: 'alertmanager', image: 'quay.io/prometheus/alertmanager:v0.34.0', ports: [{ name: 'http', containerPort: port }] }] },
    }));
    kubectl(['patch', 'pod', POD, '-n', NS, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { phase: 'Running', podIP: host, podIPs: [{ ip: host }], conditions: [{ type: 'Ready', status: 'True' }] } })]);
  });

  afterAll(async () => {
    try {
      kubectl(['delete', 'namespace', NS, '--wait=false', '--ignore-not-found']);
      kubectl(['delete', 'node', NODE, '--ignore-not-found']);
    } catch {}
    if (am && am.exitCode === null) await new Promise<void>((resolve) => (am!.once('exit', () => resolve()), am!.kill('SIGTERM')));
    await new Promise<void>((resolve) => sink?.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('each receiver in turn: delivered to the webhook and to Slack, failed for the one whose endpoint refuses; exit 1 names it; the sinks got exactly their own alert, then its resolution', async () => {
    const r = await cli('test-alert', '--env', 'test', '--timeout', '30s');
    expect(r.exitCode, `${r.stdout}\n${r.stderr}\n${amLog.slice(-3000)}`).toBe(1);
    const rows = r.stdout.trim().split('\n').map((l) => l.split(/\s{2,}/));
    expect(rows[0]).toEqual(['RECEIVER', 'TYPE', 'RESULT']);
    expect(rows.slice(1).map((x) => [x[0], x[1]])).toEqual([['hook', 'webhook'], ['chat', 'slack'], ['broken', 'webhook']]);
    expect(rows[1]![2]).toMatch(/^delivered in \d+(\.\d)? s$/);
    expect(rows[2]![2]).toMatch(/^delivered in \d+(\.\d)? s$/);
    expect(rows[3]![2]).toMatch(/^failed: \d+ attempts? failed, Alertmanager retries until the notification times out$/);
    expect(r.stderr).toContain('error: 1 of 3 receivers did not get the test alert: broken.');
    expect(r.stderr).toMatch(/The test alerts \(test_run=[0-9a-f]{8}\) were resolved/);

    const hook = received.filter((x) => x.path === '/hook');
    expect(hook).toHaveLength(1);
    expect(hook[0]!.body.status).toBe('firing');
    expect(hook[0]!.body.alerts.map((a: { labels: Record<string, string> }) => [a.labels.alertname, a.labels.monitor_stack_test])).toEqual([['MonitorStackTestAlert', 'hook']]);
    const slack = received.filter((x) => x.path === '/slack');
    expect(slack).toHaveLength(1);
    expect(slack[0]!.body.channel).toBe('#alerts');
    expect(JSON.stringify(slack[0]!.body)).toContain('[FIRING:1] MonitorStackTestAlert');
    expect(received.filter((x) => x.path !== '/hook' && x.path !== '/slack')).toEqual([]);

    // The resolution follows at the test route's group_interval (1m).
    for (let i = 0; i < 100 && !received.some((x) => x.path === '/hook' && x.body.status === 'resolved'); i++) await new Promise((done) => setTimeout(done, 1000));
    const resolved = received.filter((x) => x.path === '/hook' && x.body.status === 'resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.body.alerts[0].labels.monitor_stack_test).toBe('hook');
  }, 240_000);

  it('--receiver tests one receiver: a new run is a new group, sent at once; -o json gives the result', async () => {
    const before = received.length;
    const r = await cli('test-alert', '--env', 'test', '--receiver', 'hook', '-o', 'json');
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { runId: string; results: { receiver: string; result: string; seconds: number; failedAttempts: number }[] };
    expect(out.results.map((x) => [x.receiver, x.result, x.failedAttempts])).toEqual([['hook', 'delivered', 0]]);
    expect(out.results[0]!.seconds).toBeLessThan(10);
    const got = received.slice(before);
    expect(got.map((x) => [x.path, x.body.status, x.body.alerts[0].labels.test_run])).toEqual([['/hook', 'firing', out.runId]]);
  });

  it('an unknown receiver is exit 2 naming the receivers; a config without the test routes is refused and nothing is sent', async () => {
    const unknown = await cli('test-alert', '--env', 'test', '--receiver', 'pager');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('--receiver "pager": environment test has no such receiver; it has hook, chat, broken.');

    const config = parse(readFileSync(configFile, 'utf8')) as { route: { routes: { matchers?: string[] }[] } };
    config.route.routes = config.route.routes.filter((x) => !x.matchers?.some((m) => m.startsWith('monitor_stack_test=')));
    writeFileSync(configFile, stringify(config));
    const host = (JSON.parse(kubectl(['get', 'pod', POD, '-n', NS, '-o', 'json'])) as { status: { podIP: string }; spec: { containers: { ports: { containerPort: number }[] }[] } });
    const reload = await fetch(`http://${host.status.podIP}:${host.spec.containers[0]!.ports[0]!.containerPort}/-/reload`, { method: 'POST' });
    expect(reload.status).toBe(200);
    const before = received.length;
    const r = await cli('test-alert', '--env', 'test');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('the installed Alertmanager config has no test route for hook, chat, broken');
    expect(r.stderr).toContain('No alert was sent.');
    await new Promise((done) => setTimeout(done, 2000));
    expect(received.length).toBe(before);
  });
});
