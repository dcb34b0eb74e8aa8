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
  it('nothing when nothing matches', () => {
    expect(stackVolumeClaims(parseManifest(manifest, 'monitoring'), 'monitoring', ['data-0'])).toEqual([]);
    expect(stackVolumeClaims([], 'monitoring', ['prometheus-server'])).toEqual([]);
  });
});
