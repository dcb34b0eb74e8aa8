/**
 * The baseline alerting rules monitor-stack owns and renders into the prometheus chart's
 * `serverFiles."alerting_rules.yml"` (chart prometheus 29.27.0 ships `{}` there: no rule at all).
 *
 * Every metric named here is exported by a pinned program: Prometheus v3.14.0 (`prometheus_*`,
 * `up`), Alertmanager v0.34.0 (`alertmanager_*`), node-exporter 1.12.1 (`node_*`),
 * kube-state-metrics 2.20.0 (`kube_*`), or the kubelet (`kubelet_volume_stats_*`, scraped by the
 * chart's `kubernetes-nodes` job). A rule whose exporter is switched off in `components` is left
 * out: it could never fire.
 *
 * Each rule is proven by `promtool test rules` (test/rules/baseline.test.yml): it fires on series
 * built for it and stays quiet otherwise.
 */
import type { Settings } from '../config/schema.js';

/** Alert severities, the value of the `severity` label. */
export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A component whose exporter a rule reads; the rule is dropped when it is off. */
type Needs = 'alertmanager' | 'nodeExporter' | 'kubeStateMetrics';

export interface BaselineRule {
  /** Alert name (the `alertname` label). */
  alert: string;
  /** PromQL expression; the alert fires for each series it returns. */
  expr: string;
  /** How long the expression must hold before the alert fires (Prometheus duration), or none. */
  for?: string;
  severity: Severity;
  /** One line for the notification title. May use `{{ $labels.x }}` and `{{ $value }}`. */
  summary: string;
  /** What is wrong, with the labels that locate it. */
  description: string;
  /** What to do about it (the README table). */
  action: string;
  needs?: Needs;
}

export interface BaselineGroup {
  /** Rule group name, rendered with a `monitor-stack-` prefix. */
  name: string;
  rules: BaselineRule[];
}

/** Filesystems node-exporter reports that can fill up (not pseudo filesystems). */
const FS = 'fstype!="",mountpoint!=""';

export const BASELINE_GROUPS: BaselineGroup[] = [
  {
    name: 'pipeline',
    rules: [
      {
        alert: 'Watchdog',
        expr: 'vector(1)',
        severity: 'info',
        summary: 'The alert pipeline works: this alert always fires.',
        description:
          'This alert always fires. It proves that Prometheus evaluates rules and that Alertmanager receives them. Alertmanager routes it to the null receiver, never to people.',
        action: 'Nothing: it is the heartbeat of the alert pipeline.',
      },
    ],
  },
  {
    name: 'prometheus',
    rules: [
      {
        alert: 'TargetDown',
        expr: '100 * (count by (job, namespace, service) (up == 0) / count by (job, namespace, service) (up)) > 10',
        for: '10m',
        severity: 'warning',
        summary: 'Targets of job {{ $labels.job }} are down.',
        description: '{{ printf "%.4g" $value }}% of the targets of job {{ $labels.job }} (namespace {{ $labels.namespace }}, service {{ $labels.service }}) are down.',
        action: 'Open Prometheus > Status > Targets: the error column says why the scrape fails (refused, timeout, 401/403).',
      },
      {
        alert: 'PrometheusConfigReloadFailed',
        expr: 'max_over_time(prometheus_config_last_reload_successful[5m]) == 0',
        for: '10m',
        severity: 'warning',
        summary: 'Prometheus could not reload its configuration.',
        description: 'Prometheus {{ $labels.instance }} failed to reload its configuration; it runs the last good one.',
        action: 'Read the Prometheus server log for "Error loading config"; run `monitor-stack diff` to see what changed.',
      },
      {
        alert: 'PrometheusRuleEvaluationFailures',
        expr: 'increase(prometheus_rule_evaluation_failures_total[5m]) > 0',
        for: '15m',
        severity: 'critical',
        summary: 'Prometheus fails to evaluate rules.',
        description: 'Prometheus {{ $labels.instance }} failed to evaluate {{ printf "%.0f" $value }} rules of group {{ $labels.rule_group }} in 5 minutes: those alerts cannot fire.',
        action: 'Prometheus > Alerts shows the failing rule and its error (often many-to-many matching or a query timeout).',
      },
      {
        alert: 'PrometheusNotificationsFailing',
        expr: '100 * rate(prometheus_notifications_errors_total[5m]) / rate(prometheus_notifications_sent_total[5m]) > 1',
        for: '15m',
        severity: 'critical',
        summary: 'Prometheus cannot send alerts to Alertmanager.',
        description: '{{ printf "%.1f" $value }}% of the alerts Prometheus {{ $labels.instance }} sends to {{ $labels.alertmanager }} fail.',
        action: 'Check that the Alertmanager pods are Ready and that the network lets Prometheus reach port 9093.',
        needs: 'alertmanager',
      },
      {
        alert: 'PrometheusNotConnectedToAlertmanagers',
        expr: 'max_over_time(prometheus_notifications_alertmanagers_discovered[5m]) < 1',
        for: '10m',
        severity: 'critical',
        summary: 'Prometheus has found no Alertmanager.',
        description: 'Prometheus {{ $labels.instance }} has discovered no Alertmanager: no alert leaves it.',
        action: 'Check that the Alertmanager pods run in the release namespace and carry the chart\'s labels.',
        needs: 'alertmanager',
      },
      {
        alert: 'PrometheusTSDBCompactionsFailing',
        expr: 'increase(prometheus_tsdb_compactions_failed_total[3h]) > 0',
        for: '4h',
        severity: 'warning',
        summary: 'Prometheus fails to compact its storage.',
        description: 'Prometheus {{ $labels.instance }} had {{ printf "%.0f" $value }} failed compactions in 3 hours; its disk use will grow.',
        action: 'Read the Prometheus server log for "compaction failed"; check the volume is not full or read-only.',
      },
      {
        alert: 'PrometheusTSDBReloadsFailing',
        expr: 'increase(prometheus_tsdb_reloads_failures_total[3h]) > 0',
        for: '4h',
        severity: 'warning',
        summary: 'Prometheus fails to reload storage blocks.',
        description: 'Prometheus {{ $labels.instance }} had {{ printf "%.0f" $value }} failed block reloads in 3 hours.',
        action: 'Read the Prometheus server log for "reloadBlocks"; a corrupt block may need removing from the volume.',
      },
    ],
  },
  {
    name: 'alertmanager',
    rules: [
      {
        alert: 'AlertmanagerConfigReloadFailed',
        expr: 'max_over_time(alertmanager_config_last_reload_successful[5m]) == 0',
        for: '10m',
        severity: 'critical',
        summary: 'Alertmanager could not reload its configuration.',
        description: 'Alertmanager {{ $labels.pod }} failed to reload its configuration; it runs the last good one.',
        action: 'Read the Alertmanager log for "Loading configuration file failed"; a receiver Secret may be missing a key.',
        needs: 'alertmanager',
      },
      {
        alert: 'AlertmanagerNotificationsFailing',
        expr:
          '100 * sum by (namespace, pod, integration) (rate(alertmanager_notifications_failed_total[5m])) / sum by (namespace, pod, integration) (rate(alertmanager_notifications_total[5m])) > 1',
        for: '5m',
        severity: 'critical',
        summary: 'Alertmanager fails to deliver {{ $labels.integration }} notifications.',
        description: '{{ printf "%.1f" $value }}% of the {{ $labels.integration }} notifications of Alertmanager {{ $labels.pod }} fail.',
        action: 'Read the Alertmanager log for "Notify for alerts failed": a wrong URL, key or SMTP password, or egress blocked.',
        needs: 'alertmanager',
      },
    ],
  },
  {
    name: 'nodes',
    rules: [
      {
        alert: 'NodeFilesystemAlmostFull',
        expr: `node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}} * 100 < 5 and node_filesystem_readonly{${FS}} == 0`,
        for: '30m',
        severity: 'critical',
        summary: 'Filesystem {{ $labels.mountpoint }} on {{ $labels.instance }} is almost full.',
        description: 'Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has {{ printf "%.1f" $value }}% space left.',
        action: 'Free space on the node (images: `crictl rmi --prune`, logs) or grow the disk.',
        needs: 'nodeExporter',
      },
      {
        alert: 'NodeFilesystemFillingUp',
        expr: `node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}} * 100 < 40 and predict_linear(node_filesystem_avail_bytes{${FS}}[6h], 24 * 3600) < 0 and node_filesystem_readonly{${FS}} == 0`,
        for: '1h',
        severity: 'warning',
        summary: 'Filesystem {{ $labels.mountpoint }} on {{ $labels.instance }} will be full within 24 hours.',
        description: 'Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has {{ printf "%.1f" $value }}% space left and, at the rate of the last 6 hours, fills within 24 hours.',
        action: 'Find what writes (`du -xh --max-depth=2 <mountpoint>`) and stop it, or grow the disk.',
        needs: 'nodeExporter',
      },
      {
        alert: 'NodeMemoryPressure',
        expr: 'node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100 < 5',
        for: '15m',
        severity: 'warning',
        summary: 'Node {{ $labels.instance }} is running out of memory.',
        description: 'Node {{ $labels.instance }} has {{ printf "%.1f" $value }}% of its memory available; pods will be evicted or killed.',
        action: 'Find the largest pods on the node (`kubectl top pods -A --sort-by=memory`); set memory limits or add nodes.',
        needs: 'nodeExporter',
      },
      {
        alert: 'NodeClockSkew',
        expr:
          '(node_timex_offset_seconds > 0.05 and deriv(node_timex_offset_seconds[5m]) >= 0) or (node_timex_offset_seconds < -0.05 and deriv(node_timex_offset_seconds[5m]) <= 0)',
        for: '10m',
        severity: 'warning',
        summary: 'The clock of node {{ $labels.instance }} is off.',
        description: 'The clock of node {{ $labels.instance }} is {{ printf "%.3f" $value }} s off and not converging; certificates and rate queries go wrong.',
        action: 'Check the node\'s NTP service (`chronyc tracking` or `timedatectl`).',
        needs: 'nodeExporter',
      },
      {
        alert: 'NodeClockNotSynchronising',
        expr: 'min_over_time(node_timex_sync_status[5m]) == 0 and node_timex_maxerror_seconds >= 16',
        for: '10m',
        severity: 'warning',
        summary: 'The clock of node {{ $labels.instance }} is not synchronised.',
        description: 'Node {{ $labels.instance }} has no time source: its clock drifts freely.',
        action: 'Start or fix the node\'s NTP service (`chronyc sources` or `timedatectl timesync-status`).',
        needs: 'nodeExporter',
      },
      {
        alert: 'KubeNodeNotReady',
        expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0',
        for: '15m',
        severity: 'warning',
        summary: 'Node {{ $labels.node }} is not Ready.',
        description: 'Node {{ $labels.node }} has not been Ready for 15 minutes; its pods are being moved or lost.',
        action: '`kubectl describe node {{ $labels.node }}`: the Conditions say why (kubelet stopped, disk or memory pressure, network).',
        needs: 'kubeStateMetrics',
      },
    ],
  },
  {
    name: 'workloads',
    rules: [
      {
        alert: 'KubePodCrashLooping',
        expr: 'max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1',
        for: '15m',
        severity: 'warning',
        summary: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} is crash looping.',
        description: 'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} keeps restarting (CrashLoopBackOff).',
        action: '`kubectl logs --previous -n {{ $labels.namespace }} {{ $labels.pod }} -c {{ $labels.container }}` shows why it exited.',
        needs: 'kubeStateMetrics',
      },
      {
        alert: 'KubePodNotReady',
        expr:
          'max by (namespace, pod) (kube_pod_status_ready{condition="false"}) == 1 unless on (namespace, pod) kube_pod_status_phase{phase="Succeeded"} == 1 unless on (namespace, pod) kube_pod_owner{owner_kind="Job"}',
        for: '15m',
        severity: 'warning',
        summary: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} is not ready.',
        description: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} has not been ready for 15 minutes.',
        action: '`kubectl describe pod -n {{ $labels.namespace }} {{ $labels.pod }}`: Events say why (unschedulable, image pull, failing readiness probe).',
        needs: 'kubeStateMetrics',
      },
      {
        alert: 'KubeDeploymentReplicasMismatch',
        expr: 'kube_deployment_spec_replicas > kube_deployment_status_replicas_available and changes(kube_deployment_status_replicas_updated[10m]) == 0',
        for: '15m',
        severity: 'warning',
        summary: 'Deployment {{ $labels.namespace }}/{{ $labels.deployment }} lacks replicas.',
        description: 'Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has had fewer available replicas than it asks for, with no rollout progress, for 15 minutes.',
        action: '`kubectl rollout status -n {{ $labels.namespace }} deployment/{{ $labels.deployment }}`, then describe its pods.',
        needs: 'kubeStateMetrics',
      },
      {
        alert: 'KubeStatefulSetReplicasMismatch',
        expr: 'kube_statefulset_status_replicas_ready != kube_statefulset_replicas and changes(kube_statefulset_status_replicas_updated[10m]) == 0',
        for: '15m',
        severity: 'warning',
        summary: 'StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} lacks ready replicas.',
        description: 'StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} has not had the ready replicas it asks for, with no rollout progress, for 15 minutes.',
        action: '`kubectl describe statefulset -n {{ $labels.namespace }} {{ $labels.statefulset }}`; a pod waiting for its volume is common.',
        needs: 'kubeStateMetrics',
      },
      {
        alert: 'KubeDaemonSetRolloutStuck',
        expr:
          '(kube_daemonset_status_updated_number_scheduled != kube_daemonset_status_desired_number_scheduled or kube_daemonset_status_number_available != kube_daemonset_status_desired_number_scheduled) and changes(kube_daemonset_status_updated_number_scheduled[5m]) == 0',
        for: '15m',
        severity: 'warning',
        summary: 'DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} rollout is stuck.',
        description: 'DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} has not been updated and available on every node it should run on, with no progress, for 15 minutes.',
        action: '`kubectl rollout status -n {{ $labels.namespace }} daemonset/{{ $labels.daemonset }}`; look for nodes with taints or no room.',
        needs: 'kubeStateMetrics',
      },
      {
        alert: 'KubeJobFailed',
        expr: 'kube_job_failed{condition="true"} == 1',
        for: '15m',
        severity: 'warning',
        summary: 'Job {{ $labels.namespace }}/{{ $labels.job_name }} failed.',
        description: 'Job {{ $labels.namespace }}/{{ $labels.job_name }} failed; the alert clears when the Job is deleted.',
        action: '`kubectl logs -n {{ $labels.namespace }} job/{{ $labels.job_name }}`; delete the Job once understood.',
        needs: 'kubeStateMetrics',
      },
      {
        alert: 'KubePersistentVolumeFillingUp',
        expr:
          'kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes * 100 < 15 and predict_linear(kubelet_volume_stats_available_bytes[6h], 4 * 24 * 3600) < 0',
        for: '1h',
        severity: 'warning',
        summary: 'Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} will be full within 4 days.',
        description: 'PersistentVolumeClaim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has {{ printf "%.1f" $value }}% space left and, at the rate of the last 6 hours, fills within 4 days.',
        action: 'Grow the claim (when its StorageClass allows expansion) or lower what the workload keeps (for Prometheus: retention).',
      },
      {
        alert: 'KubePersistentVolumeAlmostFull',
        expr: 'kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes * 100 < 3',
        for: '5m',
        severity: 'critical',
        summary: 'Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is almost full.',
        description: 'PersistentVolumeClaim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has {{ printf "%.1f" $value }}% space left.',
        action: 'Grow the claim now, or free space in it; a full volume stops its workload writing.',
      },
      {
        alert: 'KubePersistentVolumeErrors',
        expr: 'kube_persistentvolume_status_phase{phase=~"Failed|Pending"} == 1',
        for: '5m',
        severity: 'critical',
        summary: 'PersistentVolume {{ $labels.persistentvolume }} is {{ $labels.phase }}.',
        description: 'PersistentVolume {{ $labels.persistentvolume }} has been in phase {{ $labels.phase }} for 5 minutes.',
        action: '`kubectl describe pv {{ $labels.persistentvolume }}`: the provisioner\'s events say why.',
        needs: 'kubeStateMetrics',
      },
    ],
  },
];

/** Every baseline alert name, in rendering order. */
export const BASELINE_ALERTS: readonly string[] = BASELINE_GROUPS.flatMap((g) => g.rules.map((r) => r.alert));

/** One rule as Prometheus reads it (rule file format of Prometheus v3). */
export interface RenderedRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: Severity };
  annotations: { summary: string; description: string };
}

/**
 * The `alerting_rules.yml` content for these settings: the baseline groups named
 * `monitor-stack-<group>`, without the rules in `alerts.disabled` or whose exporter is off, with
 * `alerts.severityOverrides` applied (groups left empty are omitted), then the groups read from
 * `alerts.ruleFiles` (`s.ruleGroups`, rule-files.ts) as they are. Pure.
 */
export function renderAlertingRules(s: Settings): { groups: { name: string; rules: RenderedRule[] }[] } {
  const disabled = new Set(s.alerts.disabled);
  const groups = BASELINE_GROUPS.map((g) => ({
    name: `monitor-stack-${g.name}`,
    rules: g.rules
      .filter((r) => !disabled.has(r.alert) && (!r.needs || s.components[r.needs]))
      .map((r) => ({
        alert: r.alert,
        expr: r.expr,
        ...(r.for ? { for: r.for } : {}),
        labels: { severity: s.alerts.severityOverrides[r.alert] ?? r.severity },
        annotations: { summary: r.summary, description: r.description },
      })),
  }));
  return { groups: [...groups.filter((g) => g.rules.length > 0), ...((s.ruleGroups ?? []) as typeof groups)] };
}
