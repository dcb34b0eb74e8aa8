/**
 * Changes the cluster would refuse on an installed release, found before helm runs. Pure.
 *
 * A PersistentVolumeClaim's `spec.storageClassName` is immutable, and so are a StatefulSet's
 * `volumeClaimTemplates`: changing the StorageClass of an installed release fails in the middle of
 * `helm upgrade` (prometheus 29.27.0 server PVC, alertmanager 1.42.0 StatefulSet, grafana 12.11.1 PVC).
 */
import type { ChartId } from './charts.js';

/** Value paths holding a StorageClass, with the path of the switch that turns the volume on. */
const STORAGE_CLASS_PATHS: Record<ChartId, { storageClass: string[]; enabled: string[] }[]> = {
  prometheus: [
    { storageClass: ['server', 'persistentVolume', 'storageClass'], enabled: ['server', 'persistentVolume', 'enabled'] },
    { storageClass: ['alertmanager', 'persistence', 'storageClass'], enabled: ['alertmanager', 'persistence', 'enabled'] },
  ],
  grafana: [{ storageClass: ['persistence', 'storageClassName'], enabled: ['persistence', 'enabled'] }],
  promtail: [],
};

function at(values: unknown, path: string[]): unknown {
  let v = values;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

/**
 * Lists StorageClass changes on volumes that exist in the installed release and stay on.
 * @param current user-supplied values of the installed revision (`helm get values`).
 * @param next the overlay about to be applied.
 * @param defaultClass the cluster's default StorageClass: an unset class means this one.
 * @returns one sentence per refused change; empty when the upgrade is safe in this respect.
 */
export function storageClassChanges(id: ChartId, release: string, current: unknown, next: unknown, defaultClass: string | undefined): string[] {
  const out: string[] = [];
  for (const { storageClass, enabled } of STORAGE_CLASS_PATHS[id]) {
    const wasOn = at(current, enabled) !== false;
    const staysOn = at(next, enabled) !== false;
    if (!wasOn || !staysOn) continue;
    const before = (at(current, storageClass) as string | undefined) ?? defaultClass;
    const after = (at(next, storageClass) as string | undefined) ?? defaultClass;
    if (before !== after) {
      out.push(`release ${release}: ${storageClass.join('.')} would change from ${before ?? '(cluster default)'} to ${after ?? '(cluster default)'}, but the StorageClass of an existing volume cannot change.`);
    }
  }
  return out;
}
