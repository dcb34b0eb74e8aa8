import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/core/manifest.js';
import { stackVolumeClaims } from '../../src/core/volumes.js';

const manifest = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: prometheus-server, annotations: {helm.sh/resource-policy: keep}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: prometheus-alertmanager}
spec:
  volumeClaimTemplates:
    - metadata: {name: storage}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: other, namespace: elsewhere}
spec:
  volumeClaimTemplates:
    - metadata: {name: storage}
`;

describe('stackVolumeClaims', () => {
  it("finds the manifests' PVCs and those of their StatefulSets' volumeClaimTemplates, and no other", () => {
    const existing = ['prometheus-server', 'storage-prometheus-alertmanager-0', 'storage-prometheus-alertmanager-12', 'storage-prometheus-alertmanager-x', 'storage-prometheus-alertmanager-extra-0', 'storage-other-0', 'someone-elses'];
    expect(stackVolumeClaims(parseManifest(manifest, 'monitoring'), 'monitoring', existing)).toEqual(['prometheus-server', 'storage-prometheus-alertmanager-0', 'storage-prometheus-alertmanager-12']);
  });
  it('only what lives in the namespace; a template without a name adds nothing; a PVC of the manifest is taken as it is', () => {
    const text = `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  volumeClaimTemplates:\n    - metadata: {}\n    - {}\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data-0}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: storage-s-0}\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: t}\n`;
    expect(stackVolumeClaims(parseManifest(text, 'monitoring'), 'monitoring', ['-s-0', 'data-0', 'storage-s-0', 'undefined-s-0'])).toEqual(['data-0']);
    expect(stackVolumeClaims(parseManifest(text, 'other'), 'monitoring', ['data-0'])).toEqual([]);
    expect(stackVolumeClaims(parseManifest(manifest, 'monitoring'), 'monitoring', ['storage-prometheus-alertmanager-1', 'prometheus-server', 'storage-prometheus-alertmanager-0'])).toEqual(['prometheus-server', 'storage-prometheus-alertmanager-0', 'storage-prometheus-alertmanager-1']);
  });
  it('nothing when nothing matches', () => {
    expect(stackVolumeClaims(parseManifest(manifest, 'monitoring'), 'monitoring', ['data-0'])).toEqual([]);
    expect(stackVolumeClaims([], 'monitoring', ['prometheus-server'])).toEqual([]);
  });
});
