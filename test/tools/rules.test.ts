/**
 * The Prometheus project's own tools judge what the real charts render from our overlays: the CLI
 * renders the overlay, real helm 4 templates the real prometheus 29.27.0 package
 * (upstream-charts/packages) with it, and promtool v3.14.0 checks and unit-tests the
 * `alerting_rules.yml` of the server ConfigMap; amtool v0.34.0 checks the Alertmanager config.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ROOT } from '../support/run.js';
import { renderThroughChart as render } from './render.js';

const tools = inject('tools');
const renderThroughChart = (env: Record<string, unknown>, files?: Record<string, string>) => render(tools!.helm, env, files);
const skip = inject('toolsSkip');
if (skip) describe.skip(skip, () => it('skipped', () => {}));

const UNIT_TESTS = join(ROOT, 'test', 'fixtures', 'rules', 'baseline.test.yml');

/** Every baseline alert, written out here (not read from the code under test). */
const BASELINE = [
  'Watchdog',
  'TargetDown',
  'PrometheusConfigReloadFailed',
  'PrometheusRuleEvaluationFailures',
  'PrometheusNotificationsFailing',
  'PrometheusNotConnectedToAlertmanagers',
  'PrometheusTSDBCompactionsFailing',
  'PrometheusTSDBReloadsFailing',
  'AlertmanagerConfigReloadFailed',
  'AlertmanagerNotificationsFailing',
  'NodeFilesystemAlmostFull',
  'NodeFilesystemFillingUp',
  'NodeMemoryPressure',
  'NodeClockSkew',
  'NodeClockNotSynchronising',
  'KubeNodeNotReady',
  'KubePodCrashLooping',
  'KubePodNotReady',
  'KubeDeploymentReplicasMismatch',
  'KubeStatefulSetReplicasMismatch',
  'KubeDaemonSetRolloutStuck',
  'KubeJobFailed',
  'KubePersistentVolumeFillingUp',
  'KubePersistentVolumeAlmostFull',
  'KubePersistentVolumeErrors',
];

const promtool = (dir: string, ...args: string[]) => spawnSync(tools!.promtool, args, { cwd: dir, encoding: 'utf8' });
const alertNames = (rulesText: string) => (parse(rulesText) as { groups: { rules: { alert: string }[] }[] }).groups.flatMap((g) => g.rules.map((r) => r.alert));

/** Every exporter on (Promtail off: it has no rule, and its deprecation warning would fill stderr). */
const ALL_ON = {
  preset: 'standard',
  components: { promtail: false },
  alertmanager: { receivers: [{ name: 'oncall', type: 'slack', webhookUrl: 'env:SLACK_URL' }] },
};

describe.runIf(tools)('baseline alert rules through the real prometheus chart', () => {
  it('every baseline alert is rendered, promtool accepts the file, and each fires on its unit test and stays quiet otherwise', async () => {
    const { dir, rulesText } = await renderThroughChart(ALL_ON);
    expect(alertNames(rulesText)).toEqual(BASELINE);
    const check = promtool(dir, 'check', 'rules', 'alerting_rules.yml');
    expect(check.stderr).toBe('');
    expect(check.stdout).toContain(`SUCCESS: ${BASELINE.length} rules found`);
    expect(check.status).toBe(0);
    copyFileSync(UNIT_TESTS, join(dir, 'baseline.test.yml'));
    const test = promtool(dir, 'test', 'rules', 'baseline.test.yml');
    expect(test.stdout + test.stderr).toContain('SUCCESS');
    expect(test.status).toBe(0);
  });

  it('the unit tests give every baseline alert a firing case and a quiet one', () => {
    const file = parse(readFileSync(UNIT_TESTS, 'utf8')) as {
      tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const cases = file.tests.flatMap((t) => t.alert_rule_test);
    const firing = new Set(cases.filter((c) => c.exp_alerts.length > 0).map((c) => c.alertname));
    const quiet = new Set(cases.filter((c) => c.exp_alerts.length === 0).map((c) => c.alertname));
    expect([...firing].sort()).toEqual([...BASELINE].sort());
    // Watchdog always fires: it has no quiet case.
    expect([...quiet].sort()).toEqual(BASELINE.filter((a) => a !== 'Watchdog').sort());
  });

  it('promtool fails the unit tests when a rule is broken (a threshold moved, an alert gone)', async () => {
    const { dir, rulesText } = await renderThroughChart(ALL_ON);
    copyFileSync(UNIT_TESTS, join(dir, 'baseline.test.yml'));
    // The chart's toYaml folds long lines, so the threshold is moved in the parsed file.
    const file = parse(rulesText) as { groups: { rules: { alert: string; expr: string }[] }[] };
    const rule = file.groups.flatMap((g) => g.rules).find((r) => r.alert === 'NodeFilesystemAlmostFull')!;
    expect(rule.expr).toContain(' * 100 < 5 and ');
    rule.expr = rule.expr.replace(' * 100 < 5 and ', ' * 100 < 3 and ');
    writeFileSync(join(dir, 'alerting_rules.yml'), stringify(file));
    const moved = promtool(dir, 'test', 'rules', 'baseline.test.yml');
    expect(moved.status).toBe(1);
    expect(moved.stdout + moved.stderr).toContain('alertname: NodeFilesystemAlmostFull');

    const withoutJobFailed = await renderThroughChart({ ...ALL_ON, alerts: { disabled: ['KubeJobFailed'] } });
    copyFileSync(UNIT_TESTS, join(withoutJobFailed.dir, 'baseline.test.yml'));
    const gone = promtool(withoutJobFailed.dir, 'test', 'rules', 'baseline.test.yml');
    expect(gone.status).toBe(1);
    expect(gone.stdout + gone.stderr).toContain('alertname: KubeJobFailed');
  });

  it('alerts.disabled and alerts.severityOverrides reach the rules file, which promtool accepts', async () => {
    const { dir, rulesText } = await renderThroughChart({ ...ALL_ON, alerts: { disabled: ['KubeJobFailed', 'NodeClockSkew'], severityOverrides: { TargetDown: 'critical' } } });
    expect(alertNames(rulesText)).toEqual(BASELINE.filter((a) => a !== 'KubeJobFailed' && a !== 'NodeClockSkew'));
    const targetDown = (parse(rulesText) as { groups: { rules: { alert: string; labels: Record<string, string> }[] }[] }).groups
      .flatMap((g) => g.rules)
      .find((r) => r.alert === 'TargetDown');
    expect(targetDown?.labels).toEqual({ severity: 'critical' });
    const check = promtool(dir, 'check', 'rules', 'alerting_rules.yml');
    expect(check.stdout).toContain(`SUCCESS: ${BASELINE.length - 2} rules found`);
    expect(check.status).toBe(0);
  });

  it('a rule whose exporter is off is left out: no Alertmanager, node-exporter or kube-state-metrics', async () => {
    const { dir, rulesText, alertmanagerText } = await renderThroughChart({
      preset: 'minimal',
      components: { alertmanager: false, nodeExporter: false, kubeStateMetrics: false, promtail: false, grafana: false },
    });
    expect(alertmanagerText).toBeUndefined();
    expect(alertNames(rulesText)).toEqual([
      'Watchdog',
      'TargetDown',
      'PrometheusConfigReloadFailed',
      'PrometheusRuleEvaluationFailures',
      'PrometheusTSDBCompactionsFailing',
      'PrometheusTSDBReloadsFailing',
      'KubePersistentVolumeFillingUp',
      'KubePersistentVolumeAlmostFull',
    ]);
    expect(promtool(dir, 'check', 'rules', 'alerting_rules.yml').status).toBe(0);
  });
});

describe.runIf(tools)('alerts.ruleFiles through the real prometheus chart', () => {
  const SHOP = `groups:
  - name: shop
    interval: 30s
    rules:
      - record: job:http_errors:rate5m
        expr: sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))
      - alert: ShopErrors
        expr: job:http_errors:rate5m > 1
        for: 5m
        labels: {severity: critical, team: shop}
        annotations:
          summary: "{{ $labels.job }} fails {{ $value | humanize }} requests a second"
`;
  const SHOP_TEST = `rule_files: [alerting_rules.yml]
evaluation_interval: 30s
tests:
  - interval: 1m
    input_series:
      - {series: 'http_requests_total{job="checkout",code="500"}', values: '0+120x20'}
      - {series: 'http_requests_total{job="cart",code="500"}', values: '0+30x20'}
    alert_rule_test:
      - {eval_time: 4m, alertname: ShopErrors, exp_alerts: []}
      - eval_time: 15m
        alertname: ShopErrors
        exp_alerts:
          - exp_labels: {severity: critical, team: shop, job: checkout}
            exp_annotations: {summary: "checkout fails 2 requests a second"}
`;

  it('the team\'s groups follow the baseline; promtool accepts the file and their alert fires on its unit test, quiet before its for and below its threshold', async () => {
    const { dir, rulesText } = await renderThroughChart({ ...ALL_ON, alerts: { ruleFiles: ['shop.yaml'] } }, { 'shop.yaml': SHOP });
    const groups = (parse(rulesText) as { groups: { name: string; interval?: string }[] }).groups;
    expect(groups.at(-1)).toEqual(expect.objectContaining({ name: 'shop', interval: '30s' }));
    expect(alertNames(rulesText).filter(Boolean)).toEqual([...BASELINE, 'ShopErrors']);
    const check = promtool(dir, 'check', 'rules', 'alerting_rules.yml');
    expect(check.stdout).toContain(`SUCCESS: ${BASELINE.length + 2} rules found`);
    expect(check.status).toBe(0);
    writeFileSync(join(dir, 'shop.test.yml'), SHOP_TEST);
    const test = promtool(dir, 'test', 'rules', 'shop.test.yml');
    expect(test.stdout + test.stderr).toContain('SUCCESS');
    expect(test.status).toBe(0);
    // The same test fails when the threshold moves above the firing series: it can fail.
    writeFileSync(join(dir, 'alerting_rules.yml'), rulesText.replace('job:http_errors:rate5m > 1', 'job:http_errors:rate5m > 3'));
    expect(promtool(dir, 'test', 'rules', 'shop.test.yml').status).toBe(1);
  });

  it('what the grammar cannot see (a type mismatch) passes our check and is refused by promtool, as the README says', async () => {
    const { dir } = await renderThroughChart({ ...ALL_ON, alerts: { ruleFiles: ['typed.yaml'] } }, { 'typed.yaml': 'groups:\n  - name: typed\n    rules:\n      - alert: NoRange\n        expr: rate(http_requests_total) > 1\n' });
    const check = promtool(dir, 'check', 'rules', 'alerting_rules.yml');
    expect(check.status).toBe(1);
    expect(check.stdout + check.stderr).toMatch(/expected type range vector in call to function "rate"/);
  });
});

describe.runIf(tools)('the Alertmanager config through the real prometheus chart', () => {
  const amtoolIn = (dir: string) => (...args: string[]) => spawnSync(tools!.amtool, args, { cwd: dir, encoding: 'utf8' });

  it('amtool accepts it; without lists, Watchdog goes to the null receiver and every other alert to the default one', async () => {
    const { dir, alertmanagerText } = await renderThroughChart(ALL_ON);
    expect(alertmanagerText).toBeDefined();
    const amtool = amtoolIn(dir);
    const check = amtool('check-config', 'alertmanager.yml');
    expect(check.stdout).toContain('SUCCESS');
    expect(check.stdout).toContain(' - 1 inhibit rules');
    expect(check.status).toBe(0);
    const route = (...labels: string[]) => amtool('config', 'routes', 'test', '--config.file=alertmanager.yml', ...labels).stdout.trim();
    expect(route('alertname=Watchdog', 'severity=info')).toBe('null');
    expect(route('alertname=TargetDown', 'severity=warning')).toBe('oncall');
    expect(route('alertname=KubePersistentVolumeErrors', 'severity=critical')).toBe('oncall');
  });

  it('critical and warning lists, a route of its own and a dead man\'s switch: each alert reaches exactly the receivers its route names', async () => {
    const { dir, alertmanagerText } = await renderThroughChart({
      ...ALL_ON,
      alertmanager: {
        receivers: [
          { name: 'chat', type: 'slack', webhookUrl: 'env:SLACK_URL' },
          { name: 'pager', type: 'pagerduty', routingKey: 'secret:alerting/pd-key' },
          { name: 'mail', type: 'email', to: 'oncall@example.com', from: 'am@example.com', smarthost: 'smtp.example.com:587' },
          { name: 'shop-team', type: 'webhook', url: 'secret:alerting/shop-hook' },
        ],
        routes: [{ matchers: ['namespace="shop"'], receiver: 'shop-team' }],
        route: { receiver: 'chat', critical: ['pager', 'chat'], warning: ['chat', 'mail'] },
        deadMansSwitchUrl: 'secret:alerting/heartbeat-url',
      },
    });
    expect(alertmanagerText).toContain('url_file: /etc/alertmanager/secrets/alerting/heartbeat-url');
    const amtool = amtoolIn(dir);
    expect(amtool('check-config', 'alertmanager.yml').status).toBe(0);
    const route = (...labels: string[]) => amtool('config', 'routes', 'test', '--config.file=alertmanager.yml', ...labels).stdout.trim();
    expect(route('alertname=Watchdog', 'severity=info')).toBe('deadmansswitch');
    expect(route('alertname=KubePersistentVolumeErrors', 'severity=critical')).toBe('pager,chat');
    expect(route('alertname=TargetDown', 'severity=warning', 'namespace=monitoring')).toBe('chat,mail');
    expect(route('alertname=KubePodCrashLooping', 'severity=warning', 'namespace=shop')).toBe('shop-team');
    expect(route('alertname=Custom', 'severity=info')).toBe('chat');
    // test-alert's alerts: each reaches its receiver alone, whatever their severity.
    for (const r of ['chat', 'pager', 'mail', 'shop-team', 'deadmansswitch']) expect(route('alertname=MonitorStackTestAlert', `monitor_stack_test=${r}`, 'severity=critical', 'namespace=shop')).toBe(r);
    // amtool itself judges: a wrong expectation fails with exit 1.
    const wrong = amtool('config', 'routes', 'test', '--config.file=alertmanager.yml', '--verify.receivers=mail', 'severity=critical');
    expect(wrong.status).toBe(1);
  });
});
