/**
 * The pure part of `monitor-stack test-alert`: the test alert (Alertmanager v0.34 API v2
 * `postableAlert`), and what Alertmanager's own notification metrics say happened to it.
 *
 * Alertmanager v0.34.0 (notify/retry_stage.go) counts each request to an integration in
 * `alertmanager_notification_requests_total` and each failed one in
 * `alertmanager_notification_requests_failed_total`; `alertmanager_notifications_total` counts a
 * notification when its first request starts, and `alertmanager_notifications_failed_total{reason}`
 * when its retries give up. So a delivery is a request that did not fail. The counters carry
 * `integration`, and `receiver_name` too when Alertmanager runs with
 * `--enable-feature=receiver-name-in-metrics`; without it the receivers are tested one after the
 * other, and a request counted while one is tested is that receiver's, unless another alert went
 * out through the same integration in those seconds.
 */
import type { Receiver } from '../config/schema.js';
import { TEST_ALERT_LABEL, TEST_ALERT_NAME } from './routing.js';

/** The `integration` label Alertmanager v0.34.0 gives each receiver type's notifications. */
export const INTEGRATION: Record<Receiver['type'], string> = { slack: 'slack', email: 'email', pagerduty: 'pagerduty', webhook: 'webhook' };

/** Requests, failed requests and given-up notifications of one integration (or integration and receiver), summed over pods. */
export interface IntegrationCounts {
  requests: number;
  failedRequests: number;
  /** Notifications whose retries gave up, by `reason` (clientError, serverError, other, …). */
  gaveUp: Record<string, number>;
}

const METRIC = /^alertmanager_(notification_requests_total|notification_requests_failed_total|notifications_failed_total)\{([^}]*)\}\s+(\S+)/;

/**
 * Sums the notification counters of Prometheus text-format `/metrics` output, keyed by
 * `integration`, and also by `integration/receiver_name` where the label is there. Other lines are
 * ignored. Pure.
 */
export function notificationCounts(metricsText: string): Record<string, IntegrationCounts> {
  const out: Record<string, IntegrationCounts> = {};
  for (const line of metricsText.split('\n')) {
    const m = METRIC.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[2]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    const value = Number(m[3]);
    if (!labels.integration || !Number.isFinite(value)) continue;
    for (const key of labels.receiver_name ? [labels.integration, `${labels.integration}/${labels.receiver_name}`] : [labels.integration]) {
      const c = (out[key] ??= { requests: 0, failedRequests: 0, gaveUp: {} });
      if (m[1] === 'notification_requests_total') c.requests += value;
      else if (m[1] === 'notification_requests_failed_total') c.failedRequests += value;
      else if (labels.reason) c.gaveUp[labels.reason] = (c.gaveUp[labels.reason] ?? 0) + value;
    }
  }
  return out;
}

/** Adds the counts of several pods. Pure. */
export function sumCounts(all: Record<string, IntegrationCounts>[]): Record<string, IntegrationCounts> {
  const out: Record<string, IntegrationCounts> = {};
  for (const counts of all)
    for (const [key, c] of Object.entries(counts)) {
      const o = (out[key] ??= { requests: 0, failedRequests: 0, gaveUp: {} });
      o.requests += c.requests;
      o.failedRequests += c.failedRequests;
      for (const [r, n] of Object.entries(c.gaveUp)) o.gaveUp[r] = (o.gaveUp[r] ?? 0) + n;
    }
  return out;
}

/**
 * What the counters say between two readings for one receiver: requests that succeeded, requests
 * that failed, and the reasons of notifications that gave up. Uses the receiver's own counters
 * when Alertmanager labels them with `receiver_name`, else its integration's. Pure.
 */
export function deliveryDelta(before: Record<string, IntegrationCounts>, after: Record<string, IntegrationCounts>, integration: string, receiver: string): { delivered: number; failed: number; reasons: string[]; perReceiver: boolean } {
  const own = `${integration}/${receiver}`;
  const perReceiver = own in after;
  const key = perReceiver ? own : integration;
  const none: IntegrationCounts = { requests: 0, failedRequests: 0, gaveUp: {} };
  const b = before[key] ?? none;
  const a = after[key] ?? none;
  const failed = Math.max(0, a.failedRequests - b.failedRequests);
  const reasons = Object.keys(a.gaveUp)
    .filter((r) => (a.gaveUp[r] ?? 0) > (b.gaveUp[r] ?? 0))
    .sort();
  return { delivered: Math.max(0, a.requests - b.requests - failed), failed, reasons, perReceiver };
}

/**
 * The test alert for one receiver: routed to it alone by the test route (routing.ts), labelled
 * with a run id so two runs do not merge, firing until `endsAt`.
 * @param startsAt, endsAt RFC 3339 times.
 */
export function testAlert(receiver: string, runId: string, startsAt: string, endsAt: string): Record<string, unknown> {
  return {
    labels: { alertname: TEST_ALERT_NAME, [TEST_ALERT_LABEL]: receiver, severity: 'info', test_run: runId },
    annotations: {
      summary: `Test alert from monitor-stack for receiver ${receiver}`,
      description: 'Sent by `monitor-stack test-alert` to check that Alertmanager delivers to this receiver; it is resolved right after. Nothing to do.',
    },
    startsAt,
    endsAt,
  };
}
