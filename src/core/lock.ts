/**
 * One run at a time per environment: a `coordination.k8s.io/v1` Lease in the release namespace,
 * named `monitor-stack-<environment>`, held while `upgrade` applies. Pure: who holds it and
 * whether it expired, from what the API returned.
 */

/** Seconds a Lease stays valid without renewal; a run renews it every {@link LEASE_RENEW_SECONDS}. */
export const LEASE_DURATION_SECONDS = 30;
export const LEASE_RENEW_SECONDS = 10;

/** Annotation holding {@link LockHolder} as JSON on the Lease. */
export const HOLDER_ANNOTATION = 'monitor-stack.io/holder';

/** Who runs: shown to a second run that finds the lock taken. */
export interface LockHolder {
  /** The user, or the CI job (`github-actions owner/repo run 123 job deploy`). */
  who: string;
  host: string;
  /** The monitor-stack command line, without secret values (flags never carry them). */
  command: string;
  /** ISO 8601 time the lock was taken. */
  since: string;
  /** Unique per run. */
  runId: string;
}

/** The Lease name of an environment. */
export function leaseName(environment: string): string {
  return `monitor-stack-${environment}`;
}

/**
 * Who runs, from the usual CI variables (GitHub Actions, GitLab CI, Buildkite, Jenkins, CircleCI,
 * Azure Pipelines), else the user.
 */
export function describeRunner(env: Record<string, string | undefined>, user: string): string {
  if (env.GITHUB_ACTIONS) return `github-actions ${env.GITHUB_REPOSITORY ?? '?'} run ${env.GITHUB_RUN_ID ?? '?'}${env.GITHUB_JOB ? ` job ${env.GITHUB_JOB}` : ''}${env.GITHUB_ACTOR ? ` by ${env.GITHUB_ACTOR}` : ''}`;
  if (env.GITLAB_CI) return `gitlab-ci ${env.CI_PROJECT_PATH ?? '?'} job ${env.CI_JOB_ID ?? '?'}${env.GITLAB_USER_LOGIN ? ` by ${env.GITLAB_USER_LOGIN}` : ''}`;
  if (env.BUILDKITE) return `buildkite ${env.BUILDKITE_PIPELINE_SLUG ?? '?'} build ${env.BUILDKITE_BUILD_NUMBER ?? '?'}`;
  if (env.JENKINS_URL) return `jenkins ${env.BUILD_TAG ?? env.JOB_NAME ?? '?'}`;
  if (env.CIRCLECI) return `circleci ${env.CIRCLE_PROJECT_REPONAME ?? '?'} build ${env.CIRCLE_BUILD_NUM ?? '?'}`;
  if (env.TF_BUILD) return `azure-pipelines ${env.BUILD_DEFINITIONNAME ?? '?'} build ${env.BUILD_BUILDID ?? '?'}`;
  return user;
}

/** What a run makes of the Lease it read. */
export type LeaseState =
  | { state: 'free' }
  | { state: 'ours' }
  | { state: 'held'; holder: LockHolder | undefined; renewedSecondsAgo: number }
  | { state: 'expired'; holder: LockHolder | undefined; expiredSecondsAgo: number };

/**
 * @param lease the Lease as the API returned it, or null when there is none.
 * @param runId this run's id.
 * @param now milliseconds since the epoch.
 */
export function leaseState(lease: { spec?: { holderIdentity?: string; renewTime?: string | Date; leaseDurationSeconds?: number }; metadata?: { annotations?: Record<string, string> } } | null, runId: string, now: number): LeaseState {
  if (!lease || !lease.spec?.holderIdentity) return { state: 'free' };
  if (lease.spec.holderIdentity === runId) return { state: 'ours' };
  let holder: LockHolder | undefined;
  try {
    holder = JSON.parse(lease.metadata?.annotations?.[HOLDER_ANNOTATION] ?? '') as LockHolder;
  } catch {
    holder = undefined;
  }
  const renewed = lease.spec.renewTime ? new Date(lease.spec.renewTime).getTime() : 0;
  const expires = renewed + (lease.spec.leaseDurationSeconds ?? LEASE_DURATION_SECONDS) * 1000;
  if (expires < now) return { state: 'expired', holder, expiredSecondsAgo: Math.round((now - expires) / 1000) };
  return { state: 'held', holder, renewedSecondsAgo: Math.max(0, Math.round((now - renewed) / 1000)) };
}

/** `alice on laptop-1, running "monitor-stack upgrade --env prod", since 2026-11-22T10:00:00Z` */
export function describeHolder(holder: LockHolder | undefined): string {
  return holder ? `${holder.who} on ${holder.host}, running "${holder.command}", since ${holder.since}` : 'an unknown holder';
}
