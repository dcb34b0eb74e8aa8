/**
 * The manifest diff at its edges (manifest.test.ts has the typical upgrades): which kinds are
 * cluster-scoped, which documents are skipped, quantities in every notation, drift of lists and
 * zero values, and what counts as "already live".
 */
import { describe, expect, it } from 'vitest';
import { alreadyLive, changedPaths, deepEqual, driftOf, maskSecretPair, parseManifest, parseQuantity, resourceLabel, resourceText, splitDocuments, withoutNulls, asStoredSecret } from '../../src/core/manifest.js';

/** Kinds Kubernetes v1.34 serves cluster-scoped (plus cert-manager's ClusterIssuer), as `kubectl api-resources --namespaced=false` lists them. */
const CLUSTER_SCOPED = [
  'APIService', 'CertificateSigningRequest', 'ClusterIssuer', 'ClusterRole', 'ClusterRoleBinding', 'ComponentStatus', 'CSIDriver', 'CSINode',
  'CustomResourceDefinition', 'FlowSchema', 'IngressClass', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding', 'MutatingWebhookConfiguration',
  'Namespace', 'Node', 'PersistentVolume', 'PodSecurityPolicy', 'PriorityClass', 'PriorityLevelConfiguration', 'RuntimeClass', 'StorageClass',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ValidatingWebhookConfiguration', 'VolumeAttachment',
];

describe('parseManifest', () => {
  it('a cluster-scoped kind has no namespace, even when the chart writes one; a namespaced kind takes its own or the release namespace', () => {
    const doc = (kind: string, ns = '') => `---\napiVersion: v1\nkind: ${kind}\nmetadata:\n  name: x\n${ns ? `  namespace: ${ns}\n` : ''}`;
    const parsed = parseManifest(CLUSTER_SCOPED.map((k) => doc(k, 'somewhere')).join(''), 'rel');
    expect(parsed.map((r) => [r.kind, r.namespace])).toEqual(CLUSTER_SCOPED.map((k) => [k, '']));
    expect(parseManifest(doc('ConfigMap') + doc('Role', 'other') + doc('Service', ''), 'rel').map((r) => r.namespace)).toEqual(['rel', 'other', 'rel']);
  });

  it('skips what helm skips: empty documents, comments, non-objects, objects without kind, metadata or a name', () => {
    const text = [
      '# Source: chart/templates/empty.yaml',
      '---',
      '---   # a comment after the marker',
      '- a list',
      '---',
      'just a string',
      '---',
      'metadata: {name: nokind}',
      '---',
      'kind: ConfigMap',
      '---',
      'kind: ConfigMap\nmetadata: {}',
      '---',
      'kind: ConfigMap\nmetadata: {name: ""}',
      '---',
      'kind: ConfigMap\nmetadata: {name: 7}',
      '---',
      'kind: 5\nmetadata: {name: n}',
      '---',
      'kind: ConfigMap\nmetadata: [name]',
      '---',
      'kind: ConfigMap\nmetadata: {name: kept}\ndata: {a: null, b: "1"}',
    ].join('\n');
    expect(parseManifest(text, 'ns')).toEqual([{ apiVersion: '', kind: 'ConfigMap', namespace: 'ns', name: 'kept', object: { kind: 'ConfigMap', metadata: { name: 'kept' }, data: { b: '1' } } }]);
  });

  it('splits documents on marker lines only, dropping comment-only ones', () => {
    expect(splitDocuments('a: 1\n---\n# only a comment\n---  # marker with comment\nb: "---"\n--- \nc: 3\nd: x---y\n')).toEqual(['a: 1', 'b: "---"', 'c: 3\nd: x---y']);
  });

  it('labels: Kind namespace/name, or Kind name when cluster-scoped', () => {
    expect([resourceLabel({ kind: 'Deployment', namespace: 'm', name: 'g' }), resourceLabel({ kind: 'ClusterRole', namespace: '', name: 'p' })]).toEqual(['Deployment m/g', 'ClusterRole p']);
  });

  it('nulls are dropped in maps at every depth, kept in lists', () => {
    expect(withoutNulls({ a: null, b: { c: null, d: [null, { e: null, f: 1 }] }, g: undefined })).toEqual({ b: { d: [null, { f: 1 }] } });
  });
});

describe('quantities', () => {
  it.each([
    ['500m', 0.5], ['0.5', 0.5], ['.5', 0.5], ['1.', 1], ['2', 2], ['+2', 2], ['-2', -2], ['1e3', 1000], ['1E-3', 0.001], ['12e+2', 1200], ['1e10', 1e10],
    ['1Ki', 1024], ['1.5Gi', 1.5 * 2 ** 30], ['10Gi', 10 * 2 ** 30], ['100Mi', 100 * 2 ** 20], ['1Ti', 2 ** 40], ['1Pi', 2 ** 50], ['1Ei', 2 ** 60],
    ['1n', 1e-9], ['1u', 1e-6], ['1k', 1000], ['1M', 1e6], ['1G', 1e9], ['1T', 1e12], ['1P', 1e15], ['1E', 1e18], [' 2Gi ', 2 * 2 ** 30], [3, 3],
  ] as const)('%s', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 12);
  });
  it.each(['', 'Gi', '1GB', '1 Gi', '1.2.3', 'x1', '1x', '1e', '1e+', '--1', '1Gii', 'e3', '1Kii'])('%j is not a quantity', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });
  it('only strings and numbers are quantities', () => {
    expect([parseQuantity(null), parseQuantity(undefined), parseQuantity(true), parseQuantity({})]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('changedPaths and deepEqual', () => {
  it('names each changed leaf; a list that changed length is one path; odd keys are quoted', () => {
    expect(changedPaths({ a: 1, b: { c: [1, 2], 'd.e': 1, f: [1] }, g: 'x' }, { a: 2, b: { c: [1, 3], 'd.e': 2, f: [1, 2] }, h: 'y' })).toEqual(['a', 'b.c[1]', 'b["d.e"]', 'b.f', 'g', 'h']);
    expect(changedPaths(1, 2)).toEqual(['.']);
    expect(changedPaths({ a: 1 }, [1])).toEqual(['.']);
    expect(changedPaths({ _x: 1, 'a-b': 1, '1a': 1 }, { _x: 2, 'a-b': 2, '1a': 2 })).toEqual(['["1a"]', '_x', 'a-b']);
  });
  it('equality: order of keys does not matter, order of items does; undefined is absent', () => {
    expect(deepEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(deepEqual({ a: 1, u: undefined }, { a: 1 })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(deepEqual({ a: 1, b: 2 }, { a: 1, c: 2 })).toBe(false);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(deepEqual([1, 2], [1, 2, 3])).toBe(false);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
    expect(deepEqual({ 0: 1 }, [1])).toBe(false);
    expect(deepEqual([[1]], [[2]])).toBe(false);
    expect(deepEqual('1', 1)).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
  });
});

describe('driftOf', () => {
  it('zero values in the manifest match an absent live field; other values do not', () => {
    const manifest = { a: null, b: false, c: 0, d: '', e: [], f: {}, g: 'x', h: 1, i: true, j: [1], k: { l: 1 } };
    expect(driftOf(manifest, {})).toEqual(['g', 'h', 'i', 'j', 'k']);
    expect(driftOf(manifest, { g: 'x', h: 1, i: true, j: [1], k: { l: 1 } })).toEqual([]);
    expect(driftOf('x', null, 'top')).toEqual(['top']);
  });
  it('a map where the live object has a scalar, and a list where it has a map, are drift', () => {
    expect(driftOf({ a: { b: 1 } }, { a: 'x' })).toEqual(['a']);
    expect(driftOf({ a: [1] }, { a: { 0: 1 } })).toEqual(['a']);
  });
  it('lists of uniquely named objects match by name wherever the item is; others by index and length', () => {
    const containers = [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }];
    expect(driftOf({ c: containers }, { c: [{ name: 'b', image: 'b:1', extra: 1 }, { name: 'a', image: 'a:1' }] })).toEqual([]);
    expect(driftOf({ c: containers }, { c: [{ name: 'b', image: 'b:2' }, { name: 'a', image: 'a:1' }] })).toEqual(['c[1].image']);
    expect(driftOf({ c: containers }, { c: [{ name: 'a', image: 'a:1' }] })).toEqual(['c[1]']);
    // Two items with one name, or an item without a name: matched by index.
    const mounts = [{ name: 'v', mountPath: '/a' }, { name: 'v', mountPath: '/b' }];
    expect(driftOf({ m: mounts }, { m: [{ name: 'v', mountPath: '/b' }, { name: 'v', mountPath: '/a' }] })).toEqual(['m[0].mountPath', 'm[1].mountPath']);
    expect(driftOf({ m: mounts }, { m: [mounts[0]] })).toEqual(['m']);
    expect(driftOf({ m: [{ path: '/a' }, 'x'] }, { m: [{ path: '/a' }, 'x'] })).toEqual([]);
    expect(driftOf({ m: [] }, { m: [1] })).toEqual(['m']);
  });
  it('scalars compare by text, then as quantities', () => {
    expect(driftOf({ cpu: '0.5', mem: '1024Mi', port: 80, big: '1e3', n: '1' }, { cpu: '500m', mem: '1Gi', port: '80', big: '1k', n: 1 })).toEqual([]);
    expect(driftOf({ cpu: '0.5', mem: '1Gi', a: 'x' }, { cpu: '501m', mem: '1025Mi', a: 'y' })).toEqual(['a', 'cpu', 'mem']);
    expect(driftOf({ q: '0' }, { q: '0m' })).toEqual([]);
    expect(driftOf({ q: 'abc' }, { q: 0 })).toEqual(['q']);
  });
});

describe('alreadyLive', () => {
  const before = { kind: 'PersistentVolumeClaim', spec: { a: 1, list: [1, 2] } };
  const after = { kind: 'PersistentVolumeClaim', spec: { a: 1, list: [1, 2], volumeName: 'pv-1' } };
  it('a change the cluster already has, dropping nothing, is already live', () => {
    expect(alreadyLive({ change: 'changed', before, after }, { ...after, status: {} })).toBe(true);
  });
  it('not when the live object differs, when a field or a list item would be dropped, or when it is not a change', () => {
    expect(alreadyLive({ change: 'changed', before, after }, { kind: 'PersistentVolumeClaim', spec: { a: 1, list: [1, 2] } })).toBe(false);
    expect(alreadyLive({ change: 'changed', before: { spec: { a: 1, b: 2 } }, after: { spec: { a: 1 } } }, { spec: { a: 1, b: 2 } })).toBe(false);
    expect(alreadyLive({ change: 'changed', before: { spec: { l: [1, 2] } }, after: { spec: { l: [1] } } }, { spec: { l: [1] } })).toBe(false);
    expect(alreadyLive({ change: 'changed', before: { spec: { l: [{ a: 1 }] } }, after: { spec: { l: [{}] } } }, { spec: { l: [{}] } })).toBe(false);
    expect(alreadyLive({ change: 'changed', before: { spec: { a: 1, z: false } }, after: { spec: { a: 1 } } }, { spec: { a: 1 } })).toBe(true);
    expect(alreadyLive({ change: 'added', before: undefined, after }, after)).toBe(false);
    expect(alreadyLive({ change: 'changed', before, after }, null)).toBe(false);
    expect(alreadyLive({ change: 'changed', before: undefined, after }, after)).toBe(false);
    expect(alreadyLive({ change: 'changed', before, after: undefined }, after)).toBe(false);
  });
});

describe('Secrets', () => {
  it('stringData is folded into data as base64; a Secret without stringData, or another kind, is unchanged', () => {
    expect(asStoredSecret({ kind: 'Secret', data: { a: 'YQ==' }, stringData: { b: 'bé' } })).toEqual({ kind: 'Secret', data: { a: 'YQ==', b: Buffer.from('bé').toString('base64') } });
    expect(asStoredSecret({ kind: 'Secret', stringData: { b: 1 } })).toEqual({ kind: 'Secret', data: { b: 'MQ==' } });
    const plain = { kind: 'Secret', data: { a: 'YQ==' } };
    expect(asStoredSecret(plain)).toBe(plain);
    const cm = { kind: 'ConfigMap', stringData: { a: 'x' } };
    expect(asStoredSecret(cm)).toBe(cm);
  });
  it('masks data and stringData keys in sorted order, marking changed values on the after side only', () => {
    const before = { kind: 'Secret', data: { z: '1', a: '1', gone: '1' }, stringData: { s: 'x' } };
    const after = { kind: 'Secret', data: { a: '2', z: '1', added: '1' }, stringData: { s: 'y' } };
    expect(maskSecretPair(before, after)).toEqual([
      { kind: 'Secret', data: { a: '(hidden)', gone: '(hidden)', z: '(hidden)' }, stringData: { s: '(hidden)' } },
      { kind: 'Secret', data: { a: '(hidden, changed)', added: '(hidden)', z: '(hidden)' }, stringData: { s: '(hidden, changed)' } },
    ]);
    expect(Object.keys(maskSecretPair(before, after)[0]!.data as object)).toEqual(['a', 'gone', 'z']);
    expect(maskSecretPair(undefined, after)[1]).toEqual({ kind: 'Secret', data: { a: '(hidden)', added: '(hidden)', z: '(hidden)' }, stringData: { s: '(hidden)' } });
    const cm = { kind: 'ConfigMap', data: { a: 'visible' } };
    expect(maskSecretPair(cm, cm)).toEqual([cm, cm]);
  });
  it('resource text is YAML without folding, or nothing', () => {
    expect(resourceText({ kind: 'ConfigMap', data: { long: 'x'.repeat(120) } })).toBe(`kind: ConfigMap\ndata:\n  long: ${'x'.repeat(120)}\n`);
    expect(resourceText(undefined)).toBe('');
  });
});
