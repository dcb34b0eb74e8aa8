/**
 * The charts monitor-stack installs, the versions it pins and where they come from. The key shapes
 * the overlays use were checked against the default values of exactly these versions
 * (`upstream-charts/`), and a test checks every rendered key path against them.
 */

/** The three releases monitor-stack manages, by the name of the chart they install. */
export const CHART_IDS = ['prometheus', 'grafana', 'promtail'] as const;
export type ChartId = (typeof CHART_IDS)[number];

export interface PinnedChart {
  /** Chart name in its repository. */
  chart: string;
  /** Pinned chart version (SemVer, no leading v). */
  version: string;
  /** Default chart repository URL (`helm repo add`). */
  repository: string;
  /** Name monitor-stack gives the repository in helm's repository list. */
  repositoryName: string;
  /** Subcharts pulled by this chart version, with their versions: key prefix → version. */
  subcharts: Record<string, string>;
  /** Set when the chart is deprecated upstream: what to tell the user. */
  deprecation?: string;
}

export const PINNED_CHARTS: Record<ChartId, PinnedChart> = {
  prometheus: {
    chart: 'prometheus',
    version: '29.27.0',
    repository: 'https://prometheus-community.github.io/helm-charts',
    repositoryName: 'prometheus-community',
    subcharts: {
      alertmanager: '1.42.0',
      'kube-state-metrics': '8.4.0',
      'prometheus-node-exporter': '4.56.1',
      'prometheus-pushgateway': '3.8.0',
    },
  },
  grafana: {
    chart: 'grafana',
    version: '12.11.1',
    // The chart moved from grafana/helm-charts to grafana-community/helm-charts in early 2026.
    repository: 'https://grafana-community.github.io/helm-charts',
    repositoryName: 'grafana-community',
    subcharts: {},
  },
  promtail: {
    chart: 'promtail',
    version: '6.17.1',
    repository: 'https://grafana.github.io/helm-charts',
    repositoryName: 'grafana',
    subcharts: {},
    deprecation:
      'The promtail chart is deprecated upstream (6.17.1 is marked deprecated). Grafana Alloy (chart "alloy" in the same repository) is its successor; plan the move, or set components.promtail: false.',
  },
};

/** Where a chart is fetched from, parsed from the `source` string of the config. */
export type ChartSource =
  | { kind: 'repository'; url: string }
  | { kind: 'oci'; reference: string }
  | { kind: 'local'; path: string };

/**
 * Parses a chart source: `https://…` or `http://…` is a chart repository, `oci://…` an OCI
 * reference to the chart itself, anything else a local chart folder (relative to the config file).
 */
export function parseChartSource(source: string): ChartSource {
  if (source.startsWith('oci://')) return { kind: 'oci', reference: source };
  if (/^https?:\/\//.test(source)) return { kind: 'repository', url: source.replace(/\/+$/, '') };
  return { kind: 'local', path: source };
}

/**
 * Whether helm is given `--version` for a source. A repository or OCI chart without it would be
 * whatever is newest there, so both are always pinned. Helm ignores `--version` for a chart folder:
 * a local chart is pinned instead by preflight, which checks its Chart.yaml name and version.
 */
export function passesVersionFlag(source: ChartSource): boolean {
  return source.kind !== 'local';
}

/**
 * Name of the Prometheus server Service of a prometheus 29.27.0 release
 * (`prometheus.server.fullname`, with `server.name: server`); its port is 80 (`server.service.servicePort`).
 */
export function prometheusServerService(release: string): string {
  const base = release.includes('prometheus') ? `${release}-server` : `${release}-prometheus-server`;
  return base.slice(0, 63).replace(/-+$/, '');
}

/**
 * The annotation helm (3 and 4) reads from a release's manifest to leave an object in place on
 * `helm uninstall` and when an upgrade drops it. Put on every PersistentVolumeClaim a chart
 * renders from our overlays, so that removing a release (or its volume) never deletes data.
 * PVCs a StatefulSet makes from volumeClaimTemplates are not in the manifest and stay anyway.
 */
export const KEEP_ON_UNINSTALL = { 'helm.sh/resource-policy': 'keep' } as const;
