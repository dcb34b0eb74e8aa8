/**
 * The stack plan: what one `upgrade` would change, computed once from the settings' releases and
 * what was read of the cluster, then shown (`diff`), saved (`upgrade --plan-out`) or applied. Pure:
 * the cluster is read before, by the caller, into a {@link LiveState}.
 */
import { createHash } from 'node:crypto';
import { passesVersionFlag } from '../charts.js';
import type { ReleasePlan } from '../plan.js';
import type { ReleaseHistoryHead, ReleaseRecord, ReleaseStatus } from './helm-release.js';
import { alreadyLive, asStoredSecret, deepEqual, diffManifests, driftOf, parseManifest, resourceKey, resourceLabel, type ResourceChange } from './manifest.js';
import { ownershipRisk, releaseStateRisk, resourceRisks, type Risk } from './risks.js';

/** One installed release as read from helm's storage. */
export interface LiveRelease {
  head: ReleaseHistoryHead;
  /** The latest revision's record. */
  record: ReleaseRecord;
}

/** Everything a plan needs of the cluster, read once, up front. */
export interface LiveState {
  namespaceExists: boolean;
  /** Installed releases by release name; absent when not installed. */
  releases: Record<string, LiveRelease | undefined>;
  /** What each release would apply: the manifest of helm's server-side dry run, by release name. */
  rendered: Record<string, string>;
  /**
   * Live objects by {@link resourceKey}: every resource of the installed manifests (for drift)
   * and of the rendered ones (for ownership); `null` when the object does not exist.
   */
  objects: Record<string, Record<string, unknown> | null>;
  /** Data digests of the Secrets the run writes, by Secret name then key; `null` when the Secret does not exist. */
  secrets: Record<string, Record<string, string> | null>;
}

/** A Secret entry the run writes: by key and digest, never the value. */
export interface SecretEntry {
  key: string;
  /** The reference it comes from (`env:NAME`, `file:PATH`). */
  ref: string;
  /** {@link secretDigest} of the value. */
  digest: string;
}

export interface SecretChange {
  name: string;
  /** `resolved`: values read from env:/file: references, written as they are; `generated`: created with a random value when missing, never replaced. */
  kind: 'resolved' | 'generated';
  action: 'create' | 'replace' | 'unchanged';
  entries: SecretEntry[];
  /** Keys added, removed or changed against the live Secret. */
  changedKeys: string[];
}

/** Resources that differ from the installed manifest in the cluster. */
export interface Drift {
  key: string;
  kind: string;
  namespace: string;
  name: string;
  /** Field paths the manifest sets that differ live; `['(deleted)']` when the object is gone. */
  fields: string[];
}

export interface ReleaseChange {
  id: ReleasePlan['id'];
  release: string;
  namespace: string;
  chart: string;
  version: string;
  /** The CHART argument of `helm upgrade`. */
  chartRef: string;
  /** Whether `--version` is passed (not for a local chart folder). */
  pinVersion: boolean;
  fileName: string;
  /** The overlay text handed to helm (no secret values). */
  overlay: string;
  action: 'install' | 'upgrade' | 'unchanged';
  /**
   * The latest installed revision. `applyMethod`: how helm applied it, from the release record
   * (Helm 4 writes `apply_method`; a record without it, e.g. from Helm 3, is client-side).
   */
  installed: { revision: number; status: ReleaseStatus; chartVersion: string; lastDeployed?: number; applyMethod: 'csa' | 'ssa' } | null;
  valuesChanged: boolean;
  chartChanged: boolean;
  changes: ResourceChange[];
  drift: Drift[];
  /** {@link digest} of the rendered manifest the plan was computed against. */
  manifestDigest: string;
  notes: string[];
}

export interface StackPlan {
  environment: string;
  namespace: string;
  /** kube context the plan was computed against. */
  kubeContext: string;
  settingsHash: string;
  createNamespace: boolean;
  repositories: { name: string; url: string }[];
  releases: ReleaseChange[];
  secrets: SecretChange[];
  risks: Risk[];
}

/** First 16 hex digits of SHA-256. */
export function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Digest of one Secret value, bound to its Secret and key so equal values elsewhere do not match. */
export function secretDigest(secret: string, key: string, value: string): string {
  return digest(`${secret}\u0000${key}\u0000${value}`);
}

/** What the caller resolved of the Secrets the run writes. */
export interface PlannedSecret {
  name: string;
  kind: SecretChange['kind'];
  entries: SecretEntry[];
}

export interface PlanInput {
  environment: string;
  kubeContext: string;
  settingsHash: string;
  releases: ReleasePlan[];
  /** CHART argument per release name. */
  chartRefs: Record<string, string>;
  repositories: { name: string; url: string }[];
  secrets: PlannedSecret[];
}

const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v ?? {}));

/**
 * Computes the stack plan. A release is `unchanged` (skipped: no empty revision) when its latest
 * revision is deployed with the same chart, version and values and the rendered manifest has no
 * resource change. Drift is reported, not a reason to upgrade (helm patches only what the chart
 * changes).
 */
export function planStack(input: PlanInput, live: LiveState): StackPlan {
  const risks: Risk[] = [];
  const releases = input.releases.map((p): ReleaseChange => {
    const installed = live.releases[p.release];
    const rendered = live.rendered[p.release] ?? '';
    const diffs = diffManifests(installed?.record.manifest ?? '', rendered, p.namespace);
    // A change the cluster already has is no change (a looked-up PVC volumeName): said, not applied.
    const liveAlready = diffs.filter((c) => alreadyLive(c, live.objects[c.key]));
    const changes = diffs.filter((c) => !liveAlready.includes(c));
    // Drift needs every installed resource, and only when its live object was read.
    const before = installed && Object.keys(live.objects).length ? parseManifest(installed.record.manifest, p.namespace) : [];
    const drift: Drift[] = before.flatMap((r) => {
      const key = resourceKey(r);
      if (!(key in live.objects)) return [];
      const obj = live.objects[key];
      const fields = obj ? driftOf(asStoredSecret(r.object), obj) : ['(deleted)'];
      return fields.length ? [{ key, kind: r.kind, namespace: r.namespace, name: r.name, fields }] : [];
    });
    const rec = installed?.record;
    const valuesChanged = !rec || !deepEqual(json(rec.values), json(p.values));
    const chartChanged = !rec || rec.chart !== p.chart || rec.chartVersion !== p.version;
    const action = !installed ? 'install' : installed.head.latest.status === 'deployed' && !valuesChanged && !chartChanged && changes.length === 0 ? 'unchanged' : 'upgrade';
    if (installed) {
      const r = releaseStateRisk(p.release, p.namespace, installed.head.latest.status, installed.head.latest.revision, installed.head.lastDeployed);
      if (r) risks.push(r);
    }
    risks.push(...resourceRisks(p.release, changes));
    const found = changes.flatMap((c) => {
      const obj = c.change === 'added' ? live.objects[c.key] : null;
      if (!obj) return [];
      const annotations = (obj.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {};
      return [{ object: c, owner: { release: annotations['meta.helm.sh/release-name'], namespace: annotations['meta.helm.sh/release-namespace'] } }];
    });
    const owned = ownershipRisk(p.release, p.namespace, found);
    if (owned) risks.push(owned);
    return {
      id: p.id,
      release: p.release,
      namespace: p.namespace,
      chart: p.chart,
      version: p.version,
      chartRef: input.chartRefs[p.release] ?? p.chart,
      pinVersion: passesVersionFlag(p.source),
      fileName: p.fileName,
      overlay: p.overlay,
      action,
      installed: installed
        ? {
            revision: installed.head.latest.revision,
            status: installed.head.latest.status,
            chartVersion: installed.record.chartVersion,
            ...(installed.head.lastDeployed ? { lastDeployed: installed.head.lastDeployed } : {}),
            applyMethod: installed.record.applyMethod === 'ssa' ? ('ssa' as const) : ('csa' as const),
          }
        : null,
      valuesChanged,
      chartChanged,
      changes,
      drift,
      manifestDigest: digest(rendered),
      notes: [
        p.deprecation,
        p.versionNote,
        p.coverageNote,
        ...liveAlready.map((c) => `${resourceLabel(c)}: ${c.fields.join(', ')} differs from the installed manifest, but the cluster already has the new value; not a change`),
      ].filter((n): n is string => Boolean(n)),
    };
  });
  const secrets = input.secrets.map((s): SecretChange => {
    const current = live.secrets[s.name];
    if (s.kind === 'generated') return { name: s.name, kind: s.kind, action: current ? 'unchanged' : 'create', entries: s.entries, changedKeys: [] };
    if (!current) return { name: s.name, kind: s.kind, action: 'create', entries: s.entries, changedKeys: s.entries.map((e) => e.key) };
    const wanted = new Map(s.entries.map((e) => [e.key, e.digest]));
    const changedKeys = [...new Set([...wanted.keys(), ...Object.keys(current)])].filter((k) => wanted.get(k) !== current[k]).sort();
    return { name: s.name, kind: s.kind, action: changedKeys.length ? 'replace' : 'unchanged', entries: s.entries, changedKeys };
  });
  return {
    environment: input.environment,
    namespace: input.releases[0]?.namespace ?? '',
    kubeContext: input.kubeContext,
    settingsHash: input.settingsHash,
    createNamespace: !live.namespaceExists,
    repositories: input.repositories,
    releases,
    secrets,
    risks,
  };
}

/** Whether applying the plan would change anything in the cluster. */
export function planHasChanges(plan: StackPlan): boolean {
  return plan.createNamespace || plan.releases.some((r) => r.action !== 'unchanged') || plan.secrets.some((s) => s.action !== 'unchanged');
}

/** Risks that stop `upgrade`: every one but notices, and recreate risks unless allowed. */
export function blockingRisks(plan: StackPlan, allowRecreate: boolean): Risk[] {
  return plan.risks.filter((r) => r.resolution === 'none' || (r.resolution === 'recreate' && !allowRecreate));
}

/** `prometheus: 2 changed, 1 added, 0 removed, 1 drifted` */
export function summaryLine(r: ReleaseChange): string {
  const n = (k: ResourceChange['change']) => r.changes.filter((c) => c.change === k).length;
  const what =
    r.action === 'install'
      ? `new release, ${r.chart} ${r.version}`
      : r.action === 'unchanged'
        ? 'no change'
        : [
            r.installed && r.installed.chartVersion !== r.version ? `chart ${r.installed.chartVersion} → ${r.version}` : '',
            r.valuesChanged ? 'values changed' : '',
            r.installed && r.installed.status !== 'deployed' ? `from ${r.installed.status} revision ${r.installed.revision}` : '',
          ]
            .filter(Boolean)
            .join(', ');
  return `${r.release}: ${n('changed')} changed, ${n('added')} added, ${n('removed')} removed, ${r.drift.length} drifted${what ? ` (${what})` : ''}`;
}

/**
 * Helm 4's apply method for an upgrade: server-side for a new release; for an installed one, the
 * method it was applied with (client-side when installed with Helm 3), unless `switchToServerSide`.
 * Helm 3 ignores it (client-side only).
 */
export function applyServerSide(r: Pick<ReleaseChange, 'installed'>, switchToServerSide = false): boolean {
  return !r.installed || r.installed.applyMethod === 'ssa' || switchToServerSide;
}
