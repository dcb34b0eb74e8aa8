/** test-alert's pure core: reading Alertmanager v0.34.0's notification counters, and the alert it posts. */
import { describe, expect, it } from 'vitest';
import { deliveryDelta, notificationCounts, sumCounts, testAlert } from '../../src/alerts/test-alert.js';

// Lines as Alertmanager v0.34.0 serves them on /metrics (notify/metrics.go): without the
// receiver-name-in-metrics feature, `integration` only.
const METRICS = (requests: number, failed: number, gaveUp = 0, slack = 0) => `# TYPE alertmanager_notification_requests_total counter
alertmanager_notification_requests_total{integration="email"} 0
alertmanager_notification_requests_total{integration="slack"} ${slack}
alertmanager_notification_requests_total{integration="webhook"} ${requests}
alertmanager_notification_requests_failed_total{integration="webhook"} ${failed}
alertmanager_notifications_total{integration="webhook"} 99
alertmanager_notifications_failed_total{integration="webhook",reason="clientError"} 0
alertmanager_notifications_failed_total{integration="webhook",reason="other"} ${gaveUp}
alertmanager_notification_latency_seconds_count{integration="webhook"} 9
`;

describe('test-alert', () => {
  it('sums requests, failed requests and given-up notifications per integration', () => {
    expect(notificationCounts(METRICS(5, 2, 1))).toEqual({
      email: { requests: 0, failedRequests: 0, gaveUp: {} },
      slack: { requests: 0, failedRequests: 0, gaveUp: {} },
      webhook: { requests: 5, failedRequests: 2, gaveUp: { clientError: 0, other: 1 } },
    });
    expect(notificationCounts('garbage\nalertmanager_notification_requests_total{} 3\n')).toEqual({});
  });

  it('a delivery is a request that did not fail; a notification counted before its request is not one; other integrations do not count', () => {
    const before = notificationCounts(METRICS(5, 2));
    const d = (after: string) => deliveryDelta(before, notificationCounts(after), 'webhook', 'hook');
    expect(d(METRICS(6, 2))).toEqual({ delivered: 1, failed: 0, reasons: [], perReceiver: false });
    expect(d(METRICS(5, 2).replace('notifications_total{integration="webhook"} 99', 'notifications_total{integration="webhook"} 100'))).toEqual({ delivered: 0, failed: 0, reasons: [], perReceiver: false });
    expect(d(METRICS(8, 5))).toEqual({ delivered: 0, failed: 3, reasons: [], perReceiver: false });
    expect(d(METRICS(8, 5, 1))).toEqual({ delivered: 0, failed: 3, reasons: ['other'], perReceiver: false });
    expect(d(METRICS(5, 2, 0, 4))).toEqual({ delivered: 0, failed: 0, reasons: [], perReceiver: false });
  });

  it('with receiver_name (receiver-name-in-metrics), a receiver is told apart from another of the same integration', () => {
    const lines = (hook: number, other: number) => `alertmanager_notification_requests_total{integration="webhook",receiver_name="hook"} ${hook}
alertmanager_notification_requests_total{integration="webhook",receiver_name="broken"} ${other}
alertmanager_notification_requests_failed_total{integration="webhook",receiver_name="broken"} ${other}
`;
    const before = notificationCounts(lines(0, 0));
    expect(deliveryDelta(before, notificationCounts(lines(1, 2)), 'webhook', 'broken')).toEqual({ delivered: 0, failed: 2, reasons: [], perReceiver: true });
    expect(deliveryDelta(before, notificationCounts(lines(1, 2)), 'webhook', 'hook')).toEqual({ delivered: 1, failed: 0, reasons: [], perReceiver: true });
  });

  it('counts of several pods add up (an HA Alertmanager sends from one of them)', () => {
    const sum = sumCounts([notificationCounts(METRICS(1, 0)), notificationCounts(METRICS(2, 1, 1))]);
    expect(sum.webhook).toEqual({ requests: 3, failedRequests: 1, gaveUp: { clientError: 0, other: 1 } });
  });

  it('the alert carries the receiver label the test route matches, and the run id its group is split by', () => {
    expect(testAlert('chat', 'ab12cd34', '2026-12-04T10:00:00.000Z', '2026-12-04T10:10:00.000Z')).toEqual({
      labels: { alertname: 'MonitorStackTestAlert', monitor_stack_test: 'chat', severity: 'info', test_run: 'ab12cd34' },
      annotations: {
        summary: 'Test alert from monitor-stack for receiver chat',
        description: 'Sent by `monitor-stack test-alert` to check that Alertmanager delivers to this receiver; it is resolved right after. Nothing to do.',
      },
      startsAt: '2026-12-04T10:00:00.000Z',
      endsAt: '2026-12-04T10:10:00.000Z',
    });
  });
});
