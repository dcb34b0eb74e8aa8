/** Stack revisions: storage names, bounded history, the rollback target. */
import { describe, expect, it } from 'vitest';
import { describeReleases, historyLabels, historyObjectName, historySelector, nextRevision, parseStackRevision, revisionsToPrune, rollbackTarget, type StackRevision } from '../../src/core/history.js';

const rev = (revision: number, outcome: StackRevision['outcome'], kind: StackRevision['kind'] = 'upgrade'): StackRevision => ({
  revision, outcome, kind, runId: `r${revision}`, time: `2026-11-22T0${revision}:00:00Z`, who: 'alice', host: 'h', command: 'monitor-stack upgrade --env prod',
  settingsHash: 'x', toolVersion: '0.1.0', helmVersion: 'v4.1.4',
  releases: [{ release: 'prometheus', chart: 'prometheus', version: '29.27.0', before: revision - 1 || null, after: revision, status: 'deployed', result: 'upgraded' }],
});

describe('stack revision storage', () => {
  it('names, labels and selects per environment', () => {
    expect(historyObjectName('prod', 3)).toBe('monitor-stack.prod.v3');
    expect(historyLabels('prod', 3)).toEqual({ 'app.kubernetes.io/managed-by': 'monitor-stack', 'monitor-stack.io/environment': 'prod', 'monitor-stack.io/stack-revision': '3' });
    expect(historySelector('prod')).toBe('app.kubernetes.io/managed-by=monitor-stack,monitor-stack.io/environment=prod');
  });
  it('numbers after the highest recorded, and prunes the oldest beyond the maximum', () => {
    expect(nextRevision([])).toBe(1);
    expect(nextRevision([3, 1, 7])).toBe(8);
    expect(revisionsToPrune([5, 1, 3, 4, 2], 3)).toEqual([1, 2]);
    expect(revisionsToPrune([1, 2], 3)).toEqual([]);
  });
  it('parses what it wrote, and nothing else', () => {
    expect(parseStackRevision(JSON.stringify(rev(2, 'succeeded')))).toEqual(rev(2, 'succeeded'));
    expect(parseStackRevision('{"a":1}')).toBeUndefined();
    expect(parseStackRevision('not json')).toBeUndefined();
    expect(parseStackRevision(undefined)).toBeUndefined();
  });
  it('describes the releases of a revision', () => {
    expect(describeReleases([
      { release: 'prometheus', chart: 'prometheus', version: '29.27.0', before: 3, after: 4, status: 'deployed', result: 'upgraded' },
      { release: 'grafana', chart: 'grafana', version: '12.11.1', before: 2, after: 2, status: 'deployed', result: 'unchanged: skipped' },
      { release: 'promtail', chart: 'promtail', version: '6.17.1', before: null, after: 1, status: 'deployed', result: 'installed' },
    ])).toBe('prometheus 3→4, grafana 2, promtail new→1');
  });
});

describe('rollbackTarget', () => {
  const history = [rev(1, 'succeeded'), rev(2, 'failed'), rev(3, 'rolled-back'), rev(4, 'succeeded')];
  it('by default, the newest good revision before the latest', () => {
    expect((rollbackTarget(history) as StackRevision).revision).toBe(3);
    expect((rollbackTarget(history.slice(0, 3)) as StackRevision).revision).toBe(1);
  });
  it('--to N, refusing a failed or unrecorded revision', () => {
    expect((rollbackTarget(history, 1) as StackRevision).revision).toBe(1);
    expect(rollbackTarget(history, 2)).toBe('stack revision 2 ended failed: its releases are no known-good state to go back to');
    expect(rollbackTarget(history, 9)).toMatch(/^stack revision 9 is not recorded \(recorded: 1, 2, 3, 4;/);
  });
  it('nothing before the first revision', () => {
    expect(rollbackTarget([rev(1, 'succeeded')])).toBe('there is no earlier stack revision to go back to (recorded: 1)');
  });
});
