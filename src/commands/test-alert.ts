/**
 * `monitor-stack test-alert --env E [--receiver NAME] [--timeout 60s]`: posts a labelled test alert
 * to the installed Alertmanager through the Kubernetes API server's pod proxy (no port-forward),
 * one receiver after the other, waits until Alertmanager's own notification metrics count a
 * delivery or a failure for that receiver's integration, then resolves the alert. Exit 1 when a
 * receiver did not get it.
 *
 * The alert reaches one receiver only through the test routes rendered first in the route tree
 * (src/alerts/routing.ts); the command refuses an installed config without them.
 */
import { randomBytes } from 'node:crypto';
import { parse } from 'yaml';
import type { CommandContext } from '../cli.js';
import { alertmanagerReceivers, TEST_ALERT_LABEL } from '../alerts/routing.js';
import { deliveryDelta, INTEGRATION, notificationCounts, sumCounts, testAlert } from '../alerts/test-alert.js';
import { loadSettings } from '../config/index.js';
import { OperationError, UsageError } from '../errors.js';
import { KubeClient } from '../kube/client.js';
import { formatTable } from '../ui.js';
import { parseDurationSeconds } from '../validate.js';

/** One receiver's outcome, as printed and as `-o json` gives it. */
export interface TestAlertResult {
  receiver: string;
  type: string;
  /** delivered: a request to the receiver succeeded; failed: only failed requests; no attempt: no request within --timeout. */
  result: 'delivered' | 'failed' | 'no attempt';
  /** Seconds from posting the alert to the first successful notification. */
  seconds?: number;
  failedAttempts: number;
  /** Alertmanager's `reason` labels of notifications whose retries gave up (empty while it still retries). */
  reasons: string[];
}

/** How long a failure is watched for a retry that succeeds, in ms. */
const RETRY_GRACE_MS = 5_000;

export async function runTestAlert(ctx: CommandContext): Promise<void> {
  const env = ctx.options.env as string;
  const timeoutS = parseDurationSeconds(String(ctx.options.timeout ?? '60s'), '--timeout');
  const settings = loadSettings(ctx.configPath, env, ctx.flags);
  if (!settings.components.alertmanager) throw new UsageError(`environment ${env} has no Alertmanager (components.alertmanager is false): there is nothing to test.`);
  const receivers = alertmanagerReceivers(settings);
  if (!receivers.length) throw new UsageError(`environment ${env} defines no receiver (alertmanager.receivers): alerts go to the null receiver, so there is nothing to test.`, ['Fix: add a receiver with monitor-stack init, or in monitor-stack.yaml.']);
  const wanted = ctx.options.receiver as string | undefined;
  const targets = wanted ? receivers.filter((r) => r.name === wanted) : receivers;
  if (wanted && !targets.length) throw new UsageError(`--receiver "${wanted}": environment ${env} has no such receiver; it has ${receivers.map((r) => r.name).join(', ')}.`);

  const kube = KubeClient.load(settings.kubeContext);
  await kube.serverVersion();
  const ns = settings.namespace;
  const selector = `app.kubernetes.io/name=alertmanager,app.kubernetes.io/instance=${settings.charts.prometheus.release}`;
  const pods = await kube.listRunningPods(ns, selector, 'http', 9093);
  if (!pods.length) throw new OperationError(`no running Alertmanager pod in namespace ${ns} (label selector ${selector}).`, [`Fix: install the stack (monitor-stack upgrade --env ${env}); kubectl get pods -n ${ns} -l ${selector} shows what is there.`]);
  const call = async (pod: (typeof pods)[number], method: 'GET' | 'POST', path: string, body?: unknown) => {
    const r = await kube.podProxy(ns, pod.name, pod.port, method, path, body);
    if (r.status !== 200) throw new OperationError(`Alertmanager pod ${ns}/${pod.name} answered ${method} ${path} with HTTP ${r.status}: ${r.text.split('\n')[0]!.slice(0, 200)}`);
    return r.text;
  };

  // The installed config must route test alerts: one installed by an older monitor-stack does not.
  const status = JSON.parse(await call(pods[0]!, 'GET', '/api/v2/status')) as { config?: { original?: string } };
  const config = parse(status.config?.original ?? '') as { route?: { routes?: { receiver?: string; matchers?: string[] }[] } } | null;
  const routed = new Set((config?.route?.routes ?? []).filter((r) => r.matchers?.length === 1 && r.matchers[0] === `${TEST_ALERT_LABEL}="${r.receiver}"`).map((r) => r.receiver));
  const unrouted = targets.filter((r) => !routed.has(r.name)).map((r) => r.name);
  if (unrouted.length) {
    throw new OperationError(`the installed Alertmanager config has no test route for ${unrouted.join(', ')}: it was installed by an older monitor-stack, or before these receivers were added.`, [`Fix: monitor-stack upgrade --env ${env}, then run test-alert again. No alert was sent.`]);
  }
  const notReady = pods.filter((p) => !p.ready).map((p) => p.name);
  if (notReady.length) process.stderr.write(`note: Alertmanager pod${notReady.length > 1 ? 's' : ''} ${notReady.join(', ')} ${notReady.length > 1 ? 'are' : 'is'} running but not Ready.\n`);

  const counts = async () => sumCounts(await Promise.all(pods.map(async (p) => notificationCounts(await call(p, 'GET', '/metrics')))));
  const runId = randomBytes(4).toString('hex');
  const results: TestAlertResult[] = [];
  for (const r of targets) {
    const integration = INTEGRATION[r.type];
    const before = await counts();
    const started = Date.now();
    // It ends by itself 10 minutes on, should this run be interrupted before resolving it.
    const alert = testAlert(r.name, runId, new Date(started).toISOString(), new Date(started + 10 * 60_000).toISOString());
    process.stderr.write(`Posting a test alert for receiver ${r.name} (${r.type}) to ${pods.length} Alertmanager pod${pods.length > 1 ? 's' : ''}…\n`);
    const resolve = () => Promise.all(pods.map((p) => call(p, 'POST', '/api/v2/alerts', [{ ...alert, endsAt: new Date().toISOString() }])));
    let result: TestAlertResult;
    try {
      // Like Prometheus, to every pod: the cluster sends it once.
      for (const p of pods) await call(p, 'POST', '/api/v2/alerts', [alert]);
      result = await watch(r, integration, before, started);
      await resolve();
    } catch (err) {
      // Say what is left in the cluster: the alert stays until its endsAt unless resolving works now.
      const resolved = await resolve().then(() => true, () => false);
      if (err instanceof OperationError && !resolved) err.hints.push(`The test alert for ${r.name} (test_run=${runId}) may still be firing; it ends by itself at ${String(alert.endsAt)}.`);
      throw err;
    }
    results.push(result);
  }

  /** Polls the counters until a request for `r` succeeds, its failures outlast the grace, or --timeout passes. */
  async function watch(r: (typeof targets)[number], integration: string, before: Awaited<ReturnType<typeof counts>>, started: number): Promise<TestAlertResult> {
    let failedSince: number | undefined;
    for (;;) {
      await new Promise((done) => setTimeout(done, 500));
      const d = deliveryDelta(before, await counts(), integration, r.name);
      const base = { receiver: r.name, type: r.type, failedAttempts: d.failed, reasons: d.reasons };
      if (d.delivered > 0) return { ...base, result: 'delivered', seconds: Math.round((Date.now() - started) / 100) / 10 };
      if (d.failed > 0) failedSince ??= Date.now();
      if ((failedSince !== undefined && Date.now() - failedSince > RETRY_GRACE_MS) || Date.now() - started > timeoutS * 1000) return { ...base, result: d.failed > 0 ? 'failed' : 'no attempt' };
    }
  }

  if (ctx.options.output === 'json') process.stdout.write(`${JSON.stringify({ runId, results }, null, 2)}\n`);
  else {
    process.stdout.write(
      formatTable(
        ['RECEIVER', 'TYPE', 'RESULT'],
        results.map((x) => [
          x.receiver,
          x.type,
          x.result === 'delivered'
            ? `delivered in ${x.seconds} s${x.failedAttempts ? ` (after ${x.failedAttempts} failed attempt${x.failedAttempts > 1 ? 's' : ''})` : ''}`
            : x.result === 'failed'
              ? `failed: ${x.failedAttempts} attempt${x.failedAttempts > 1 ? 's' : ''} failed${x.reasons.length ? ` (${x.reasons.join(', ')})` : ', Alertmanager retries until the notification times out'}`
              : `no attempt within ${timeoutS} s`,
        ]),
      ),
    );
    process.stderr.write(`The test alerts (test_run=${runId}) were resolved; a receiver with send_resolved gets the resolution within a minute.\n`);
  }
  const bad = results.filter((x) => x.result !== 'delivered');
  if (bad.length) {
    throw new OperationError(`${bad.length} of ${results.length} receiver${results.length > 1 ? 's' : ''} did not get the test alert: ${bad.map((x) => x.receiver).join(', ')}.`, [
      `Alertmanager's log says why: kubectl logs -n ${ns} -l ${selector} | grep -i notify`,
    ]);
  }
}
