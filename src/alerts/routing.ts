/**
 * Alertmanager routing (Alertmanager v0.34 config format, chart alertmanager 1.42.0
 * `config.route`): the default route to the configured receiver, and the child routes
 * monitor-stack always adds.
 */
import type { Settings } from '../config/schema.js';

/**
 * Name of the receiver with no integration (Alertmanager drops what it routes there): it takes the
 * Watchdog alert, and every alert when the config defines no receiver. Reserved: a receiver of the
 * config may not use it (checkSettings).
 */
export const NULL_RECEIVER = 'null';

/** The `route` tree. The default receiver is `alertmanager.route.receiver`, else the first receiver, else the null receiver. Pure. */
export function renderRoute(s: Settings): Record<string, unknown> {
  const route = s.alertmanager.route;
  return {
    receiver: route.receiver ?? s.alertmanager.receivers[0]?.name ?? NULL_RECEIVER,
    group_by: route.groupBy,
    group_wait: route.groupWait,
    group_interval: route.groupInterval,
    repeat_interval: route.repeatInterval,
    // Watchdog always fires (src/alerts/baseline.ts): it must never reach people.
    routes: [{ receiver: NULL_RECEIVER, matchers: ['alertname="Watchdog"'] }],
  };
}
