/** The pure manifest core: parsing, resource diff, drift, quantities, Secret masking. */
import { describe, expect, it } from 'vitest';
import { alreadyLive, asStoredSecret, changedPaths, diffManifests, diffResources, splitDocuments, driftOf, maskSecretPair, parseManifest, parseQuantity, resourceKey } from '../../src/core/manifest.js';

const manifest = `---
# Source: chart/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: app
data:
  a: "1"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
  namespace: ignored-for-cluster-scope
rules: []
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: other
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: app
          image: app:1
          resources: {requests: {cpu: 0.5, memory: 1Gi}}
---
---
not: a resource
`;

describe('parseManifest', () => {
  it('keys resources by apiVersion/kind/namespace/name with the release namespace as default and none for cluster scope', () => {
    expect(parseManifest(manifest, 'monitoring').map(resourceKey)).toEqual([
      'v1/ConfigMap/monitoring/app',
      'rbac.authorization.k8s.io/v1/ClusterRole//reader',
      'apps/v1/Deployment/other/app',
    ]);
  });
  it('drops null fields, as Kubernetes takes them as unset', () => {
    const [r] = parseManifest('apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: x}\nspec: {volumeName: null, storageClassName: s}\n', 'ns');
    expect(r!.object.spec).toEqual({ storageClassName: 's' });
  });
  it('throws on YAML that is not parseable', () => {
    expect(() => parseManifest('a: [b', 'ns')).toThrow(/not valid YAML/);
  });
});

describe('diffResources', () => {
  const before = parseManifest(manifest, 'monitoring');
  it('finds nothing between a manifest and itself', () => {
    expect(diffResources(before, parseManifest(manifest, 'monitoring'))).toEqual([]);
  });
  it('reports added, removed and changed with the changed field paths', () => {
    const after = parseManifest(
      manifest.replace('replicas: 1', 'replicas: 2').replace('image: app:1', 'image: app:2').replace(/---\napiVersion: rbac[\s\S]*?rules: \[\]\n/, '') +
        '---\napiVersion: v1\nkind: Service\nmetadata: {name: app}\nspec: {ports: [{port: 80}]}\n',
      'monitoring',
    );
    const changes = diffResources(before, after);
    expect(changes.map((c) => [c.change, c.kind, c.fields])).toEqual([
      ['changed', 'Deployment', ['spec.replicas', 'spec.template.spec.containers[0].image']],
      ['added', 'Service', []],
      ['removed', 'ClusterRole', []],
    ]);
  });
  it('names quoted keys and list items in paths', () => {
    expect(changedPaths({ data: { 'alertmanager.yml': 'a' } }, { data: { 'alertmanager.yml': 'b' } })).toEqual(['data["alertmanager.yml"]']);
    expect(changedPaths({ a: [1, 2] }, { a: [1, 2, 3] })).toEqual(['a']);
  });
});

describe('driftOf', () => {
  const m = { spec: { replicas: 1, paused: false, template: { spec: { containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: 0.5, memory: '1024Mi' } } }] } } } };
  it('ignores fields the API adds and zero values the API omits', () => {
    const live = { spec: { replicas: 1, revisionHistoryLimit: 10, template: { spec: { containers: [{ name: 'a', image: 'x', imagePullPolicy: 'Always', resources: { requests: { cpu: '500m', memory: '1Gi' } } }] } } } };
    expect(driftOf(m, live)).toEqual([]);
  });
  it('finds a field someone edited, and a container matched by name wherever it moved', () => {
    const live = { spec: { replicas: 3, template: { spec: { containers: [{ name: 'sidecar', image: 'y' }, { name: 'a', image: 'z', resources: { requests: { cpu: '500m', memory: '1Gi' } } }] } } } };
    expect(driftOf(m, live)).toEqual(['spec.replicas', 'spec.template.spec.containers[0].image']);
  });
  it('matches lists with repeated names by index (one volume mounted twice)', () => {
    const mounts = [{ name: 'config', mountPath: '/a' }, { name: 'config', mountPath: '/b' }];
    expect(driftOf({ v: mounts }, { v: mounts })).toEqual([]);
    expect(driftOf({ v: mounts }, { v: [mounts[0], { name: 'config', mountPath: '/c' }] })).toEqual(['v[1].mountPath']);
  });
  it('compares a Secret\'s stringData with the stored data', () => {
    const secret = { kind: 'Secret', stringData: { k: 'v' } };
    expect(driftOf(asStoredSecret(secret), { kind: 'Secret', data: { k: Buffer.from('v').toString('base64') } })).toEqual([]);
    expect(driftOf(asStoredSecret(secret), { kind: 'Secret', data: { k: Buffer.from('w').toString('base64') } })).toEqual(['data.k']);
  });
});

describe('parseQuantity', () => {
  it.each([
    ['500m', 0.5],
    ['1Gi', 2 ** 30],
    ['1024Mi', 2 ** 30],
    ['1e3', 1000],
    ['2k', 2000],
    [3, 3],
  ] as const)('%s = %d', (q, n) => expect(parseQuantity(q)).toBe(n));
  it('is undefined for what is not a quantity', () => {
    expect(parseQuantity('abc')).toBeUndefined();
    expect(parseQuantity('1 Gi')).toBeUndefined();
  });
});

describe('maskSecretPair', () => {
  it('shows which keys changed, never a value', () => {
    const before = { kind: 'Secret', data: { same: 'c2FtZQ==', changed: 'b2xk', removed: 'eA==' } };
    const after = { kind: 'Secret', data: { same: 'c2FtZQ==', changed: 'bmV3', added: 'eQ==' } };
    const [b, a] = maskSecretPair(before, after);
    expect(b).toEqual({ kind: 'Secret', data: { changed: '(hidden)', removed: '(hidden)', same: '(hidden)' } });
    expect(a).toEqual({ kind: 'Secret', data: { added: '(hidden)', changed: '(hidden, changed)', same: '(hidden)' } });
    expect(JSON.stringify([b, a])).not.toMatch(/c2FtZQ|b2xk|bmV3/);
  });
  it('leaves other kinds as they are', () => {
    const cm = { kind: 'ConfigMap', data: { a: 'b' } };
    expect(maskSecretPair(cm, undefined)).toEqual([cm, undefined]);
  });
});

describe('diffManifests', () => {
  it('splits at column-0 --- lines only, dropping comment-only documents', () => {
    expect(splitDocuments('---\n# Source: a\n---\na: 1\nb: |\n  ---\n  x\n--- # c\nc: 2\n')).toEqual(['a: 1\nb: |\n  ---\n  x', 'c: 2']);
  });
  it('gives what diffResources gives on fully parsed manifests, parsing only documents that differ', () => {
    const after = manifest.replace('replicas: 1', 'replicas: 4').replace(/---\napiVersion: rbac[\s\S]*?rules: \[\]\n/, '') + '---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n';
    expect(diffManifests(manifest, after, 'ns')).toEqual(diffResources(parseManifest(manifest, 'ns'), parseManifest(after, 'ns')));
    expect(diffManifests(manifest, after, 'ns').map((c) => c.change).sort()).toEqual(['added', 'changed', 'removed']);
    // Reformatted but equal objects are no change.
    expect(diffManifests('a: 1\nkind: ConfigMap\nmetadata: {name: x}\n', 'kind: ConfigMap\nmetadata:\n  name: x\na: 1\n', 'ns')).toEqual([]);
  });
});

describe('alreadyLive', () => {
  const pvc = (spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'g' }, spec });
  const live = { ...pvc({ accessModes: ['ReadWriteOnce'], volumeName: 'pv-1', resources: { requests: { storage: '10Gi' } } }), status: { phase: 'Bound' } };
  it('a looked-up volumeName the bound claim already has is no change', () => {
    expect(alreadyLive({ change: 'changed', before: pvc({ accessModes: ['ReadWriteOnce'] }), after: pvc({ accessModes: ['ReadWriteOnce'], volumeName: 'pv-1' }) }, live)).toBe(true);
  });
  it('a value the cluster does not have, a dropped field, or no live object is a change', () => {
    expect(alreadyLive({ change: 'changed', before: pvc({}), after: pvc({ volumeName: 'pv-2' }) }, live)).toBe(false);
    expect(alreadyLive({ change: 'changed', before: pvc({ volumeName: 'pv-1', storageClassName: 'x' }), after: pvc({ volumeName: 'pv-1' }) }, live)).toBe(false);
    expect(alreadyLive({ change: 'changed', before: pvc({}), after: pvc({ volumeName: 'pv-1' }) }, null)).toBe(false);
    expect(alreadyLive({ change: 'added', after: pvc({ volumeName: 'pv-1' }) }, live)).toBe(false);
  });
});
