/**
 * Alertmanager routing (Alertmanager v0.34 config format, chart alertmanager 1.42.0 `config`):
 * the default route, the child routes monitor-stack adds, and the inhibition rule.
 *
 * Child routes, in the order Alertmanager tries them:
 * 0. the test routes of `monitor-stack test-alert` (one per receiver, on a label no real alert has);
 * 1. Watchdog (always firing, src/alerts/baseline.ts) to the dead man's switch when
 *    `alertmanager.deadMansSwitchUrl` is set, else to the null receiver: never to people;
 * 2. `alertmanager.routes`, as written;
 * 3. `severity="critical"` to each receiver of `alertmanager.route.critical`, then
 *    `severity="warning"` to each of `alertmanager.route.warning`, all with `continue: true`, so
 *    every listed receiver gets the alert.
 * An alert no child route matches goes to the default receiver.
 */
import type { Receiver, Settings } from '../config/schema.js';

/**
 * Name of the receiver with no integration (Alertmanager drops what it routes there): it takes the
 * Watchdog alert when no dead man's switch is set, and every alert when the config defines no
 * receiver. Reserved: a receiver of the config may not use it (checkSettings).
 */
export const NULL_RECEIVER = 'null';

/** Name of the webhook receiver rendered for `alertmanager.deadMansSwitchUrl`. Reserved too. */
export const DEADMANS_SWITCH_RECEIVER = 'deadmansswitch';

/** Receiver names a config may not use. */
export const RESERVED_RECEIVERS: readonly string[] = [NULL_RECEIVER, DEADMANS_SWITCH_RECEIVER];

/** The receivers with an integration: the config's, then the dead man's switch (a webhook) when set. Pure. */
export function alertmanagerReceivers(s: Settings): Receiver[] {
  const url = s.alertmanager.deadMansSwitchUrl;
  return url ? [...s.alertmanager.receivers, { name: DEADMANS_SWITCH_RECEIVER, type: 'webhook', url }] : s.alertmanager.receivers;
}

/** Receiver of the default route: `alertmanager.route.receiver`, else the first receiver, else the null receiver. */
export function defaultReceiver(s: Settings): string {
  return s.alertmanager.route.receiver ?? s.alertmanager.receivers[0]?.name ?? NULL_RECEIVER;
}

/** Label of the alerts `monitor-stack test-alert` posts: the name of the receiver under test. */
export const TEST_ALERT_LABEL = 'monitor_stack_test';

/** alertname of the alerts `monitor-stack test-alert` posts. */
export const TEST_ALERT_NAME = 'MonitorStackTestAlert';

/**
 * The first child routes: an alert labelled `monitor_stack_test="<receiver>"` goes to that
 * receiver only, sent at once (group_wait 0s), its resolution within a minute (group_interval
 * 1m). Real alerts never carry the label, so these routes change nothing else.
 */
export function testAlertRoutes(s: Settings): Record<string, unknown>[] {
  return alertmanagerReceivers(s).map((r) => ({
    receiver: r.name,
    matchers: [`${TEST_ALERT_LABEL}="${r.name}"`],
    // A group per run (test_run): a new group is sent after group_wait, not the next group_interval.
    group_by: ['alertname', TEST_ALERT_LABEL, 'test_run'],
    group_wait: '0s',
    group_interval: '1m',
    repeat_interval: '24h',
  }));
}

/** The `route` tree. Pure. */
export function renderRoute(s: Settings): Record<string, unknown> {
  const am = s.alertmanager;
  const route = am.route;
  const watchdog = am.deadMansSwitchUrl
    ? // A heartbeat: sent at once, then every minute while Watchdog fires.
      { receiver: DEADMANS_SWITCH_RECEIVER, matchers: ['alertname="Watchdog"'], group_wait: '0s', group_interval: '1m', repeat_interval: '1m' }
    : { receiver: NULL_RECEIVER, matchers: ['alertname="Watchdog"'] };
  const own = am.routes.map((r) => ({
    receiver: r.receiver,
    matchers: r.matchers,
    ...(r.continue !== undefined ? { continue: r.continue } : {}),
    ...(r.groupWait ? { group_wait: r.groupWait } : {}),
    ...(r.groupInterval ? { group_interval: r.groupInterval } : {}),
    ...(r.repeatInterval ? { repeat_interval: r.repeatInterval } : {}),
  }));
  const bySeverity = (severity: string, receivers: string[]) => receivers.map((receiver) => ({ receiver, matchers: [`severity="${severity}"`], continue: true }));
  return {
    receiver: defaultReceiver(s),
    group_by: route.groupBy,
    group_wait: route.groupWait,
    group_interval: route.groupInterval,
    repeat_interval: route.repeatInterval,
    routes: [...testAlertRoutes(s), watchdog, ...own, ...bySeverity('critical', route.critical), ...bySeverity('warning', route.warning)],
  };
}

/** `inhibit_rules`: a critical alert mutes the warning of the same alertname and namespace. */
export function renderInhibitRules(): Record<string, unknown>[] {
  return [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'namespace'] }];
}

/** Receivers of the config that no route reaches, in config order. */
export function unreachedReceivers(s: Settings): string[] {
  const am = s.alertmanager;
  const reached = new Set([defaultReceiver(s), ...am.route.critical, ...am.route.warning, ...am.routes.map((r) => r.receiver)]);
  return am.receivers.map((r) => r.name).filter((n) => !reached.has(n));
}
