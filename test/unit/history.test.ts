/** Stack revisions: storage names, bounded history, the rollback target. */
import { describe, expect, it } from 'vitest';
import { describeReleases, describeUnfinished, historyLabels, historyObjectName, historySelector, nextRevision, parseStackRevision, revisionsToPrune, rollbackTarget, unfinishedRun, type StackRevision } from '../../src/core/history.js';

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
  it('only an upgrade or a rollback is a whole stack: a recover or an uninstall is passed over, and refused by --to', () => {
    const h = [rev(1, 'succeeded'), rev(2, 'interrupted'), rev(3, 'succeeded', 'recover'), rev(4, 'succeeded', 'uninstall'), rev(5, 'succeeded')];
    expect((rollbackTarget(h) as StackRevision).revision).toBe(1);
    expect(rollbackTarget(h, 3)).toBe('stack revision 3 is a recover: it records only the releases it put back, not a whole stack; give an upgrade or rollback revision');
    expect(rollbackTarget(h, 4)).toMatch(/^stack revision 4 is an uninstall: it records no release/);
    expect((rollbackTarget([...h, rev(6, 'succeeded', 'rollback')]) as StackRevision).revision).toBe(5);
    expect(rollbackTarget([rev(1, 'running'), rev(2, 'succeeded')])).toMatch(/^there is no earlier stack revision/);
  });
  it('nothing before the first revision', () => {
    expect(rollbackTarget([rev(1, 'succeeded')])).toBe('there is no earlier stack revision to go back to (recorded: 1)');
  });
});

describe('unfinished runs', () => {
  const history = [rev(1, 'succeeded'), rev(2, 'running')];
  it('is the newest revision still running whose run no longer holds a live Lease', () => {
    expect(unfinishedRun(history, undefined)?.revision).toBe(2); // no Lease: the run is gone
    expect(unfinishedRun(history, { runId: 'r2', live: false })?.revision).toBe(2); // its Lease expired
    expect(unfinishedRun(history, { runId: 'other', live: true })?.revision).toBe(2); // another run took the lock
    expect(unfinishedRun(history, { runId: 'r2', live: true })).toBeUndefined(); // still running
    expect(unfinishedRun([...history, rev(3, 'succeeded')], undefined)).toBeUndefined(); // a later run recorded after it
    expect(unfinishedRun([rev(1, 'running'), rev(2, 'succeeded', 'uninstall')], undefined)).toBeUndefined();
    expect(unfinishedRun([], undefined)).toBeUndefined();
  });
  it('says per release where it is now against where the run started', () => {
    const run = { ...rev(5, 'running'), releases: [
      { release: 'prometheus', chart: 'prometheus', version: '29.27.0', before: 3, after: null, status: 'planned', result: 'upgrade' },
      { release: 'grafana', chart: 'grafana', version: '12.11.1', before: 2, after: null, status: 'planned', result: 'upgrade' },
      { release: 'promtail', chart: 'promtail', version: '6.17.1', before: null, after: null, status: 'planned', result: 'install' },
    ] };
    expect(describeUnfinished(run, { prometheus: 4, grafana: 2, promtail: null })).toEqual([
      'prometheus: at revision 4 (the run started from revision 3)',
      'grafana: at revision 2, as before the run',
      'promtail: not installed, as before the run',
    ]);
    expect(describeUnfinished(run, { promtail: 1 })[2]).toBe('promtail: at revision 1 (the run started from no release)');
  });
});
