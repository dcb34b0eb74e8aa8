/**
 * Manifests as resources, and what differs between two sets of them. Pure: no fs, no process, no
 * colour. A manifest is helm's rendered multi-document YAML (`release.manifest` in helm's release
 * record, or the `manifest` field of `helm upgrade --dry-run=server --output json`).
 *
 * Resources are keyed by `apiVersion/kind/namespace/name`; a namespaced resource without
 * `metadata.namespace` gets the release namespace, as helm applies it.
 */
import { parseAllDocuments, stringify } from 'yaml';

/** One Kubernetes object of a manifest. */
export interface Resource {
  apiVersion: string;
  kind: string;
  /** `''` for a cluster-scoped kind. */
  namespace: string;
  name: string;
  /** The object as the manifest gives it. */
  object: Record<string, unknown>;
}

/**
 * Kinds that are cluster-scoped, by `kind` (Kubernetes 1.34 built-ins, cert-manager and the
 * Prometheus operator's). A kind not listed is taken as namespaced.
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'APIService',
  'CertificateSigningRequest',
  'ClusterIssuer',
  'ClusterRole',
  'ClusterRoleBinding',
  'ComponentStatus',
  'CSIDriver',
  'CSINode',
  'CustomResourceDefinition',
  'FlowSchema',
  'IngressClass',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
  'MutatingWebhookConfiguration',
  'Namespace',
  'Node',
  'PersistentVolume',
  'PodSecurityPolicy',
  'PriorityClass',
  'PriorityLevelConfiguration',
  'RuntimeClass',
  'StorageClass',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration',
  'VolumeAttachment',
]);

/** `apiVersion/kind/namespace/name`; namespace is empty for cluster-scoped kinds. */
export function resourceKey(r: Pick<Resource, 'apiVersion' | 'kind' | 'namespace' | 'name'>): string {
  return `${r.apiVersion}/${r.kind}/${r.namespace}/${r.name}`;
}

/** A short name for messages: `Deployment monitoring/grafana`, `ClusterRole prometheus-server`. */
export function resourceLabel(r: Pick<Resource, 'kind' | 'namespace' | 'name'>): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses a rendered manifest into resources, in document order. Empty documents and documents
 * that are not objects with `kind` and `metadata.name` are skipped, as helm does.
 * @param defaultNamespace the release namespace.
 * @throws Error when the YAML is not parseable (helm never produces that).
 */
export function parseManifest(text: string, defaultNamespace: string): Resource[] {
  const out: Resource[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`manifest is not valid YAML: ${doc.errors[0]!.message}`);
    const object = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (!isObject(object) || typeof object.kind !== 'string' || !isObject(object.metadata)) continue;
    const name = object.metadata.name;
    if (typeof name !== 'string' || !name) continue;
    const kind = object.kind;
    const namespace = CLUSTER_SCOPED_KINDS.has(kind) ? '' : typeof object.metadata.namespace === 'string' && object.metadata.namespace ? object.metadata.namespace : defaultNamespace;
    out.push({ apiVersion: String(object.apiVersion ?? ''), kind, namespace, name, object: withoutNulls(object) as Record<string, unknown> });
  }
  return out;
}

/**
 * The value with every `null` map entry removed, recursively: Kubernetes takes a null field as
 * unset, and charts render `key: null` where an optional value is empty (grafana 12.11.1's PVC
 * `volumeName` from a `lookup`), which must not read as a change.
 */
export function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (!isObject(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null && x !== undefined).map(([k, x]) => [k, withoutNulls(x)]));
}

/**
 * A Secret as the API server stores it: `stringData` folded into `data` as base64, as the API
 * does on write. Other kinds are returned as they are.
 */
export function asStoredSecret(object: Record<string, unknown>): Record<string, unknown> {
  if (object.kind !== 'Secret' || !isObject(object.stringData)) return object;
  const { stringData, ...rest } = object;
  const data = isObject(rest.data) ? { ...rest.data } : {};
  for (const [k, v] of Object.entries(stringData as Record<string, unknown>)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  return { ...rest, data };
}

export type ChangeKind = 'added' | 'removed' | 'changed';

/** A resource that differs between two manifests. */
export interface ResourceChange {
  /** {@link resourceKey} */
  key: string;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  change: ChangeKind;
  /** Dotted field paths that differ (`spec.replicas`, `spec.template.spec.containers[0].args`); for added and removed, empty. */
  fields: string[];
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

/**
 * Compares two resource sets by key. Output order: the order of `after`, then removed resources
 * in the order of `before`.
 */
export function diffResources(before: Resource[], after: Resource[]): ResourceChange[] {
  const old = new Map(before.map((r) => [resourceKey(r), r]));
  const seen = new Set<string>();
  const out: ResourceChange[] = [];
  const base = (r: Resource) => ({ key: resourceKey(r), apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, name: r.name });
  for (const r of after) {
    const key = resourceKey(r);
    seen.add(key);
    const prev = old.get(key);
    if (!prev) out.push({ ...base(r), change: 'added', fields: [], after: r.object });
    else {
      const fields = changedPaths(prev.object, r.object);
      if (fields.length) out.push({ ...base(r), change: 'changed', fields, before: prev.object, after: r.object });
    }
  }
  for (const r of before) if (!seen.has(resourceKey(r))) out.push({ ...base(r), change: 'removed', fields: [], before: r.object });
  return out;
}

/** The documents of a multi-document YAML text, split at `---` lines (a block scalar's lines are indented, so a `---` at column 0 always starts a document). */
export function splitDocuments(text: string): string[] {
  return text
    .split(/^---[ \t]*(?:#.*)?$/m)
    .map((d) => d.trim())
    .filter((d) => d && !/^(#.*(\n|$))*$/.test(d));
}

/**
 * {@link diffResources} of two manifest texts, parsing only the documents whose text is not in
 * the other manifest: a document present byte for byte in both is unchanged. Most upgrades change
 * a few resources of hundreds, and YAML parsing is the cost.
 */
export function diffManifests(before: string, after: string, defaultNamespace: string): ResourceChange[] {
  const a = splitDocuments(before);
  const b = splitDocuments(after);
  const inA = new Set(a);
  const inB = new Set(b);
  const parse = (docs: string[]) => parseManifest(docs.join('\n---\n'), defaultNamespace);
  return diffResources(parse(a.filter((d) => !inB.has(d))), parse(b.filter((d) => !inA.has(d))));
}

const pathOf = (parent: string, key: string | number) =>
  typeof key === 'number' ? `${parent}[${key}]` : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? (parent ? `${parent}.${key}` : key) : `${parent}[${JSON.stringify(key)}]`;

/** Leaf paths at which `a` and `b` differ (a list that changed length is one path). */
export function changedPaths(a: unknown, b: unknown, at = ''): string[] {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedPaths(a[k], b[k], pathOf(at, k)));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return a.flatMap((v, i) => changedPaths(v, b[i], pathOf(at, i)));
  return deepEqual(a, b) ? [] : [at || '.'];
}

/** Structural equality of JSON-like values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

const isZero = (v: unknown) => v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);

/**
 * Fields the manifest sets that differ in the live object (someone ran `kubectl edit`). Only what
 * the manifest sets is compared, so defaults the API server adds are not drift. A zero value in
 * the manifest (false, 0, "", {}, []) matches an absent live field (the API omits them). Lists of
 * objects with distinct `name`s (containers, env, ports, volumes) are matched by name; other lists
 * (volumeMounts that mount one volume twice) by index. Give a Secret through {@link asStoredSecret}.
 * Quantities are compared by value (`0.5` = `500m`, `1024Mi` = `1Gi`).
 */
export function driftOf(manifest: unknown, live: unknown, at = ''): string[] {
  if (live === undefined || live === null) return isZero(manifest) ? [] : [at];
  if (isObject(manifest)) {
    if (!isObject(live)) return [at];
    return Object.keys(manifest)
      .sort()
      .flatMap((k) => driftOf(manifest[k], live[k], pathOf(at, k)));
  }
  if (Array.isArray(manifest)) {
    if (!Array.isArray(live)) return [at];
    const names = manifest.map((v) => (isObject(v) && typeof v.name === 'string' ? v.name : undefined));
    const byName = manifest.length > 0 && names.every((n) => n !== undefined) && new Set(names).size === names.length;
    if (byName) {
      return manifest.flatMap((m, i) => {
        const name = (m as { name: string }).name;
        const match = live.find((l) => isObject(l) && l.name === name);
        return match === undefined ? [pathOf(at, i)] : driftOf(m, match, pathOf(at, i));
      });
    }
    if (manifest.length !== live.length) return [at];
    return manifest.flatMap((m, i) => driftOf(m, live[i], pathOf(at, i)));
  }
  if (manifest === live || String(manifest) === String(live)) return [];
  const qa = parseQuantity(manifest);
  const qb = parseQuantity(live);
  if (qa !== undefined && qb !== undefined && Math.abs(qa - qb) <= Math.abs(qa) * 1e-9) return [];
  return [at];
}

/**
 * Whether a changed resource is already what the cluster has: every field the new manifest sets
 * equals the live object (see {@link driftOf}), and no field the old manifest set is dropped (helm
 * would remove it). Then applying it changes nothing in the cluster; only helm's record differs.
 * The case it exists for: the grafana chart (12.11.1, `persistence.lookupVolumeName`, default
 * true) renders a bound PVC's `spec.volumeName`, looked up from the cluster, which the manifest
 * of the install (before the claim was bound) does not have.
 */
export function alreadyLive(change: Pick<ResourceChange, 'change' | 'before' | 'after'>, live: Record<string, unknown> | null | undefined): boolean {
  if (change.change !== 'changed' || !live || !change.before || !change.after) return false;
  return driftOf(change.after, live).length === 0 && !dropsField(change.before, change.after);
}

/** Whether `before` sets a field (a non-zero value) that `after` does not have at all. */
function dropsField(before: unknown, after: unknown): boolean {
  if (after === undefined || after === null) return !isZero(before);
  if (isObject(before) && isObject(after)) return Object.keys(before).some((k) => dropsField(before[k], after[k]));
  if (Array.isArray(before) && Array.isArray(after)) return before.length > after.length || before.some((v, i) => dropsField(v, after[i]));
  return false;
}

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/**
 * A Kubernetes quantity (`500m`, `1.5Gi`, `2`, `1e3`) as a number of base units, or `undefined`
 * when `v` is not one. Source: k8s.io/apimachinery/pkg/api/resource (quantity suffixes).
 */
export function parseQuantity(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/.exec(v.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[2]) return n * 10 ** Number(m[2].slice(1));
  return n * SUFFIX[m[3] ?? '']!;
}

/** Placeholder for a Secret value that is shown neither before nor after. */
export const HIDDEN = '(hidden)';
const HIDDEN_CHANGED = '(hidden, changed)';

/**
 * A Secret's `data` and `stringData` before and after a change, with every value replaced by a
 * placeholder: `(hidden)` before, and after `(hidden)` when the value is the same or
 * `(hidden, changed)` when it differs. A diff of the pair shows which keys were added, removed or
 * changed, never a value. Objects of other kinds are returned as they are.
 */
export function maskSecretPair(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
): [Record<string, unknown> | undefined, Record<string, unknown> | undefined] {
  const mask = (object: Record<string, unknown> | undefined, other: Record<string, unknown> | undefined, markChanged: boolean) => {
    if (!object || object.kind !== 'Secret') return object;
    const out: Record<string, unknown> = { ...object };
    for (const field of ['data', 'stringData'] as const) {
      const data = object[field];
      if (!isObject(data)) continue;
      const theirs = other && isObject(other[field]) ? (other[field] as Record<string, unknown>) : undefined;
      out[field] = Object.fromEntries(
        Object.keys(data)
          .sort()
          .map((k) => [k, markChanged && theirs && k in theirs && theirs[k] !== data[k] ? HIDDEN_CHANGED : HIDDEN]),
      );
    }
    return out;
  };
  return [mask(before, after, false), mask(after, before, true)];
}

/** YAML text of an object for a diff: stable key order within the object's own order. */
export function resourceText(object: Record<string, unknown> | undefined): string {
  return object ? stringify(object, { lineWidth: 0 }) : '';
}
