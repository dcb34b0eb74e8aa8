/**
 * Saved plans (`upgrade --plan-out FILE`, then `upgrade --plan FILE`): the plan as JSON, without
 * the resources' contents (field paths, digests and references only, so no secret value), and the
 * check that the cluster and the settings have not moved since. Pure.
 */
import type { StackPlan } from './stack-plan.js';

/** Identifies the file format. */
export const SAVED_PLAN_KIND = 'monitor-stack/plan';
export const SAVED_PLAN_VERSION = 1;

export interface SavedPlan {
  kind: typeof SAVED_PLAN_KIND;
  formatVersion: typeof SAVED_PLAN_VERSION;
  /** monitor-stack version that wrote it. */
  toolVersion: string;
  /** ISO 8601 time it was written. */
  createdAt: string;
  plan: StackPlan;
}

/** The plan as saved: resource contents (`before`/`after`) dropped. */
export function toSavedPlan(plan: StackPlan, toolVersion: string, createdAt: string): SavedPlan {
  return {
    kind: SAVED_PLAN_KIND,
    formatVersion: SAVED_PLAN_VERSION,
    toolVersion,
    createdAt,
    plan: { ...plan, releases: plan.releases.map((r) => ({ ...r, changes: r.changes.map(({ before: _b, after: _a, ...c }) => c) })) },
  };
}

/**
 * Checks parsed JSON is a saved plan of this format.
 * @returns a problem sentence, or undefined when it is one.
 */
export function checkSavedPlan(data: unknown): string | undefined {
  const d = data as Partial<SavedPlan> | null;
  if (!d || typeof d !== 'object' || d.kind !== SAVED_PLAN_KIND) return `it is not a monitor-stack plan (no "kind: ${SAVED_PLAN_KIND}")`;
  if (d.formatVersion !== SAVED_PLAN_VERSION) return `it is plan format ${String(d.formatVersion)}; this monitor-stack reads format ${SAVED_PLAN_VERSION}`;
  if (!d.plan || !Array.isArray(d.plan.releases) || !Array.isArray(d.plan.secrets)) return 'it has no releases or secrets';
  return undefined;
}

/**
 * What differs between a saved plan and the plan computed now: where the plan was made, each
 * release's live revision, overlay and rendered manifest, and the Secrets' digests.
 * @returns one sentence per difference; empty when the saved plan is still exact.
 */
export function savedPlanDrift(saved: StackPlan, now: StackPlan): string[] {
  const out: string[] = [];
  for (const k of ['environment', 'namespace', 'kubeContext'] as const) if (saved[k] !== now[k]) out.push(`${k} was ${saved[k]}, now ${now[k]}`);
  const nowByName = new Map(now.releases.map((r) => [r.release, r]));
  for (const r of saved.releases) {
    const n = nowByName.get(r.release);
    if (!n) {
      out.push(`release ${r.release} is no longer part of the stack`);
      continue;
    }
    const rev = (x: typeof r) => (x.installed ? `revision ${x.installed.revision} (${x.installed.status})` : 'not installed');
    if (rev(r) !== rev(n)) out.push(`release ${r.release} was ${rev(r)} when planned, now ${rev(n)}`);
    if (r.overlay !== n.overlay || r.chartRef !== n.chartRef || r.version !== n.version) out.push(`release ${r.release}: the settings render another overlay or chart than the plan`);
    else if (r.manifestDigest !== n.manifestDigest) out.push(`release ${r.release}: the chart renders another manifest than the plan (manifest ${r.manifestDigest} → ${n.manifestDigest})`);
  }
  for (const r of now.releases) if (!saved.releases.some((x) => x.release === r.release)) out.push(`release ${r.release} is new to the stack since the plan`);
  const digests = (p: StackPlan) => JSON.stringify(p.secrets.map((s) => [s.name, s.entries.map((e) => [e.key, e.digest])]));
  if (digests(saved) !== digests(now)) out.push('a receiver secret resolves to another value than when planned');
  return out;
}
