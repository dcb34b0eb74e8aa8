/**
 * Stack revisions: every `upgrade` that changes something records, in the cluster, what it did
 * to the stack as one unit, so any machine can see who changed what and when. Pure: the record's
 * shape, its storage names, and which records a bounded history drops.
 *
 * Storage: one ConfigMap per stack revision in the release namespace, named
 * `monitor-stack.<environment>.v<revision>`, labelled {@link HISTORY_LABELS}, with the record as
 * JSON under `data["revision.json"]`. No secret value is in it (digests are not kept either).
 */

/**
 * `running`: written when an upgrade starts applying and replaced when it ends; one still
 * `running` after its run lost the lock (the process died, or the API server went away before it
 * could write the outcome) is an unfinished run: {@link unfinishedRun}.
 */
export type StackOutcome = 'succeeded' | 'failed' | 'rolled-back' | 'interrupted' | 'running';

/** One release in a stack revision. */
export interface StackRevisionRelease {
  release: string;
  chart: string;
  version: string;
  /** helm revision before the run; null when it was not installed. */
  before: number | null;
  /** helm revision after the run (after undoing it, on failure); null when not installed. */
  after: number | null;
  /** helm status after the run. */
  status: string;
  /** What the run did to it, in words (`upgraded`, `unchanged: skipped`, `rolled back to revision 4`). */
  result: string;
}

export interface StackRevision {
  /** 1, 2, … per environment. */
  revision: number;
  runId: string;
  /** ISO 8601 time the run ended (while `running`: the time it started applying). */
  time: string;
  /** The user, or the CI job. */
  who: string;
  host: string;
  command: string;
  /** `recover`: `upgrade --recover` put stuck releases back before upgrading; `uninstall`: the releases removed. */
  kind: 'upgrade' | 'rollback' | 'recover' | 'uninstall';
  outcome: StackOutcome;
  /** First 16 hex digits of the settings' SHA-256. */
  settingsHash: string;
  toolVersion: string;
  helmVersion: string;
  releases: StackRevisionRelease[];
  /** The error, when the run failed. */
  message?: string;
  /** `uninstall`: the PVCs it left in place, so a later `uninstall --delete-data` finds them without release records. */
  keptVolumes?: string[];
}

export const HISTORY_LABEL_ENV = 'monitor-stack.io/environment';
export const HISTORY_LABEL_REVISION = 'monitor-stack.io/stack-revision';

/** Labels of a stack revision's ConfigMap. */
export function historyLabels(environment: string, revision: number): Record<string, string> {
  return { 'app.kubernetes.io/managed-by': 'monitor-stack', [HISTORY_LABEL_ENV]: environment, [HISTORY_LABEL_REVISION]: String(revision) };
}

/** Name of a stack revision's ConfigMap. */
export function historyObjectName(environment: string, revision: number): string {
  return `monitor-stack.${environment}.v${revision}`;
}

/** Label selector of every stack revision of an environment. */
export function historySelector(environment: string): string {
  return `app.kubernetes.io/managed-by=monitor-stack,${HISTORY_LABEL_ENV}=${environment}`;
}

/** The next revision number after the recorded ones. */
export function nextRevision(recorded: number[]): number {
  return recorded.reduce((max, n) => Math.max(max, n), 0) + 1;
}

/** Revisions to delete so that at most `max` remain, oldest first. */
export function revisionsToPrune(recorded: number[], max: number): number[] {
  return [...recorded].sort((a, b) => a - b).slice(0, Math.max(0, recorded.length - max));
}

/** `prometheus 3→4, grafana 2 (unchanged), promtail new→1` */
export function describeReleases(releases: StackRevisionRelease[]): string {
  return releases
    .map((r) => `${r.release} ${r.before === r.after ? `${r.after ?? '-'}` : `${r.before ?? 'new'}→${r.after ?? 'removed'}`}`)
    .join(', ');
}

/**
 * Parses a recorded stack revision.
 * @returns undefined when the data is not one (a ConfigMap someone else wrote with our labels).
 */
export function parseStackRevision(json: string | undefined): StackRevision | undefined {
  if (!json) return undefined;
  try {
    const r = JSON.parse(json) as StackRevision;
    return Number.isInteger(r.revision) && Array.isArray(r.releases) ? r : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The stack revision `rollback` goes back to: `--to N`, else the newest one before the latest
 * that ended `succeeded` or `rolled-back` (a rolled-back run left its releases where they were).
 * A `failed`, `interrupted` or `running` revision is no known-good state and is refused, and only
 * an `upgrade` or `rollback` records the whole stack.
 * @returns the target, or a sentence saying why there is none.
 */
export function rollbackTarget(history: StackRevision[], to?: number): StackRevision | string {
  // A recover records only the releases it put back, an uninstall none: neither is a whole stack.
  const whole = (r: StackRevision) => r.kind === 'upgrade' || r.kind === 'rollback';
  const good = (r: StackRevision) => whole(r) && (r.outcome === 'succeeded' || r.outcome === 'rolled-back');
  if (to !== undefined) {
    const r = history.find((x) => x.revision === to);
    if (!r) return `stack revision ${to} is not recorded (recorded: ${history.map((x) => x.revision).join(', ') || 'none'}; upgrade --history-max sets how many are kept)`;
    if (!whole(r)) return `stack revision ${to} is ${r.kind === 'recover' ? 'a recover: it records only the releases it put back' : 'an uninstall: it records no release'}, not a whole stack; give an upgrade or rollback revision`;
    if (!good(r)) return `stack revision ${to} ended ${r.outcome}: its releases are no known-good state to go back to`;
    return r;
  }
  const earlier = history.slice(0, -1).reverse().find(good);
  return earlier ?? `there is no earlier stack revision to go back to (recorded: ${history.map((x) => x.revision).join(', ') || 'none'})`;
}

/**
 * The newest stack revision still `running` that no live run holds: its run ended without
 * writing its outcome, so what it changed may be half-applied.
 * @param holder the runId holding the environment's Lease now and whether that Lease is live
 *   (core/lock.ts leaseState), or undefined when no one holds it.
 * @returns the record, or undefined when every run finished or the one running still holds the lock.
 */
export function unfinishedRun(history: StackRevision[], holder: { runId: string | undefined; live: boolean } | undefined): StackRevision | undefined {
  const latest = history.at(-1);
  if (latest?.outcome !== 'running') return undefined;
  if (holder?.live && holder.runId === latest.runId) return undefined;
  return latest;
}

/**
 * What an unfinished run left, per release it planned to change: `prometheus at revision 4 (the
 * run started from 3)`. `now` holds each release's latest revision (null: not installed).
 */
export function describeUnfinished(run: StackRevision, now: Record<string, number | null>): string[] {
  return run.releases.map((r) => {
    const is = now[r.release] ?? null;
    const was = r.before;
    if (is === was) return `${r.release}: ${is === null ? 'not installed' : `at revision ${is}`}, as before the run`;
    return `${r.release}: ${is === null ? 'not installed' : `at revision ${is}`} (the run started from ${was === null ? 'no release' : `revision ${was}`})`;
  });
}
