/**
 * Helm's release records, read straight from the cluster instead of one `helm get` process per
 * release. Pure apart from gunzip.
 *
 * Format (Helm 3 and Helm 4 alike; source: helm `pkg/storage/driver/secrets.go` and `util.go`,
 * `pkg/release/release.go` in Helm 3, `pkg/release/v1` in Helm 4): the default "secret" storage
 * driver keeps one Secret per revision in the release namespace,
 *
 * - name `sh.helm.release.v1.<release>.v<revision>`, type `helm.sh/release.v1`;
 * - labels `owner: helm`, `name: <release>`, `status: <status>`, `version: <revision>`;
 * - `data.release`: the release as JSON, gzip-compressed, then base64-encoded (so, read through the
 *   API, base64 twice). Helm writes gzip; it also reads plain JSON, and so do we.
 *
 * With `HELM_DRIVER=configmap` the same records are ConfigMaps of the same names and labels, whose
 * `data.release` is helm's encoding once (no base64 of the API's own).
 *
 * The JSON holds `name`, `namespace`, `version` (the revision), `info.status`,
 * `info.last_deployed`, `info.description`, `chart.metadata.{name,version,appVersion}`, `config`
 * (the user-supplied values), `manifest` (the rendered resources without hooks) and `hooks`.
 */
import { gunzipSync } from 'node:zlib';

/** Release statuses (helm `pkg/release/status.go`). */
export type ReleaseStatus =
  | 'unknown'
  | 'deployed'
  | 'uninstalled'
  | 'superseded'
  | 'failed'
  | 'uninstalling'
  | 'pending-install'
  | 'pending-upgrade'
  | 'pending-rollback';

/** What monitor-stack reads of one release revision. */
export interface ReleaseRecord {
  name: string;
  namespace: string;
  revision: number;
  status: ReleaseStatus;
  /** Chart name and version of the revision. */
  chart: string;
  chartVersion: string;
  /** User-supplied values (`helm get values`). */
  values: Record<string, unknown>;
  /** Rendered resources (`helm get manifest`), without hooks. */
  manifest: string;
  /** RFC 3339 time of the revision's last deploy, as helm stores it. */
  lastDeployed: string;
  description: string;
  /** Helm 4: `csa` (client-side apply) or `ssa` (server-side apply); absent from Helm 3 records. */
  applyMethod?: string;
}

/** Prefix of the storage Secret names of a release. */
export const RELEASE_SECRET_PREFIX = 'sh.helm.release.v1.';

/** Label selector of every revision of the named releases. */
export function releaseSelector(releases: string[]): string {
  return `owner=helm,name in (${[...releases].sort().join(',')})`;
}

/**
 * Decodes `data.release` of a storage object as the Kubernetes API returns it: for a Secret
 * base64 of helm's base64 of gzip of JSON; for a ConfigMap (`from: 'configmap'`) helm's base64 of
 * gzip of JSON.
 * @throws Error when the data is not a helm release record.
 */
export function decodeReleaseRecord(apiData: string, from: 'secret' | 'configmap' = 'secret'): ReleaseRecord {
  const helmEncoded = from === 'secret' ? Buffer.from(apiData, 'base64').toString('latin1') : apiData;
  const inner = Buffer.from(helmEncoded, 'base64');
  const json = inner[0] === 0x1f && inner[1] === 0x8b ? gunzipSync(inner).toString('utf8') : inner.toString('utf8');
  const r = JSON.parse(json) as {
    name?: string;
    namespace?: string;
    version?: number;
    info?: { status?: string; last_deployed?: string; description?: string };
    chart?: { metadata?: { name?: string; version?: string } };
    config?: Record<string, unknown> | null;
    manifest?: string;
    apply_method?: string;
  };
  if (typeof r.name !== 'string' || typeof r.version !== 'number') throw new Error('not a helm release record (no name or version)');
  return {
    name: r.name,
    namespace: r.namespace ?? '',
    revision: r.version,
    status: (r.info?.status ?? 'unknown') as ReleaseStatus,
    chart: r.chart?.metadata?.name ?? '',
    chartVersion: r.chart?.metadata?.version ?? '',
    values: r.config ?? {},
    manifest: r.manifest ?? '',
    lastDeployed: r.info?.last_deployed ?? '',
    description: r.info?.description ?? '',
    ...(r.apply_method ? { applyMethod: r.apply_method } : {}),
  };
}

/** The revisions of one release that a plan needs, from its storage Secrets' labels. */
export interface ReleaseHistoryHead {
  /** Highest revision and its status. */
  latest: { revision: number; status: ReleaseStatus };
  /**
   * Highest revision that was deployed (status `deployed`, or `superseded`: helm marks a deployed
   * revision superseded when a later one is written, even a failed one). The rollback target;
   * never a failed or pending revision.
   */
  lastDeployed?: number;
}

/**
 * Picks the latest and the last deployed revision from storage Secret labels (`version`, `status`).
 * @returns undefined when there is no revision.
 */
export function historyHead(labels: { version?: string; status?: string }[]): ReleaseHistoryHead | undefined {
  const revs = labels
    .map((l) => ({ revision: Number(l.version), status: (l.status ?? 'unknown') as ReleaseStatus }))
    .filter((r) => Number.isInteger(r.revision) && r.revision > 0)
    .sort((a, b) => b.revision - a.revision);
  if (!revs.length) return undefined;
  const deployed = revs.find((r) => r.status === 'deployed' || r.status === 'superseded');
  return { latest: revs[0]!, ...(deployed ? { lastDeployed: deployed.revision } : {}) };
}
