/** The baseline alert rules and the routing monitor-stack adds (src/alerts/). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASELINE_GROUPS, renderAlertingRules } from '../../src/alerts/baseline.js';
import { renderRoute } from '../../src/alerts/routing.js';
import { parseYamlWith } from '../../src/config/load.js';
import { checkSettings } from '../../src/config/merge.js';
import { configFileSchema } from '../../src/config/schema.js';
import { UsageError } from '../../src/errors.js';
import { renderPrometheusValues } from '../../src/overlays/prometheus.js';
import { ROOT } from '../support/run.js';
import { scenarioSettings } from '../support/scenarios.js';

const names = (rules: ReturnType<typeof renderAlertingRules>) => rules.groups.flatMap((g) => g.rules.map((r) => r.alert));

function hintsOf(text: string): string[] {
  try {
    parseYamlWith(text, 'monitor-stack.yaml', configFileSchema);
  } catch (err) {
    if (err instanceof UsageError) return err.hints;
    throw err;
  }
  throw new Error('expected a UsageError');
}

describe('baseline alerting rules', () => {
  it('renders the groups in order, each rule with its severity label and both annotations; Watchdog has no for', () => {
    const s = scenarioSettings('standard-ingress');
    const rules = renderAlertingRules(s);
    expect(rules.groups.map((g) => g.name)).toEqual(['monitor-stack-pipeline', 'monitor-stack-prometheus', 'monitor-stack-alertmanager', 'monitor-stack-nodes', 'monitor-stack-workloads']);
    expect(rules.groups[0]!.rules).toEqual([
      {
        alert: 'Watchdog',
        expr: 'vector(1)',
        labels: { severity: 'info' },
        annotations: {
          summary: 'The alert pipeline works: this alert always fires.',
          description: 'This alert always fires. It proves that Prometheus evaluates rules and that Alertmanager receives them. Alertmanager routes it to the null receiver, never to people.',
        },
      },
    ]);
    const targetDown = rules.groups[1]!.rules[0]!;
    expect(targetDown).toMatchObject({ alert: 'TargetDown', for: '10m', labels: { severity: 'warning' } });
    expect(names(rules)).toHaveLength(25);
  });

  it('drops alerts.disabled, applies alerts.severityOverrides, and omits a group left empty', () => {
    const s = scenarioSettings('standard-ingress');
    s.alerts = { disabled: ['AlertmanagerConfigReloadFailed', 'AlertmanagerNotificationsFailing', 'KubeJobFailed'], severityOverrides: { TargetDown: 'critical', Watchdog: 'warning' }, ruleFiles: [] };
    const rules = renderAlertingRules(s);
    expect(rules.groups.map((g) => g.name)).not.toContain('monitor-stack-alertmanager');
    expect(names(rules)).not.toContain('KubeJobFailed');
    expect(names(rules)).toHaveLength(22);
    const label = (alert: string) => rules.groups.flatMap((g) => g.rules).find((r) => r.alert === alert)!.labels.severity;
    expect([label('TargetDown'), label('Watchdog'), label('KubePodCrashLooping')]).toEqual(['critical', 'warning', 'warning']);
  });

  it('leaves out each rule whose exporter is off, and only those', () => {
    const s = scenarioSettings('standard-ingress');
    const all = names(renderAlertingRules(s));
    s.components.alertmanager = false;
    const noAm = names(renderAlertingRules(s));
    expect(all.filter((a) => !noAm.includes(a))).toEqual(['PrometheusNotificationsFailing', 'PrometheusNotConnectedToAlertmanagers', 'AlertmanagerConfigReloadFailed', 'AlertmanagerNotificationsFailing']);
    s.components.alertmanager = true;
    s.components.nodeExporter = false;
    expect(all.filter((a) => !names(renderAlertingRules(s)).includes(a))).toEqual(['NodeFilesystemAlmostFull', 'NodeFilesystemFillingUp', 'NodeMemoryPressure', 'NodeClockSkew', 'NodeClockNotSynchronising']);
    s.components.nodeExporter = true;
    s.components.kubeStateMetrics = false;
    expect(all.filter((a) => !names(renderAlertingRules(s)).includes(a))).toEqual([
      'KubeNodeNotReady',
      'KubePodCrashLooping',
      'KubePodNotReady',
      'KubeDeploymentReplicasMismatch',
      'KubeStatefulSetReplicasMismatch',
      'KubeDaemonSetRolloutStuck',
      'KubeJobFailed',
      'KubePersistentVolumeErrors',
    ]);
  });

  it('is in the prometheus overlay under serverFiles."alerting_rules.yml", and Alertmanager pods are annotated for scraping', () => {
    const s = scenarioSettings('standard-ingress');
    const values = renderPrometheusValues(s) as { serverFiles: Record<string, unknown>; alertmanager: { podAnnotations: unknown } };
    expect(values.serverFiles).toEqual({ 'alerting_rules.yml': renderAlertingRules(s) });
    expect(values.alertmanager.podAnnotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9093' });
  });
});

describe('the README table of baseline alerts', () => {
  it('lists every rule, in order, with its severity and for', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `(\w+)` \| (critical|warning|info) \| ([^|]+) \|/gm)].map((m) => [m[1], m[2], m[3]!.trim()]);
    const rules = BASELINE_GROUPS.flatMap((g) => g.rules).map((r) => [r.alert, r.severity, r.for ?? '–']);
    expect(rows).toEqual(rules);
  });
});

describe('alerts settings', () => {
  it('an unknown alert name in alerts.disabled names the closest baseline alert', () => {
    expect(hintsOf('alerts:\n  disabled: [KubeJobFailes]\n')).toEqual([
      '  monitor-stack.yaml:2: alerts.disabled[0]: "KubeJobFailes" is not a baseline alert; did you mean KubeJobFailed? (the README lists them all)',
    ]);
  });

  it('an unknown alert name or severity in alerts.severityOverrides is refused', () => {
    const hints = hintsOf('alerts:\n  severityOverrides:\n    TargetDwn: critical\n    Watchdog: page\n');
    expect(hints.join('\n')).toContain('"TargetDwn" is not a baseline alert; did you mean TargetDown?');
    expect(hints.join('\n')).toContain('alerts.severityOverrides.Watchdog: must be one of critical, warning, info');
  });

  it('a receiver named "null" is refused: the name is reserved for the receiver that drops alerts', () => {
    const s = scenarioSettings('standard-ingress');
    s.alertmanager.receivers = [{ name: 'null', type: 'webhook', url: 'env:HOOK' }];
    s.alertmanager.route = { ...s.alertmanager.route, receiver: null, critical: [] };
    expect(checkSettings(s)).toEqual(['alertmanager.receivers: the name "null" is reserved (null and deadmansswitch are the receivers monitor-stack adds for Watchdog); choose another.']);
    s.alertmanager.receivers = [{ name: 'deadmansswitch', type: 'webhook', url: 'env:HOOK' }];
    expect(checkSettings(s)[0]).toContain('the name "deadmansswitch" is reserved');
  });
});

describe('routing', () => {
  it('sends Watchdog to the null receiver, and the rest to the route receiver, else the first receiver, else null', () => {
    const s = scenarioSettings('standard-ingress');
    expect(renderRoute(s)).toEqual({
      receiver: 'slack',
      group_by: ['alertname', 'namespace'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        // monitor-stack test-alert: one route per receiver, on a label no real alert carries
        { receiver: 'slack', matchers: ['monitor_stack_test="slack"'], group_by: ['alertname', 'monitor_stack_test', 'test_run'], group_wait: '0s', group_interval: '1m', repeat_interval: '24h' },
        { receiver: 'email', matchers: ['monitor_stack_test="email"'], group_by: ['alertname', 'monitor_stack_test', 'test_run'], group_wait: '0s', group_interval: '1m', repeat_interval: '24h' },
        { receiver: 'null', matchers: ['alertname="Watchdog"'] },
        { receiver: 'email', matchers: ['severity="critical"'], continue: true },
        { receiver: 'slack', matchers: ['severity="critical"'], continue: true },
      ],
    });
    s.alertmanager.route.receiver = null;
    expect(renderRoute(s).receiver).toBe('slack');
    s.alertmanager.receivers = [...s.alertmanager.receivers].reverse();
    expect(renderRoute(s).receiver).toBe('email');
    s.alertmanager.receivers = [];
    expect(renderRoute(s).receiver).toBe('null');
  });

  it('the null receiver is always defined, after the configured ones', () => {
    const s = scenarioSettings('standard-ingress');
    const config = (renderPrometheusValues(s) as { alertmanager: { config: { receivers: { name: string }[] } } }).alertmanager.config;
    expect(config.receivers.map((r) => r.name)).toEqual(['slack', 'email', 'null']);
  });
});
