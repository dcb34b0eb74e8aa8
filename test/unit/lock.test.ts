/** The environment lock's pure part: who holds the Lease, and whether it expired. */
import { describe, expect, it } from 'vitest';
import { describeHolder, describeRunner, HOLDER_ANNOTATION, leaseName, leaseState } from '../../src/core/lock.js';
import { parseDurationSeconds } from '../../src/validate.js';

const holder = { who: 'alice', host: 'laptop', command: 'monitor-stack upgrade --env prod', since: '2026-11-22T10:00:00.000Z', runId: 'run-a' };
const lease = (renewTime: string, id = 'run-a') => ({ spec: { holderIdentity: id, renewTime, leaseDurationSeconds: 30 }, metadata: { annotations: { [HOLDER_ANNOTATION]: JSON.stringify(holder) } } });
const at = (iso: string) => new Date(iso).getTime();

describe('leaseState', () => {
  it('no Lease, or one without a holder, is free', () => {
    expect(leaseState(null, 'run-b', 0)).toEqual({ state: 'free' });
    expect(leaseState({ spec: {} }, 'run-b', 0)).toEqual({ state: 'free' });
  });
  it('a Lease renewed within its duration is held by its holder; after it, expired', () => {
    expect(leaseState(lease('2026-11-22T10:00:00.000000Z'), 'run-b', at('2026-11-22T10:00:29Z'))).toEqual({ state: 'held', holder, renewedSecondsAgo: 29 });
    expect(leaseState(lease('2026-11-22T10:00:00.000000Z'), 'run-b', at('2026-11-22T10:01:00Z'))).toEqual({ state: 'expired', holder, expiredSecondsAgo: 30 });
  });
  it('our own Lease is ours', () => {
    expect(leaseState(lease('2026-11-22T10:00:00.000000Z'), 'run-a', at('2026-11-22T10:00:01Z'))).toEqual({ state: 'ours' });
  });
  it('a holder annotation that is not JSON leaves the holder unknown', () => {
    const l = { ...lease('2026-11-22T10:00:00.000000Z'), metadata: { annotations: { [HOLDER_ANNOTATION]: '{' } } };
    expect(leaseState(l, 'run-b', at('2026-11-22T10:00:01Z'))).toEqual({ state: 'held', holder: undefined, renewedSecondsAgo: 1 });
    expect(describeHolder(undefined)).toBe('an unknown holder');
  });
});

describe('who runs', () => {
  it('names the CI job from the usual variables, else the user', () => {
    expect(describeRunner({ GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/infra', GITHUB_RUN_ID: '42', GITHUB_JOB: 'deploy', GITHUB_ACTOR: 'bob' }, 'runner')).toBe('github-actions acme/infra run 42 job deploy by bob');
    expect(describeRunner({ GITLAB_CI: 'true', CI_PROJECT_PATH: 'acme/infra', CI_JOB_ID: '7' }, 'x')).toBe('gitlab-ci acme/infra job 7');
    expect(describeRunner({}, 'alice')).toBe('alice');
    expect(describeRunner({ GITHUB_ACTIONS: 'true' }, 'x')).toBe('github-actions ? run ?');
    expect(describeRunner({ GITLAB_CI: 'true', GITLAB_USER_LOGIN: 'eve' }, 'x')).toBe('gitlab-ci ? job ? by eve');
    expect(describeRunner({ BUILDKITE: 'true', BUILDKITE_PIPELINE_SLUG: 'infra', BUILDKITE_BUILD_NUMBER: '9' }, 'x')).toBe('buildkite infra build 9');
    expect(describeRunner({ BUILDKITE: 'true' }, 'x')).toBe('buildkite ? build ?');
    expect(describeRunner({ JENKINS_URL: 'http://j', BUILD_TAG: 'jenkins-infra-12', JOB_NAME: 'infra' }, 'x')).toBe('jenkins jenkins-infra-12');
    expect(describeRunner({ JENKINS_URL: 'http://j', JOB_NAME: 'infra' }, 'x')).toBe('jenkins infra');
    expect(describeRunner({ JENKINS_URL: 'http://j' }, 'x')).toBe('jenkins ?');
    expect(describeRunner({ CIRCLECI: 'true', CIRCLE_PROJECT_REPONAME: 'infra', CIRCLE_BUILD_NUM: '5' }, 'x')).toBe('circleci infra build 5');
    expect(describeRunner({ CIRCLECI: 'true' }, 'x')).toBe('circleci ? build ?');
    expect(describeRunner({ TF_BUILD: 'True', BUILD_DEFINITIONNAME: 'infra', BUILD_BUILDID: '77' }, 'x')).toBe('azure-pipelines infra build 77');
    expect(describeRunner({ TF_BUILD: 'True' }, 'x')).toBe('azure-pipelines ? build ?');
    expect(describeHolder(undefined)).toBe('an unknown holder');
    expect(describeHolder(holder)).toBe('alice on laptop, running "monitor-stack upgrade --env prod", since 2026-11-22T10:00:00.000Z');
    expect(leaseName('prod')).toBe('monitor-stack-prod');
  });
});

describe('parseDurationSeconds', () => {
  it.each([
    ['0s', 0],
    ['90s', 90],
    ['10m', 600],
    ['1h30m', 5400],
  ])('%s is %d s', (text, n) => expect(parseDurationSeconds(text, '--lock-timeout')).toBe(n));
  it('refuses what is not a duration', () => expect(() => parseDurationSeconds('soon', '--lock-timeout')).toThrow('--lock-timeout "soon": must be a duration'));
});
