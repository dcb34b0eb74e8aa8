/**
 * The one adapter to the Kubernetes API, on @kubernetes/client-node 1.4 (loaded only by the
 * commands that talk to a cluster). Secrets are written through the API, never through argv.
 */
import * as k8s from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { OperationError, UsageError } from '../errors.js';
import { decodeReleaseRecord, historyHead, releaseSelector, type ReleaseRecord } from '../core/helm-release.js';
import type { LiveRelease } from '../core/stack-plan.js';
import { mapLimit } from '../limit.js';

/** A cluster-scoped class (StorageClass, IngressClass) and whether it is the cluster default. */
export interface ClassInfo {
  name: string;
  isDefault: boolean;
}

/** Label put on every object monitor-stack creates. */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'monitor-stack' } as const;

const REQUEST_TIMEOUT_MS = 10_000;

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OperationError(`${what}: no answer from the Kubernetes API within ${REQUEST_TIMEOUT_MS / 1000}s.`)), REQUEST_TIMEOUT_MS);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Whether there is a kubeconfig to read: a file named by $KUBECONFIG (colon-separated), else
 * ~/.kube/config, else an in-cluster service account. Without one, @kubernetes/client-node
 * 1.4's loadFromDefault invents a context "loaded-context" for http://localhost:8080; we never
 * want to offer or use that.
 */
export function hasKubeconfig(env = process.env): boolean {
  if (env.KUBECONFIG) return env.KUBECONFIG.split(delimiter).some((p) => p && existsSync(p));
  if (existsSync(join(homedir(), '.kube', 'config'))) return true;
  return Boolean(env.KUBERNETES_SERVICE_HOST) && existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token');
}

/**
 * Reads the kubeconfig the way kubectl does ($KUBECONFIG, else ~/.kube/config, else in-cluster).
 * @throws UsageError when there is none, or it cannot be parsed.
 */
function readKubeconfig(): k8s.KubeConfig {
  if (!hasKubeconfig()) {
    throw new UsageError(`no kubeconfig found (${process.env.KUBECONFIG ? `KUBECONFIG=${process.env.KUBECONFIG} names no existing file` : '~/.kube/config does not exist'}).`, [
      'Fix: set KUBECONFIG to your cluster credentials, or create ~/.kube/config (your provider\'s CLI writes it).',
    ]);
  }
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromDefault();
  } catch (err) {
    throw new UsageError(`cannot read kubeconfig: ${(err as Error).message}`, ['Fix: set KUBECONFIG, or check ~/.kube/config.']);
  }
  return kc;
}

const statusOf = (err: unknown): number | undefined => (err instanceof k8s.ApiException ? err.code : undefined);

export class KubeClient {
  private constructor(
    private readonly kc: k8s.KubeConfig,
    /** The context in use. */
    readonly context: string,
    /** API server URL of that context. */
    readonly server: string,
  ) {}

  /**
   * Loads kubeconfig ($KUBECONFIG or ~/.kube/config) and selects `context` (default: current).
   * @throws UsageError when there is no kubeconfig or the context is not in it.
   */
  static load(context?: string | null): KubeClient {
    const kc = readKubeconfig();
    const names = kc.getContexts().map((c) => c.name);
    if (context) {
      if (!names.includes(context)) {
        throw new UsageError(`kube context "${context}" is not in your kubeconfig.`, [
          names.length ? `Available: ${names.join(', ')}.` : 'Your kubeconfig has no contexts.',
          'Fix: --kube-context <name>, or set kubeContext in monitor-stack.yaml.',
        ]);
      }
      kc.setCurrentContext(context);
    }
    const current = kc.getCurrentContext();
    if (!current || !names.includes(current)) {
      throw new UsageError('no current kube context.', ['Fix: --kube-context <name>, or `kubectl config use-context <name>`.']);
    }
    return new KubeClient(kc, current, kc.getCurrentCluster()?.server ?? '(unknown server)');
  }

  /** Context names in the kubeconfig, and the current one. */
  static contexts(): { names: string[]; current: string | undefined } {
    let kc: k8s.KubeConfig;
    try {
      kc = readKubeconfig();
    } catch {
      return { names: [], current: undefined };
    }
    return { names: kc.getContexts().map((c) => c.name), current: kc.getCurrentContext() || undefined };
  }

  /**
   * The API server's version, e.g. `v1.34.4`.
   * @throws OperationError when the API is unreachable or refuses the credentials.
   */
  async serverVersion(): Promise<string> {
    try {
      const v = await withTimeout(this.kc.makeApiClient(k8s.VersionApi).getCode(), 'version');
      return v.gitVersion;
    } catch (err) {
      if (err instanceof OperationError) throw err;
      throw new OperationError(`the Kubernetes API of context "${this.context}" (${this.server}) is not reachable: ${(err as Error).message.split('\n')[0]}`, [
        'Fix: check the cluster is up and your credentials are valid (kubectl get --raw /version), or choose another --kube-context.',
      ]);
    }
  }

  async listStorageClasses(): Promise<ClassInfo[]> {
    const list = await withTimeout(this.kc.makeApiClient(k8s.StorageV1Api).listStorageClass(), 'list StorageClasses');
    return list.items.map((sc) => ({
      name: sc.metadata?.name ?? '',
      isDefault: sc.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true',
    }));
  }

  async listIngressClasses(): Promise<ClassInfo[]> {
    const list = await withTimeout(this.kc.makeApiClient(k8s.NetworkingV1Api).listIngressClass(), 'list IngressClasses');
    return list.items.map((ic) => ({
      name: ic.metadata?.name ?? '',
      isDefault: ic.metadata?.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true',
    }));
  }

  /** cert-manager ClusterIssuers (cert-manager.io/v1), or `null` when cert-manager's CRD is not installed. */
  async listClusterIssuers(): Promise<string[] | null> {
    try {
      const list = (await withTimeout(
        this.kc.makeApiClient(k8s.CustomObjectsApi).listClusterCustomObject({ group: 'cert-manager.io', version: 'v1', plural: 'clusterissuers' }),
        'list ClusterIssuers',
      )) as { items: { metadata: { name: string } }[] };
      return list.items.map((i) => i.metadata.name);
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  async namespaceExists(name: string): Promise<boolean> {
    try {
      await withTimeout(this.kc.makeApiClient(k8s.CoreV1Api).readNamespace({ name }), 'read namespace');
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
  }

  async createNamespace(name: string): Promise<void> {
    try {
      await withTimeout(this.kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name, labels: { ...MANAGED_BY } } } }), 'create namespace');
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
    }
  }

  /** The keys of a Secret, or `null` when it does not exist. Never returns values. */
  async secretKeys(namespace: string, name: string): Promise<string[] | null> {
    try {
      const s = await withTimeout(this.kc.makeApiClient(k8s.CoreV1Api).readNamespacedSecret({ name, namespace }), 'read Secret');
      return Object.keys({ ...(s.data ?? {}), ...(s.stringData ?? {}) });
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  /**
   * Creates or replaces an Opaque Secret with exactly `data` (string values, stored base64).
   * @param onlyIfMissing leave an existing Secret untouched (generated credentials).
   * @returns what happened.
   */
  async writeSecret(namespace: string, name: string, data: Record<string, string>, onlyIfMissing = false): Promise<'created' | 'replaced' | 'kept'> {
    const api = this.kc.makeApiClient(k8s.CoreV1Api);
    const body: k8s.V1Secret = {
      metadata: { name, namespace, labels: { ...MANAGED_BY } },
      type: 'Opaque',
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])),
    };
    try {
      await withTimeout(api.createNamespacedSecret({ namespace, body }), 'create Secret');
      return 'created';
    } catch (err) {
      if (statusOf(err) !== 409) throw secretError(err, name);
    }
    if (onlyIfMissing) return 'kept';
    try {
      await withTimeout(api.replaceNamespacedSecret({ name, namespace, body }), 'replace Secret');
      return 'replaced';
    } catch (err) {
      throw secretError(err, name);
    }
  }

  /** Deletes a Secret; absent is fine. */
  async deleteSecret(namespace: string, name: string): Promise<void> {
    try {
      await withTimeout(this.kc.makeApiClient(k8s.CoreV1Api).deleteNamespacedSecret({ name, namespace }), 'delete Secret');
    } catch (err) {
      if (statusOf(err) !== 404) throw secretError(err, name);
    }
  }

  /**
   * Installed releases from helm's release storage (Secrets labelled `owner=helm`, see
   * core/helm-release.ts): one list call for all of them, then the latest revision of each decoded.
   * @returns by release name; a release with no revision is absent.
   */
  async readReleases(namespace: string, releases: string[]): Promise<Record<string, LiveRelease>> {
    const api = this.kc.makeApiClient(k8s.CoreV1Api);
    const driver = helmDriver();
    const labelSelector = releaseSelector(releases);
    const items: { metadata?: k8s.V1ObjectMeta; data?: Record<string, string> }[] =
      driver === 'configmap'
        ? (await withTimeout(api.listNamespacedConfigMap({ namespace, labelSelector }), 'list helm release records')).items
        : (await withTimeout(api.listNamespacedSecret({ namespace, labelSelector }), 'list helm release records')).items.filter((s) => s.type === 'helm.sh/release.v1');
    const out: Record<string, LiveRelease> = {};
    for (const name of releases) {
      const mine = items.filter((s) => s.metadata?.labels?.name === name);
      const head = historyHead(mine.map((s) => s.metadata?.labels ?? {}));
      if (!head) continue;
      const latest = mine.find((s) => Number(s.metadata?.labels?.version) === head.latest.revision);
      out[name] = { head, record: decodeRelease(latest?.data?.release, `${name} revision ${head.latest.revision}`, driver) };
    }
    return out;
  }

  /** Every stored revision of a release, oldest first (helm keeps `--history-max`, default 10). */
  async readReleaseHistory(namespace: string, release: string): Promise<ReleaseRecord[]> {
    const api = this.kc.makeApiClient(k8s.CoreV1Api);
    const driver = helmDriver();
    const labelSelector = releaseSelector([release]);
    const items: { data?: Record<string, string> }[] =
      driver === 'configmap'
        ? (await withTimeout(api.listNamespacedConfigMap({ namespace, labelSelector }), 'list helm release records')).items
        : (await withTimeout(api.listNamespacedSecret({ namespace, labelSelector }), 'list helm release records')).items.filter((s) => s.type === 'helm.sh/release.v1');
    return items.map((i) => decodeRelease(i.data?.release, release, driver)).sort((a, b) => a.revision - b.revision);
  }

  /** One revision of a release from helm's storage, or `null` when it does not exist. */
  async readReleaseRevision(namespace: string, release: string, revision: number): Promise<ReleaseRecord | null> {
    const api = this.kc.makeApiClient(k8s.CoreV1Api);
    const name = `sh.helm.release.v1.${release}.v${revision}`;
    const driver = helmDriver();
    try {
      const o = driver === 'configmap' ? await withTimeout(api.readNamespacedConfigMap({ namespace, name }), 'read helm release record') : await withTimeout(api.readNamespacedSecret({ namespace, name }), 'read helm release record');
      return decodeRelease(o.data?.release, `${release} revision ${revision}`, driver);
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  private objects?: k8s.KubernetesObjectApi;

  /**
   * Reads objects of any kind (discovery maps kind to resource). An object that does not exist,
   * or whose kind the cluster does not serve, is `null`. Objects come back as plain JSON.
   * @param concurrency requests in flight at once.
   */
  async readObjects(refs: ObjectRef[], concurrency = 8): Promise<(Record<string, unknown> | null)[]> {
    this.objects ??= k8s.KubernetesObjectApi.makeApiClient(this.kc);
    const api = this.objects;
    return mapLimit(refs, concurrency, async (r) => {
      try {
        const obj = await withTimeout(
          api.read({ apiVersion: r.apiVersion, kind: r.kind, metadata: { name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) } }),
          `read ${r.kind} ${r.name}`,
        );
        return JSON.parse(JSON.stringify(obj)) as Record<string, unknown>;
      } catch (err) {
        if (statusOf(err) === 404 || /Unrecognized API version and kind/i.test((err as Error).message ?? '')) return null;
        throw err;
      }
    });
  }

  /**
   * Deletes an object and waits until it is gone (the garbage collector removes the `orphan` or
   * `foregroundDeletion` finalizer first). `Orphan` keeps what it owns (a StatefulSet's pods and
   * PVCs); `Background` deletes those after it. Absent is fine.
   * @param waitSeconds how long to wait for the object to disappear.
   * @throws OperationError when it is still there after `waitSeconds`, naming its finalizers.
   */
  async deleteObject(r: ObjectRef, propagation: 'Orphan' | 'Background', waitSeconds = 60): Promise<void> {
    this.objects ??= k8s.KubernetesObjectApi.makeApiClient(this.kc);
    const spec = { apiVersion: r.apiVersion, kind: r.kind, metadata: { name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) } };
    try {
      await withTimeout(this.objects.delete(spec, undefined, undefined, undefined, undefined, propagation), `delete ${r.kind} ${r.name}`);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    const until = Date.now() + waitSeconds * 1000;
    for (;;) {
      const [left] = await this.readObjects([r]);
      if (!left) return;
      if (Date.now() > until) {
        const finalizers = (left.metadata as { finalizers?: string[] } | undefined)?.finalizers ?? [];
        throw new OperationError(`${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name} is still there ${waitSeconds}s after it was deleted${finalizers.length ? ` (finalizers: ${finalizers.join(', ')})` : ''}.`, [
          'The garbage collector of the cluster (kube-controller-manager) removes the finalizers; check that it runs, then run upgrade again.',
        ]);
      }
      await new Promise((done) => setTimeout(done, 500));
    }
  }

  /** The PersistentVolumeClaims of a namespace: name, requested size and phase. */
  async listPersistentVolumeClaims(namespace: string): Promise<{ name: string; size: string; phase: string }[]> {
    const list = await withTimeout(this.kc.makeApiClient(k8s.CoreV1Api).listNamespacedPersistentVolumeClaim({ namespace }), 'list PersistentVolumeClaims');
    return list.items.map((c) => ({ name: c.metadata?.name ?? '', size: String(c.spec?.resources?.requests?.storage ?? '?'), phase: c.status?.phase ?? 'Unknown' }));
  }

  /**
   * The running pods of a namespace matching a label selector, with their IP and the port of the
   * container port named `portName` (else `fallbackPort`).
   */
  async listRunningPods(namespace: string, labelSelector: string, portName: string, fallbackPort: number): Promise<{ name: string; port: number; ready: boolean }[]> {
    const list = await withTimeout(this.kc.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace, labelSelector }), 'list pods');
    return list.items
      .filter((p) => p.status?.phase === 'Running' && p.status.podIP && !p.metadata?.deletionTimestamp)
      .map((p) => ({
        name: p.metadata?.name ?? '',
        port: p.spec?.containers.flatMap((c) => c.ports ?? []).find((x) => x.name === portName)?.containerPort ?? fallbackPort,
        ready: Boolean(p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /**
   * One HTTP request to a pod's port through the API server's pod proxy
   * (`/api/v1/namespaces/{ns}/pods/{pod}:{port}/proxy/{path}`): no port-forward, and only the
   * kubeconfig's credentials. The API server refuses pods whose IP is loopback or link-local.
   * @param body JSON sent with `content-type: application/json`.
   * @returns the status code and the body as text (at most 4 MiB).
   * @throws OperationError when the API server does not answer within 10 s.
   */
  async podProxy(namespace: string, pod: string, port: number, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; text: string }> {
    const server = new URL(this.server);
    const opts: https.RequestOptions = { headers: {} };
    await this.kc.applyToHTTPSOptions(opts);
    const url = new URL(`${server.pathname.replace(/\/$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}:${port}/proxy${path}`, server);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const what = `${method} ${path} on pod ${namespace}/${pod} through the API server`;
    return new Promise((resolve, reject) => {
      const req = (url.protocol === 'https:' ? https : http).request(
        url,
        { ...opts, method, timeout: REQUEST_TIMEOUT_MS, headers: { ...opts.headers, accept: 'application/json, text/plain', ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= 4 * 1024 * 1024) chunks.push(c);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (err) => reject(new OperationError(`${what}: ${err.message}`)));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000}s`)));
      req.on('error', (err) => reject(new OperationError(`${what}: ${err.message}`)));
      req.end(payload);
    });
  }

  /** ConfigMaps of a namespace matching a label selector: name, labels and data. */
  async listConfigMaps(namespace: string, labelSelector: string): Promise<{ name: string; labels: Record<string, string>; data: Record<string, string> }[]> {
    const list = await withTimeout(this.kc.makeApiClient(k8s.CoreV1Api).listNamespacedConfigMap({ namespace, labelSelector }), 'list ConfigMaps');
    return list.items.map((c) => ({ name: c.metadata?.name ?? '', labels: c.metadata?.labels ?? {}, data: c.data ?? {} }));
  }

  /**
   * Creates a ConfigMap.
   * @returns false when one of that name exists already (HTTP 409).
   */
  async createConfigMap(namespace: string, name: string, labels: Record<string, string>, data: Record<string, string>): Promise<boolean> {
    try {
      await withTimeout(this.kc.makeApiClient(k8s.CoreV1Api).createNamespacedConfigMap({ namespace, body: { metadata: { name, namespace, labels }, data } }), 'create ConfigMap');
      return true;
    } catch (err) {
      if (statusOf(err) === 409) return false;
      throw err;
    }
  }

  /** Replaces the labels and data of an existing ConfigMap. @throws when it is absent or the API fails. */
  async replaceConfigMap(namespace: string, name: string, labels: Record<string, string>, data: Record<string, string>): Promise<void> {
    await withTimeout(this.kc.makeApiClient(k8s.CoreV1Api).replaceNamespacedConfigMap({ namespace, name, body: { metadata: { name, namespace, labels }, data } }), 'replace ConfigMap');
  }

  /** Deletes a ConfigMap; absent is fine. */
  async deleteConfigMap(namespace: string, name: string): Promise<void> {
    try {
      await withTimeout(this.kc.makeApiClient(k8s.CoreV1Api).deleteNamespacedConfigMap({ namespace, name }), 'delete ConfigMap');
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }

  /** A Lease as plain JSON, or `null` when absent. */
  async readLease(namespace: string, name: string): Promise<(k8s.V1Lease & { metadata: k8s.V1ObjectMeta }) | null> {
    try {
      return (await withTimeout(this.kc.makeApiClient(k8s.CoordinationV1Api).readNamespacedLease({ namespace, name }), 'read Lease')) as k8s.V1Lease & { metadata: k8s.V1ObjectMeta };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  /**
   * Creates a Lease, or replaces it when `resourceVersion` is given (optimistic: another writer
   * in between makes it fail). `renewTime` is set to now, and `acquireTime` too when `acquire`.
   * @returns the Lease written, or `null` when another writer won (HTTP 409).
   */
  async writeLease(
    namespace: string,
    name: string,
    lease: { holderIdentity: string; leaseDurationSeconds: number; leaseTransitions: number; acquire: boolean; acquireTime?: Date },
    annotations: Record<string, string>,
    resourceVersion?: string,
  ): Promise<k8s.V1Lease | null> {
    const api = this.kc.makeApiClient(k8s.CoordinationV1Api);
    const now = new k8s.V1MicroTime(Date.now());
    const spec: k8s.V1LeaseSpec = {
      holderIdentity: lease.holderIdentity,
      leaseDurationSeconds: lease.leaseDurationSeconds,
      leaseTransitions: lease.leaseTransitions,
      renewTime: now,
      acquireTime: lease.acquire || !lease.acquireTime ? now : new k8s.V1MicroTime(lease.acquireTime.getTime()),
    };
    const body: k8s.V1Lease = { metadata: { name, namespace, labels: { ...MANAGED_BY }, annotations, ...(resourceVersion ? { resourceVersion } : {}) }, spec };
    try {
      return await withTimeout(resourceVersion ? api.replaceNamespacedLease({ namespace, name, body }) : api.createNamespacedLease({ namespace, body }), 'write Lease');
    } catch (err) {
      if (statusOf(err) === 409) return null;
      throw err;
    }
  }

  /** Deletes a Lease if it still has `resourceVersion`; absent or changed is fine. */
  async deleteLease(namespace: string, name: string, resourceVersion: string): Promise<void> {
    try {
      await withTimeout(this.kc.makeApiClient(k8s.CoordinationV1Api).deleteNamespacedLease({ namespace, name, body: { preconditions: { resourceVersion } } }), 'delete Lease');
    } catch (err) {
      if (statusOf(err) !== 404 && statusOf(err) !== 409) throw err;
    }
  }

  /** Decoded data of a Secret, or `null` when absent. Used to restore a Secret monitor-stack manages, and for the wizard's own Secret. */
  async readSecretData(namespace: string, name: string): Promise<Record<string, string> | null> {
    try {
      const s = await withTimeout(this.kc.makeApiClient(k8s.CoreV1Api).readNamespacedSecret({ name, namespace }), 'read Secret');
      return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }
}

/** apiVersion, kind, namespace ('' when cluster-scoped) and name of an object to read or delete. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/**
 * helm's storage driver, as helm reads it from $HELM_DRIVER: `secret` (the default) or `configmap`.
 * @throws UsageError for `memory` and `sql`, whose records the Kubernetes API cannot read.
 */
function helmDriver(): 'secret' | 'configmap' {
  const d = (process.env.HELM_DRIVER ?? '').toLowerCase();
  if (d === '' || d === 'secret' || d === 'secrets') return 'secret';
  if (d === 'configmap' || d === 'configmaps') return 'configmap';
  throw new UsageError(`HELM_DRIVER=${process.env.HELM_DRIVER}: monitor-stack reads helm's release records through the Kubernetes API, so it supports the secret (default) and configmap drivers only.`, [
    'Fix: unset HELM_DRIVER, or set it to secret or configmap.',
  ]);
}

function decodeRelease(data: string | undefined, what: string, driver: 'secret' | 'configmap'): ReleaseRecord {
  if (!data) throw new OperationError(`helm's release record of ${what} has no data.`);
  try {
    return decodeReleaseRecord(data, driver);
  } catch (err) {
    throw new OperationError(`cannot read helm's release record of ${what}: ${(err as Error).message}`);
  }
}

/** An error from writing a Secret, with the API's reason but never the request body. */
function secretError(err: unknown, name: string): OperationError {
  const code = statusOf(err);
  return new OperationError(`could not write Secret "${name}"${code ? ` (HTTP ${code})` : ''}.`, [
    code === 403 ? 'Your credentials may not create Secrets in this namespace.' : 'Check the cluster and try again.',
  ]);
}
