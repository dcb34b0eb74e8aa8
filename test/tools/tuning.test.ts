/**
 * The tuning settings and `charts.prometheus.values` as the real prometheus 29.27.0 chart renders
 * them (real helm 4 templating upstream-charts/packages): promtool v3.14.0 accepts the
 * prometheus.yml, and each setting lands where Prometheus and kube-state-metrics read it.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { renderThroughChart } from './render.js';

const tools = inject('tools');
const skip = inject('toolsSkip');
if (skip) describe.skip(skip, () => it('skipped', () => {}));

const container = (objects: Awaited<ReturnType<typeof renderThroughChart>>['objects'], kind: string, name: string) => {
  const o = objects.find((x) => x?.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`the chart rendered no ${kind} ${name}`);
  return o.spec.template.spec;
};

describe.skipIf(!!skip)('tuning settings through the real prometheus chart', () => {
  it('scrape and evaluation intervals, external labels, retention size, resources, kube-state-metrics lists and passed values reach the workloads; promtool accepts prometheus.yml', async () => {
    const r = await renderThroughChart(tools!.helm, {
      preset: 'standard',
      components: { promtail: false },
      prometheus: { scrapeInterval: '5s', evaluationInterval: '30s', retentionSize: '45GB', externalLabels: { region: 'eu-west-1' } },
      kubeStateMetrics: { namespaces: ['default', 'shop'], metricDenylist: ['kube_secret_.*'] },
      resources: { prometheus: { limits: { memory: '12Gi' } } },
      charts: { prometheus: { values: { server: { nodeSelector: { disk: 'ssd' } }, 'kube-state-metrics': { collectors: ['pods', 'nodes'] } } } },
    }, {}, /^warning: kube-state-metrics will not export metrics the baseline reads, .*: charts\.prometheus\.values\.kube-state-metrics\.collectors \(without daemonsets, deployments, jobs, persistentvolumes, statefulsets\) drops kube_daemonset_status_desired_number_scheduled, .*, read by alert KubeDaemonSetRolloutStuck, alert KubeDeploymentReplicasMismatch, .*\. Allow these metrics, or disable the alerts \(alerts\.disabled\)\.$/);
    const check = spawnSync(tools!.promtool, ['check', 'config', '--syntax-only', 'prometheus.yml'], { cwd: r.dir, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toContain('SUCCESS');
    expect(check.status).toBe(0);
    const config = parse(r.prometheusText) as { global: Record<string, unknown> };
    expect(config.global).toEqual({
      scrape_interval: '5s',
      // the chart's 10s timeout would make Prometheus refuse a 5s interval
      scrape_timeout: '5s',
      evaluation_interval: '30s',
      external_labels: { cluster: 'test', region: 'eu-west-1' },
    });

    const server = container(r.objects, 'Deployment', 'prometheus-server');
    const prom = server.containers.find((c: { name: string }) => c.name === 'prometheus-server');
    expect(prom.args).toContain('--storage.tsdb.retention.size=45GB');
    expect(prom.resources).toEqual({ requests: { cpu: '250m', memory: '2Gi' }, limits: { memory: '12Gi' } });
    expect(server.nodeSelector).toEqual({ disk: 'ssd' });

    const ksm = container(r.objects, 'Deployment', 'prometheus-kube-state-metrics').containers[0];
    expect(ksm.args).toEqual(expect.arrayContaining(['--namespaces=default,shop', '--metric-denylist=kube_secret_.*', '--resources=pods,nodes']));
    expect(ksm.resources).toEqual({ requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } });
  });

  it('promtool refuses what the chart would render without the timeout rule (a 5s interval under a 10s timeout), so the check above can fail', async () => {
    const r = await renderThroughChart(tools!.helm, {
      components: { promtail: false, kubeStateMetrics: false },
    });
    const text = r.prometheusText.replace(/scrape_interval: 1m/, 'scrape_interval: 5s');
    writeFileSync(`${r.dir}/broken.yml`, text);
    const check = spawnSync(tools!.promtool, ['check', 'config', '--syntax-only', 'broken.yml'], { cwd: r.dir, encoding: 'utf8' });
    expect(check.status).not.toBe(0);
    expect(check.stdout + check.stderr).toMatch(/scrape timeout greater than scrape interval/);
  });
});
