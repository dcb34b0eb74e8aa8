/**
 * Which PersistentVolumeClaims belong to a stack, from its releases' manifests: the PVCs the
 * manifests hold (the Prometheus server's and Grafana's, annotated resource-policy keep so helm
 * leaves them on uninstall), and those a StatefulSet of the manifests made from its
 * volumeClaimTemplates (`<template>-<statefulset>-<ordinal>`, as the StatefulSet controller names
 * them; never in a manifest, so helm never deletes them). Pure.
 */
import type { Resource } from './manifest.js';

/**
 * @param resources the parsed manifests of the stack's releases (core/manifest.ts parseManifest).
 * @param namespace the releases' namespace.
 * @param existing names of the PVCs that exist in `namespace`.
 * @returns the names among `existing` that belong to the stack, sorted.
 */
export function stackVolumeClaims(resources: Resource[], namespace: string, existing: string[]): string[] {
  const named = new Set<string>();
  const prefixes: string[] = [];
  for (const r of resources) {
    if (r.namespace !== namespace) continue;
    if (r.kind === 'PersistentVolumeClaim') named.add(r.name);
    if (r.kind === 'StatefulSet') {
      const templates = ((r.object.spec as { volumeClaimTemplates?: { metadata?: { name?: string } }[] } | undefined)?.volumeClaimTemplates ?? []);
      for (const t of templates) if (t.metadata?.name) prefixes.push(`${t.metadata.name}-${r.name}-`);
    }
  }
  return existing.filter((n) => named.has(n) || prefixes.some((p) => n.startsWith(p) && /^\d+$/.test(n.slice(p.length)))).sort();
}
