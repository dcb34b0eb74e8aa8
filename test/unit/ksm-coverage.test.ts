/** A warning when kube-state-metrics settings drop a metric a baseline alert or default panel reads. */
import { describe, expect, it } from 'vitest';
import { collectorOf, kubeStateMetricsWarning, selectedMetrics } from '../../src/alerts/ksm-coverage.js';
import { planReleases } from '../../src/plan.js';
import { scenarioSettings } from '../support/scenarios.js';

const settings = () => scenarioSettings('standard-ingress');

describe('kube-state-metrics coverage of the baseline', () => {
  it('reads metric names with the PromQL grammar and maps them to their collector', () => {
    expect(selectedMetrics('sum by (a) (rate(kube_pod_container_status_restarts_total[5m])) > 0 unless on (a) kube_job_status_failed')).toEqual(['kube_pod_container_status_restarts_total', 'kube_job_status_failed']);
    expect(['kube_pod_info', 'kube_persistentvolumeclaim_info', 'kube_persistentvolume_status_phase', 'kube_job_status_failed'].map(collectorOf)).toEqual(['pods', 'persistentvolumeclaims', 'persistentvolumes', 'jobs']);
  });

  it('says nothing by default, with a denylist that spares the baseline, or with kube-state-metrics off', () => {
    const s = settings();
    expect(kubeStateMetricsWarning(s)).toBeUndefined();
    s.kubeStateMetrics = { ...s.kubeStateMetrics, metricDenylist: ['kube_secret_.*', 'kube_configmap_.*'] };
    expect(kubeStateMetricsWarning(s)).toBeUndefined();
    s.kubeStateMetrics = { ...s.kubeStateMetrics, metricDenylist: ['kube_job_.*'] };
    s.components = { ...s.components, kubeStateMetrics: false };
    expect(kubeStateMetricsWarning(s)).toBeUndefined();
  });

  it('names each dropped metric, why, and who reads it: a denylist (matched anywhere, as kube-state-metrics does), an allowlist, a collector left out', () => {
    const s = settings();
    s.kubeStateMetrics = { ...s.kubeStateMetrics, metricDenylist: ['job_failed'] };
    expect(kubeStateMetricsWarning(s)).toBe(
      'kube-state-metrics will not export metrics the baseline reads, so these alerts can never fire and these panels stay empty: kubeStateMetrics.metricDenylist "job_failed" drops kube_job_failed, read by alert KubeJobFailed. Allow these metrics, or disable the alerts (alerts.disabled).',
    );
    s.kubeStateMetrics = { ...s.kubeStateMetrics, metricDenylist: [], metricAllowlist: ['kube_pod_.*', 'kube_node_.*', 'kube_deployment_.*', 'kube_statefulset_.*', 'kube_daemonset_.*', 'kube_job_.*'] };
    const w = kubeStateMetricsWarning(s)!;
    expect(w).toMatch(/: kubeStateMetrics\.metricAllowlist drops kube_persistentvolume_status_phase, read by alert KubePersistentVolumeErrors\. Allow/);
    expect(w).not.toMatch(/kube_pod_/);
    s.kubeStateMetrics = { ...s.kubeStateMetrics, metricAllowlist: [] };
    s.charts.prometheus.values = { 'kube-state-metrics': { collectors: ['pods', 'nodes', 'deployments', 'statefulsets', 'daemonsets', 'persistentvolumes'] } };
    expect(kubeStateMetricsWarning(s)).toMatch(/^kube-state-metrics will not export .*: charts\.prometheus\.values\.kube-state-metrics\.collectors \(without jobs\) drops kube_job_failed, read by alert KubeJobFailed\. Allow/);
  });

  it('a disabled alert no longer counts; a panel of the default dashboards does', () => {
    const s = settings();
    s.kubeStateMetrics = { ...s.kubeStateMetrics, metricDenylist: ['kube_job_failed', 'kube_pod_info'] };
    s.alerts = { ...s.alerts, disabled: ['KubeJobFailed'] };
    const w = kubeStateMetricsWarning(s)!;
    expect(w).not.toContain('kube_job_failed');
    expect(w).toContain('kubeStateMetrics.metricDenylist "kube_pod_info" drops kube_pod_info, read by dashboard "Kubernetes: namespaces and pods" variable $namespace');
  });

  it('reaches the prometheus release plan (printed by render, diff and upgrade) and no other', () => {
    const s = settings();
    s.kubeStateMetrics = { ...s.kubeStateMetrics, metricDenylist: ['kube_job_.*'] };
    const plans = planReleases(s);
    expect(plans.map((p) => [p.id, Boolean(p.coverageNote)])).toEqual([['prometheus', true], ['grafana', false], ['promtail', false]]);
  });
});
