/**
 * Risk rules: changes the cluster would refuse half-way, lose data, or take from another owner,
 * found before anything changes. Pure: each rule reads the resource changes of a release plan and
 * what was read of the cluster.
 *
 * Sources: immutable fields from the Kubernetes API validation (apps/v1 StatefulSet:
 * everything of `spec` but replicas, ordinals, template, updateStrategy,
 * persistentVolumeClaimRetentionPolicy and minReadySeconds; Deployment and DaemonSet: `spec.selector`;
 * PersistentVolumeClaim: `storageClassName`, and `resources.requests.storage` may only grow);
 * ownership from helm's adoption check (`meta.helm.sh/release-name` and
 * `meta.helm.sh/release-namespace` annotations must name this release, helm 3.2+ and Helm 4).
 */
import { parseQuantity, resourceLabel, type ResourceChange } from './manifest.js';
import type { ReleaseStatus } from './helm-release.js';

/** The rule that found a risk. Stable: part of `diff -o json`. */
export type RiskRule = 'immutable-field' | 'volume-shrink' | 'volume-removed' | 'owned-elsewhere' | 'release-state';

export interface Risk {
  rule: RiskRule;
  release: string;
  /** `Kind namespace/name` of the resource, when the risk is about one. */
  resource?: string;
  /** The object itself, for `--allow-recreate` to delete. */
  object?: { apiVersion: string; kind: string; namespace: string; name: string };
  /** What would happen. */
  message: string;
  /** The safe path. */
  fix: string;
  /**
   * `recreate`: `upgrade --allow-recreate` may go ahead by deleting the object first (a
   * StatefulSet with orphaned pods, its PVCs kept; a Deployment or DaemonSet). `none`: only a
   * change of settings or a manual step resolves it. `notice`: shown, does not stop an upgrade.
   */
  resolution: 'recreate' | 'none' | 'notice';
}

/** Immutable `spec` fields by kind, as field-path prefixes. */
const IMMUTABLE: Record<string, string[]> = {
  StatefulSet: ['spec.volumeClaimTemplates', 'spec.selector', 'spec.serviceName', 'spec.podManagementPolicy'],
  Deployment: ['spec.selector'],
  DaemonSet: ['spec.selector'],
  PersistentVolumeClaim: ['spec.storageClassName', 'spec.accessModes', 'spec.volumeMode', 'spec.volumeName'],
};

const startsWithPath = (field: string, prefix: string) => field === prefix || field.startsWith(`${prefix}.`) || field.startsWith(`${prefix}[`);

const get = (o: unknown, path: string[]): unknown => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);

/** Rules over the resource changes of one release (manifest before → after). */
export function resourceRisks(release: string, changes: ResourceChange[]): Risk[] {
  const out: Risk[] = [];
  for (const c of changes) {
    const label = resourceLabel(c);
    if (c.change === 'changed') {
      const immutable = (IMMUTABLE[c.kind] ?? []).filter((p) => c.fields.some((f) => startsWithPath(f, p)));
      if (immutable.length) {
        const recreate = c.kind !== 'PersistentVolumeClaim';
        out.push({
          rule: 'immutable-field',
          release,
          resource: label,
          object: { apiVersion: c.apiVersion, kind: c.kind, namespace: c.namespace, name: c.name },
          message: `${label}: ${immutable.join(', ')} cannot change on an existing object; the upgrade would fail half-way.`,
          fix: recreate
            ? `upgrade --allow-recreate deletes the ${c.kind} first${c.kind === 'StatefulSet' ? ' (pods orphaned, PVCs kept)' : ''} and creates it anew; or keep the settings that render the old ${immutable.join(', ')}.`
            : 'keep the settings the volume was created with, or back up, delete the PVC and upgrade.',
          resolution: recreate ? 'recreate' : 'none',
        });
      }
      if (c.kind === 'PersistentVolumeClaim') {
        const before = parseQuantity(get(c.before, ['spec', 'resources', 'requests', 'storage']));
        const after = parseQuantity(get(c.after, ['spec', 'resources', 'requests', 'storage']));
        if (before !== undefined && after !== undefined && after < before) {
          out.push({
            rule: 'volume-shrink',
            release,
            resource: label,
            message: `${label}: the volume would shrink from ${String(get(c.before, ['spec', 'resources', 'requests', 'storage']))} to ${String(get(c.after, ['spec', 'resources', 'requests', 'storage']))}; Kubernetes only grows volumes.`,
            fix: 'keep the size (or grow it); to shrink, back up, delete the PVC and upgrade.',
            resolution: 'none',
          });
        }
      }
    }
    if (c.change === 'removed') {
      const templates = c.kind === 'StatefulSet' ? (get(c.before, ['spec', 'volumeClaimTemplates']) as unknown[] | undefined) : undefined;
      const kept = get(c.before, ['metadata', 'annotations', 'helm.sh/resource-policy']) === 'keep';
      if (c.kind === 'PersistentVolumeClaim' && kept) {
        // helm leaves an object whose manifest says resource-policy keep (our overlays set it): the
        // data survives, but what replaces the workload starts on empty volumes.
        out.push({
          rule: 'volume-removed',
          release,
          resource: label,
          message: `${label} would leave the release: helm keeps it with its data (helm.sh/resource-policy: keep), but nothing would use it any more; what replaces it starts on an empty volume.`,
          fix: 'keep the volume settings as they are, or copy the data to the new volume yourself and then delete the old PVC.',
          resolution: 'none',
        });
      } else if (c.kind === 'PersistentVolumeClaim' || (templates && templates.length)) {
        out.push({
          rule: 'volume-removed',
          release,
          resource: label,
          message:
            c.kind === 'PersistentVolumeClaim'
              ? `${label} would be deleted, and its data with it.`
              : `${label} would be deleted; the PVCs of its volumeClaimTemplates stay behind, unused.`,
          fix: 'keep the volume on in the settings (persistence), or back up the data first and delete the volume yourself.',
          resolution: 'none',
        });
      }
    }
  }
  return out;
}

/** What the cluster says about an object a plan would create. */
export interface LiveOwner {
  /** `meta.helm.sh/release-name`, absent when the object is not helm's. */
  release?: string;
  /** `meta.helm.sh/release-namespace`. */
  namespace?: string;
}

/**
 * Objects the release would create that already exist and belong to another release or
 * namespace (or to no helm release): helm refuses to take them over, half-way through the stack.
 * One risk per release, naming every such object and its owner.
 * @param found objects to be added, with the owner the cluster reports for each.
 */
export function ownershipRisk(release: string, namespace: string, found: { object: Pick<ResourceChange, 'kind' | 'namespace' | 'name'>; owner: LiveOwner }[]): Risk | undefined {
  const foreign = found.filter((f) => f.owner.release !== release || f.owner.namespace !== namespace);
  if (!foreign.length) return undefined;
  const by = (o: LiveOwner) => (o.release ? `release ${o.release} in namespace ${o.namespace ?? '?'}` : 'no helm release');
  const owners = [...new Set(foreign.map((f) => f.owner.namespace).filter((n): n is string => Boolean(n)))];
  const clusterWide = foreign.some((f) => !f.object.namespace);
  return {
    rule: 'owned-elsewhere',
    release,
    resource: resourceLabel(foreign[0]!.object),
    message: `release ${release} in namespace ${namespace} would create ${foreign.length === 1 ? 'an object that already exists' : `${foreign.length} objects that already exist`} and belong${foreign.length === 1 ? 's' : ''} to another owner; helm refuses to take ${foreign.length === 1 ? 'it' : 'them'} over: ${foreign.map((f) => `${resourceLabel(f.object)} (${by(f.owner)})`).join(', ')}.`,
    fix: clusterWide
      ? `give this environment its own release names (charts.${release === 'prometheus' || release === 'grafana' || release === 'promtail' ? release : '<chart>'}.release in monitor-stack.yaml, e.g. ${release}-${namespace}), so its cluster-wide objects get their own names${owners.length ? `; or install into namespace ${owners.join(', ')}` : ''}.`
      : 'remove or rename the existing objects, or install into the namespace that owns them.',
    resolution: 'none',
  };
}

const OPERATION: Record<string, string> = { 'pending-install': 'an install', 'pending-upgrade': 'an upgrade', 'pending-rollback': 'a rollback' };

/** `2m13s`, `1h05m`, `40s` */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * A release helm would refuse, or that a failed run left behind.
 * @param ageSeconds how long the latest revision has been in its state (from its record's time).
 * @param environment for the `--recover` hint.
 */
export function releaseStateRisk(release: string, namespace: string, status: ReleaseStatus, revision: number, lastDeployed: number | undefined, ageSeconds?: number, environment?: string): Risk | undefined {
  if (status === 'deployed') return undefined;
  const last = lastDeployed ? `its last deployed revision is ${lastDeployed}` : 'it was never deployed';
  if (status.startsWith('pending-')) {
    return {
      rule: 'release-state',
      release,
      message: `release ${release} is ${status} at revision ${revision}${ageSeconds === undefined ? '' : ` since ${formatAge(ageSeconds)}`}, left by ${OPERATION[status] ?? 'an operation'} that did not finish (${last}): another helm operation is running, or one was interrupted.`,
      fix: `wait for it; if nothing is running: ${environment ? `monitor-stack upgrade --env ${environment} --recover (${lastDeployed ? `rolls back to revision ${lastDeployed}` : 'uninstalls it: it was never deployed'}, then upgrades), or ` : ''}${lastDeployed ? `helm rollback ${release} ${lastDeployed}` : `helm uninstall ${release}`} --namespace ${namespace}`,
      resolution: 'none',
    };
  }
  return {
    rule: 'release-state',
    release,
    message: `release ${release} is ${status} at revision ${revision} (${last}); this upgrade replaces it.`,
    fix: lastDeployed ? `to go back instead: helm rollback ${release} ${lastDeployed} --namespace ${namespace}` : 'none needed',
    resolution: 'notice',
  };
}
