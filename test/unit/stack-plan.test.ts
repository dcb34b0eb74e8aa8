/** The stack plan, risk rules, saved plans and helm's release record format: pure, table-driven. */
import { gzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { decodeReleaseRecord, historyHead, releaseSelector } from '../../src/core/helm-release.js';
import { parseManifest } from '../../src/core/manifest.js';
import { formatAge, ownershipRisk, releaseStateRisk, resourceRisks } from '../../src/core/risks.js';
import { checkSavedPlan, savedPlanDrift, toSavedPlan } from '../../src/core/saved-plan.js';
import { applyServerSide, blockingRisks, planHasChanges, planStack, secretDigest, summaryLine, type LiveState, type PlanInput } from '../../src/core/stack-plan.js';
import { diffResources } from '../../src/core/manifest.js';
import { planReleases } from '../../src/plan.js';
import { scenarioSettings } from '../support/scenarios.js';

const cm = (name: string, value: string) => `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  v: "${value}"\n`;
const sts = (size: string, sc = 'standard', service = 'am') =>
  `---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: am\nspec:\n  serviceName: ${service}\n  selector: {matchLabels: {app: am}}\n  volumeClaimTemplates:\n    - metadata: {name: storage}\n      spec: {storageClassName: ${sc}, resources: {requests: {storage: ${size}}}}\n`;
const pvc = (size: string, sc = 'standard') => `---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  storageClassName: ${sc}\n  resources: {requests: {storage: ${size}}}\n`;

const settings = scenarioSettings('minimal-dev');
const releases = planReleases(settings);
const input: PlanInput = {
  environment: 'test',
  kubeContext: 'kind-test',
  settingsHash: 'h',
  releases,
  chartRefs: Object.fromEntries(releases.map((r) => [r.release, `repo/${r.chart}`])),
  repositories: [{ name: 'repo', url: 'https://charts.example.com' }],
  secrets: [{ name: 'prometheus-alertmanager-receivers', kind: 'resolved', entries: [{ key: 'slack-webhook-url', ref: 'env:SLACK', digest: secretDigest('prometheus-alertmanager-receivers', 'slack-webhook-url', 'v1') }] }],
};
const installedAs = (release: string, manifest: string, values: Record<string, unknown>, status = 'deployed' as const, revision = 2) => ({
  head: { latest: { revision, status }, lastDeployed: status === 'deployed' ? revision : revision - 1 },
  record: { name: release, namespace: 'monitoring', revision, status, chart: release, chartVersion: releases.find((r) => r.release === release)!.version, values, manifest, lastDeployed: '', description: '' },
});
/** Every release installed with exactly what the plan renders. */
const steady = (): LiveState => ({
  namespaceExists: true,
  releases: Object.fromEntries(releases.map((r) => [r.release, installedAs(r.release, cm(r.release, '1'), r.values)])),
  rendered: Object.fromEntries(releases.map((r) => [r.release, cm(r.release, '1')])),
  objects: {},
  secrets: { 'prometheus-alertmanager-receivers': { 'slack-webhook-url': secretDigest('prometheus-alertmanager-receivers', 'slack-webhook-url', 'v1') } },
});

describe('planStack', () => {
  it('an installed stack rendering the same manifest and values has nothing to change: no empty revision', () => {
    const plan = planStack(input, steady());
    expect(plan.releases.map((r) => r.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(planHasChanges(plan)).toBe(false);
    expect(summaryLine(plan.releases[0]!)).toBe('prometheus: 0 changed, 0 added, 0 removed, 0 drifted (no change)');
  });
  it('a changed resource, changed values, a new release and a changed secret are each a change', () => {
    const live = steady();
    live.rendered.prometheus = cm('prometheus', '2');
    const plan1 = planStack(input, live);
    expect(plan1.releases[0]).toMatchObject({ action: 'upgrade', valuesChanged: false });
    expect(plan1.releases[0]!.changes.map((c) => [c.change, c.fields])).toEqual([['changed', ['data.v']]]);
    expect(summaryLine(plan1.releases[0]!)).toBe('prometheus: 1 changed, 0 added, 0 removed, 0 drifted');

    const live2 = steady();
    live2.releases.grafana!.record.values = { old: true };
    expect(planStack(input, live2).releases[1]).toMatchObject({ action: 'upgrade', valuesChanged: true });

    const live3 = steady();
    delete live3.releases.promtail;
    const p3 = planStack(input, live3);
    expect(p3.releases[2]).toMatchObject({ action: 'install', installed: null });
    expect(p3.releases[2]!.changes.map((c) => c.change)).toEqual(['added']);

    const live4 = steady();
    live4.secrets['prometheus-alertmanager-receivers'] = { 'slack-webhook-url': 'other', stale: 'x' };
    const p4 = planStack(input, live4);
    expect(p4.secrets[0]).toMatchObject({ action: 'replace', changedKeys: ['slack-webhook-url', 'stale'] });
    expect(planHasChanges(p4)).toBe(true);
  });
  it('the apply method of an installed release: client-side without apply_method (Helm 3), kept unless switched', () => {
    const live = steady();
    const plan = planStack(input, live);
    expect(plan.releases[0]!.installed!.applyMethod).toBe('csa');
    expect(applyServerSide(plan.releases[0]!)).toBe(false);
    expect(applyServerSide(plan.releases[0]!, true)).toBe(true);
    live.releases.prometheus = { ...live.releases.prometheus!, record: { ...live.releases.prometheus!.record, applyMethod: 'ssa' } };
    expect(applyServerSide(planStack(input, live).releases[0]!)).toBe(true);
    expect(applyServerSide({ installed: null })).toBe(true);
  });
  it('a release left failed is upgraded even with the same output, with a notice naming its last deployed revision', () => {
    const live = steady();
    live.releases.grafana = installedAs('grafana', cm('grafana', '1'), releases[1]!.values, 'failed' as never, 5);
    const plan = planStack(input, live);
    expect(plan.releases[1]!.action).toBe('upgrade');
    expect(plan.risks).toEqual([expect.objectContaining({ rule: 'release-state', resolution: 'notice', message: expect.stringContaining('its last deployed revision is 4') })]);
    expect(blockingRisks(plan, false)).toEqual([]);
  });
  it('each kind of change alone makes the plan a change: a namespace to create, a release, a secret', () => {
    expect(planHasChanges({ ...planStack(input, steady()), createNamespace: true })).toBe(true);
    const secretOnly = steady();
    secretOnly.secrets['prometheus-alertmanager-receivers'] = null;
    const p = planStack(input, secretOnly);
    expect([p.createNamespace, p.releases.map((r) => r.action), p.secrets.map((x) => [x.action, x.changedKeys])]).toEqual([false, ['unchanged', 'unchanged', 'unchanged'], [['create', ['slack-webhook-url']]]]);
    expect(planHasChanges(p)).toBe(true);
    const noNamespace = steady();
    noNamespace.namespaceExists = false;
    expect(planStack(input, noNamespace).createNamespace).toBe(true);
  });
  it('a generated Secret is created once and never replaced; the plan names where it runs', () => {
    const withGenerated = { ...input, secrets: [...input.secrets, { name: 'grafana-admin-credentials', kind: 'generated' as const, entries: [] }] };
    const fresh = planStack(withGenerated, steady());
    expect(fresh.secrets[1]).toEqual({ name: 'grafana-admin-credentials', kind: 'generated', action: 'create', entries: [], changedKeys: [] });
    const existing = steady();
    existing.secrets['grafana-admin-credentials'] = { 'admin-password': 'whatever' };
    expect(planStack(withGenerated, existing).secrets[1]).toMatchObject({ action: 'unchanged', changedKeys: [] });
    expect([fresh.environment, fresh.namespace, fresh.kubeContext, fresh.settingsHash]).toEqual(['test', 'monitoring', 'kind-test', 'h']);
    expect(planStack({ ...input, releases: [], secrets: [] }, steady()).namespace).toBe('');
  });
  it('what a release change records: chart reference, pin, last deployed revision, digest, notes', () => {
    const live = steady();
    live.releases.grafana = installedAs('grafana', cm('grafana', '1'), releases[1]!.values, 'failed' as never, 5);
    const plan = planStack({ ...input, chartRefs: { prometheus: 'mirror/prometheus' } }, live);
    expect(plan.releases.map((r) => [r.chartRef, r.pinVersion, r.installed?.lastDeployed ?? null])).toEqual([
      ['mirror/prometheus', true, 2],
      ['grafana', true, 4],
      ['promtail', true, 2],
    ]);
    expect(plan.releases[0]!.manifestDigest).toBe(planStack(input, steady()).releases[0]!.manifestDigest);
    const other = steady();
    other.rendered.prometheus = cm('prometheus', '9');
    expect(planStack(input, other).releases[0]!.manifestDigest).not.toBe(plan.releases[0]!.manifestDigest);
    expect(plan.releases[2]!.notes).toEqual([expect.stringMatching(/^The promtail chart is deprecated upstream/)]);
    expect(plan.releases[0]!.notes).toEqual([]);
  });
  it('a chart or version other than the installed one is a change even with the same manifest and values', () => {
    for (const change of [{ chart: 'other' }, { chartVersion: '29.26.0' }]) {
      const live = steady();
      live.releases.prometheus = { ...live.releases.prometheus!, record: { ...live.releases.prometheus!.record, ...change } };
      expect(planStack(input, live).releases[0]).toMatchObject({ action: 'upgrade', chartChanged: true });
    }
    expect(planStack(input, steady()).releases[0]).toMatchObject({ action: 'unchanged', chartChanged: false });
  });
  it('a field the new manifest sets that the cluster already has is a note, not a change', () => {
    const live = steady();
    const pvc0 = `---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: g\nspec:\n  resources: {requests: {storage: 1Gi}}\n`;
    live.releases.grafana = installedAs('grafana', pvc0, releases[1]!.values);
    live.rendered.grafana = pvc0.replace('spec:\n', 'spec:\n  volumeName: pv-1\n');
    live.objects['v1/PersistentVolumeClaim/monitoring/g'] = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'g' }, spec: { volumeName: 'pv-1', resources: { requests: { storage: '1Gi' } } } };
    const r = planStack(input, live).releases[1]!;
    expect([r.action, r.changes, r.notes]).toEqual(['unchanged', [], ['PersistentVolumeClaim monitoring/g: spec.volumeName differs from the installed manifest, but the cluster already has the new value; not a change']]);
  });
  it('the summary line of an install, a chart upgrade, and a release left failed', () => {
    const live = steady();
    delete live.releases.promtail;
    live.releases.prometheus = { ...live.releases.prometheus!, record: { ...live.releases.prometheus!.record, chartVersion: '29.26.0', values: { old: 1 } } };
    live.releases.grafana = installedAs('grafana', cm('grafana', '1'), releases[1]!.values, 'failed' as never, 5);
    expect(planStack(input, live).releases.map(summaryLine)).toEqual([
      'prometheus: 0 changed, 0 added, 0 removed, 0 drifted (chart 29.26.0 → 29.27.0, values changed)',
      'grafana: 0 changed, 0 added, 0 removed, 0 drifted (from failed revision 5)',
      'promtail: 0 changed, 1 added, 0 removed, 0 drifted (new release, promtail 6.17.1)',
    ]);
  });
  it('digests bind a value to its Secret and key', () => {
    expect(secretDigest('s', 'k', 'v')).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set([secretDigest('s', 'k', 'v'), secretDigest('s', 'k', 'w'), secretDigest('t', 'k', 'v'), secretDigest('s', 'j', 'v'), secretDigest('s', 'kv', ''), secretDigest('sk', '', 'v')]).size).toBe(6);
  });
  it('drift: a field the installed manifest sets that differs live, or an object deleted by hand', () => {
    const live = steady();
    const liveCm = (name: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'monitoring', uid: 'u' }, data });
    live.objects['v1/ConfigMap/monitoring/prometheus'] = liveCm('prometheus', { v: 'edited' });
    live.objects['v1/ConfigMap/monitoring/grafana'] = null;
    live.objects['v1/ConfigMap/monitoring/promtail'] = liveCm('promtail', { v: '1', extra: 'x' });
    const plan = planStack(input, live);
    expect(plan.releases.map((r) => r.drift.map((d) => d.fields))).toEqual([[['data.v']], [['(deleted)']], []]);
    expect(plan.releases[0]!.action).toBe('unchanged');
  });
  it('an object to be added that another release owns is a blocking risk naming the owner', () => {
    const live = steady();
    live.rendered.prometheus = `${cm('prometheus', '1')}---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: prometheus-server}\n`;
    live.objects['rbac.authorization.k8s.io/v1/ClusterRole//prometheus-server'] = { metadata: { annotations: { 'meta.helm.sh/release-name': 'prometheus', 'meta.helm.sh/release-namespace': 'other' } } };
    const plan = planStack(input, live);
    expect(blockingRisks(plan, true)).toEqual([expect.objectContaining({ rule: 'owned-elsewhere', message: expect.stringContaining('ClusterRole prometheus-server (release prometheus in namespace other)') })]);
    expect(plan.risks[0]!.fix).toContain('charts.prometheus.release');
  });
  it('an object this release already owns (left by a failed run) is no risk', () => {
    expect(ownershipRisk('prometheus', 'monitoring', [{ object: { kind: 'ClusterRole', namespace: '', name: 'x' }, owner: { release: 'prometheus', namespace: 'monitoring' } }])).toBeUndefined();
    expect(ownershipRisk('prometheus', 'monitoring', [{ object: { kind: 'ConfigMap', namespace: 'monitoring', name: 'x' }, owner: {} }])!.message).toContain('(no helm release)');
  });
});

describe('risk rules', () => {
  const risks = (before: string, after: string) => resourceRisks('prometheus', diffResources(parseManifest(before, 'ns'), parseManifest(after, 'ns')));
  it.each([
    ['StatefulSet volumeClaimTemplates', sts('2Gi'), sts('4Gi'), 'immutable-field', 'recreate'],
    ['StatefulSet serviceName', sts('2Gi'), sts('2Gi', 'standard', 'other'), 'immutable-field', 'recreate'],
    ['Deployment selector', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {selector: {matchLabels: {a: b}}}\n', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {selector: {matchLabels: {a: c}}}\n', 'immutable-field', 'recreate'],
    ['PVC storageClassName', pvc('2Gi'), pvc('2Gi', 'fast'), 'immutable-field', 'none'],
    ['PVC shrink', pvc('2Gi'), pvc('1Gi'), 'volume-shrink', 'none'],
    ['PVC removed', pvc('2Gi') + cm('x', '1'), cm('x', '1'), 'volume-removed', 'none'],
    ['StatefulSet with volumes removed', sts('2Gi'), cm('x', '1'), 'volume-removed', 'none'],
    ['PVC with resource-policy keep removed (helm leaves it)', pvc('2Gi').replace('  name: data\n', '  name: data\n  annotations: {helm.sh/resource-policy: keep}\n') + cm('x', '1'), cm('x', '1'), 'volume-removed', 'none'],
  ])('%s', (_name, before, after, rule, resolution) => {
    expect(risks(before, after)).toEqual([expect.objectContaining({ rule, resolution })]);
  });
  it('a removed PVC that helm keeps is said to stay, with its data, unused', () => {
    const kept = pvc('2Gi').replace('  name: data\n', '  name: data\n  annotations: {helm.sh/resource-policy: keep}\n');
    expect(risks(kept, cm('x', '1'))[0]!.message).toContain('helm keeps it with its data (helm.sh/resource-policy: keep), but nothing would use it any more');
    expect(risks(pvc('2Gi'), cm('x', '1'))[0]!.message).toContain('would be deleted, and its data with it');
  });
  it('growing a volume, or a change to replicas, is no risk', () => {
    expect(risks(pvc('2Gi'), pvc('4Gi'))).toEqual([]);
    expect(risks(sts('2Gi'), sts('2Gi').replace('serviceName: am', 'serviceName: am\n  replicas: 3'))).toEqual([]);
  });
  it('--allow-recreate resolves recreate risks only', () => {
    const plan = { risks: [...risks(sts('2Gi'), sts('4Gi')), ...risks(pvc('2Gi'), pvc('1Gi'))] } as never;
    expect(blockingRisks(plan, false).map((r) => r.rule)).toEqual(['immutable-field', 'volume-shrink']);
    expect(blockingRisks(plan, true).map((r) => r.rule)).toEqual(['volume-shrink']);
  });
  it('formats ages', () => {
    expect([formatAge(40), formatAge(133), formatAge(3900)]).toEqual(['40s', '2m13s', '1h05m']);
    expect([formatAge(59.4), formatAge(59.6), formatAge(3599), formatAge(3600), formatAge(-3)]).toEqual(['59s', '1m00s', '59m59s', '1h00m', '0s']);
  });
  it('says each risk word for word: what, why, and the way out', () => {
    const deploy = (app: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {selector: {matchLabels: {a: ${app}}}}\n`;
    const one = (before: string, after: string) => {
      const r = risks(before, after);
      expect(r).toHaveLength(1);
      return r[0]!;
    };
    expect(one(sts('2Gi'), sts('4Gi'))).toEqual({
      rule: 'immutable-field',
      release: 'prometheus',
      resource: 'StatefulSet ns/am',
      object: { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'ns', name: 'am' },
      message: 'StatefulSet ns/am: spec.volumeClaimTemplates cannot change on an existing object; the upgrade would fail half-way.',
      fix: 'upgrade --allow-recreate deletes the StatefulSet first (pods orphaned, PVCs kept) and creates it anew; or keep the settings that render the old spec.volumeClaimTemplates.',
      resolution: 'recreate',
    });
    expect(one(deploy('b'), deploy('c'))).toMatchObject({
      message: 'Deployment ns/d: spec.selector cannot change on an existing object; the upgrade would fail half-way.',
      fix: 'upgrade --allow-recreate deletes the Deployment first and creates it anew; or keep the settings that render the old spec.selector.',
    });
    expect(one(pvc('2Gi'), pvc('2Gi', 'fast'))).toMatchObject({
      object: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'ns', name: 'data' },
      message: 'PersistentVolumeClaim ns/data: spec.storageClassName cannot change on an existing object; the upgrade would fail half-way.',
      fix: 'keep the settings the volume was created with, or back up, delete the PVC and upgrade.',
    });
    expect(one(pvc('2Gi'), pvc('1Gi'))).toEqual({
      rule: 'volume-shrink',
      release: 'prometheus',
      resource: 'PersistentVolumeClaim ns/data',
      message: 'PersistentVolumeClaim ns/data: the volume would shrink from 2Gi to 1Gi; Kubernetes only grows volumes.',
      fix: 'keep the size (or grow it); to shrink, back up, delete the PVC and upgrade.',
      resolution: 'none',
    });
    const removedFix = 'keep the volume on in the settings (persistence), or back up the data first and delete the volume yourself.';
    expect(one(pvc('2Gi') + cm('x', '1'), cm('x', '1'))).toEqual({ rule: 'volume-removed', release: 'prometheus', resource: 'PersistentVolumeClaim ns/data', message: 'PersistentVolumeClaim ns/data would be deleted, and its data with it.', fix: removedFix, resolution: 'none' });
    expect(one(sts('2Gi'), cm('x', '1'))).toEqual({ rule: 'volume-removed', release: 'prometheus', resource: 'StatefulSet ns/am', message: 'StatefulSet ns/am would be deleted; the PVCs of its volumeClaimTemplates stay behind, unused.', fix: removedFix, resolution: 'none' });
    // A StatefulSet without volumes, a Deployment or a ConfigMap may go: no data goes with it.
    expect(risks(sts('2Gi').replace(/ {2}volumeClaimTemplates:[\s\S]*$/, '  volumeClaimTemplates: []\n') + '---\n' + deploy('b'), cm('x', '1'))).toEqual([]);
    expect(ownershipRisk('grafana', 'mon', [
      { object: { kind: 'ClusterRole', namespace: '', name: 'x' }, owner: { release: 'grafana', namespace: 'other' } },
      { object: { kind: 'ConfigMap', namespace: 'mon', name: 'y' }, owner: {} },
    ])).toEqual({
      rule: 'owned-elsewhere',
      release: 'grafana',
      resource: 'ClusterRole x',
      message: 'release grafana in namespace mon would create 2 objects that already exist and belong to another owner; helm refuses to take them over: ClusterRole x (release grafana in namespace other), ConfigMap mon/y (no helm release).',
      fix: 'give this environment its own release names (charts.grafana.release in monitor-stack.yaml, e.g. grafana-mon), so its cluster-wide objects get their own names; or install into namespace other.',
      resolution: 'none',
    });
    expect(ownershipRisk('mygraf', 'mon', [{ object: { kind: 'ConfigMap', namespace: 'mon', name: 'y' }, owner: { release: 'r' } }])).toMatchObject({
      resource: 'ConfigMap mon/y',
      message: 'release mygraf in namespace mon would create an object that already exists and belongs to another owner; helm refuses to take it over: ConfigMap mon/y (release r in namespace ?).',
      fix: 'remove or rename the existing objects, or install into the namespace that owns them.',
    });
    expect(ownershipRisk('mygraf', 'mon', [{ object: { kind: 'ClusterRole', namespace: '', name: 'y' }, owner: {} }])!.fix).toBe(
      'give this environment its own release names (charts.<chart>.release in monitor-stack.yaml, e.g. mygraf-mon), so its cluster-wide objects get their own names.',
    );
    expect(releaseStateRisk('grafana', 'monitoring', 'pending-install', 1, undefined, 5, 'prod')).toEqual({
      rule: 'release-state',
      release: 'grafana',
      message: 'release grafana is pending-install at revision 1 since 5s, left by an install that did not finish (it was never deployed): another helm operation is running, or one was interrupted.',
      fix: 'wait for it; if nothing is running: monitor-stack upgrade --env prod --recover (uninstalls it: it was never deployed, then upgrades), or helm uninstall grafana --namespace monitoring',
      resolution: 'none',
    });
    expect(releaseStateRisk('grafana', 'monitoring', 'pending-rollback', 4, 2)).toMatchObject({
      message: 'release grafana is pending-rollback at revision 4, left by a rollback that did not finish (its last deployed revision is 2): another helm operation is running, or one was interrupted.',
      fix: 'wait for it; if nothing is running: helm rollback grafana 2 --namespace monitoring',
    });
    expect(releaseStateRisk('grafana', 'monitoring', 'failed', 4, undefined)).toEqual({ rule: 'release-state', release: 'grafana', message: 'release grafana is failed at revision 4 (it was never deployed); this upgrade replaces it.', fix: 'none needed', resolution: 'notice' });
    expect(releaseStateRisk('grafana', 'monitoring', 'failed', 4, 3)!.fix).toBe('to go back instead: helm rollback grafana 3 --namespace monitoring');
  });
  it('a pending release is refused with the way out; a failed one is a notice; a deployed one nothing', () => {
    expect(releaseStateRisk('grafana', 'monitoring', 'pending-upgrade', 4, 3)).toMatchObject({ resolution: 'none', fix: expect.stringContaining('helm rollback grafana 3 --namespace monitoring') });
    expect(releaseStateRisk('grafana', 'monitoring', 'pending-install', 1, undefined)).toMatchObject({ fix: expect.stringContaining('helm uninstall grafana') });
    expect(releaseStateRisk('grafana', 'monitoring', 'pending-upgrade', 4, 3, 133, 'prod')).toMatchObject({
      message: 'release grafana is pending-upgrade at revision 4 since 2m13s, left by an upgrade that did not finish (its last deployed revision is 3): another helm operation is running, or one was interrupted.',
      fix: expect.stringContaining('monitor-stack upgrade --env prod --recover (rolls back to revision 3, then upgrades)'),
    });
    expect(releaseStateRisk('grafana', 'monitoring', 'failed', 4, 3)!.resolution).toBe('notice');
    expect(releaseStateRisk('grafana', 'monitoring', 'deployed', 4, 4)).toBeUndefined();
  });
});

describe('saved plans', () => {
  // Made before each test, not while collecting: an error here then fails the tests (mutation
  // testing counts a file that fails to load as no failure at all).
  let live: LiveState;
  let saved: ReturnType<typeof toSavedPlan>;
  beforeEach(() => {
    live = steady();
    live.rendered.prometheus = `${cm('prometheus', '2')}---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {password: c2VjcmV0LXZhbHVl}\n`;
    saved = JSON.parse(JSON.stringify(toSavedPlan(planStack(input, live), '0.1.0', '2026-11-22T00:00:00Z')));
  });
  it('holds no resource contents, so no Secret data', () => {
    expect(checkSavedPlan(saved)).toBeUndefined();
    expect(JSON.stringify(saved)).not.toContain('c2VjcmV0LXZhbHVl');
    expect(saved.plan.releases[0]!.changes.map((c) => [c.change, c.kind])).toEqual([['changed', 'ConfigMap'], ['added', 'Secret']]);
  });
  it('is exact while nothing moved, and names what moved', () => {
    expect(savedPlanDrift(saved.plan, planStack(input, live))).toEqual([]);
    const moved = steady();
    moved.rendered.prometheus = cm('prometheus', '3');
    moved.releases.grafana!.head.latest.revision = 3;
    moved.secrets['prometheus-alertmanager-receivers'] = null;
    const drift = savedPlanDrift(saved.plan, planStack({ ...input, secrets: [{ ...input.secrets[0]!, entries: [{ ...input.secrets[0]!.entries[0]!, digest: 'x' }] }] }, moved));
    expect(drift).toEqual([
      expect.stringMatching(/^release prometheus: the chart renders another manifest than the plan/),
      'release grafana was revision 2 (deployed) when planned, now revision 3 (deployed)',
      'a receiver secret resolves to another value than when planned',
    ]);
  });
  it('refuses what is not a plan of this format', () => {
    expect(checkSavedPlan({})).toMatch(/not a monitor-stack plan/);
    expect(checkSavedPlan({ ...saved, formatVersion: 9 })).toMatch(/format 9/);
    const notAPlan = 'it is not a monitor-stack plan (no "kind: monitor-stack/plan")';
    expect([null, 'text', 7, { kind: 'other' }].map(checkSavedPlan)).toEqual([notAPlan, notAPlan, notAPlan, notAPlan]);
    expect(checkSavedPlan({ ...saved, formatVersion: 9 })).toBe(`it is plan format 9; this monitor-stack reads format ${saved.formatVersion}`);
    for (const plan of [undefined, { secrets: [] }, { releases: [] }, { releases: {}, secrets: [] }]) expect(checkSavedPlan({ ...saved, plan })).toBe('it has no releases or secrets');
  });
  it('names each other way the cluster or the settings moved since the plan', () => {
    const now = planStack(input, live);
    const drift = (changed: Partial<typeof now>) => savedPlanDrift(saved.plan, { ...now, ...changed });
    expect(drift({ environment: 'prod', namespace: 'other', kubeContext: 'ctx-2' })).toEqual(['environment was test, now prod', 'namespace was monitoring, now other', 'kubeContext was kind-test, now ctx-2']);
    const [prom, graf, tail] = now.releases;
    expect(drift({ releases: [graf!, tail!] })).toEqual(['release prometheus is no longer part of the stack']);
    expect(drift({ releases: [...now.releases, { ...tail!, release: 'loki' }] })).toEqual(['release loki is new to the stack since the plan']);
    for (const k of ['overlay', 'chartRef', 'version'] as const) {
      expect(drift({ releases: [{ ...prom!, [k]: 'other' }, graf!, tail!] }), k).toEqual(['release prometheus: the settings render another overlay or chart than the plan']);
    }
    const { installed: _i, ...uninstalled } = graf!;
    expect(drift({ releases: [prom!, { ...uninstalled, installed: null }, tail!] })).toEqual(['release grafana was revision 2 (deployed) when planned, now not installed']);
    expect(drift({ releases: [prom!, { ...graf!, installed: { ...graf!.installed!, status: 'failed' } }, tail!] })).toEqual(['release grafana was revision 2 (deployed) when planned, now revision 2 (failed)']);
  });
});

describe("helm's release records", () => {
  const record = { name: 'grafana', namespace: 'monitoring', version: 3, info: { status: 'deployed', last_deployed: '2026-11-22T00:00:00Z', description: 'Upgrade complete' }, chart: { metadata: { name: 'grafana', version: '12.11.1' } }, config: { a: 1 }, manifest: cm('grafana', '1') };
  const asApi = (json: string, gzip = true) => Buffer.from((gzip ? gzipSync(json) : Buffer.from(json)).toString('base64')).toString('base64');
  it('decodes base64 of base64 of gzip of JSON, as the API returns helm storage Secrets', () => {
    expect(decodeReleaseRecord(asApi(JSON.stringify(record)))).toEqual({
      name: 'grafana', namespace: 'monitoring', revision: 3, status: 'deployed', chart: 'grafana', chartVersion: '12.11.1', values: { a: 1 }, manifest: cm('grafana', '1'), lastDeployed: '2026-11-22T00:00:00Z', description: 'Upgrade complete',
    });
    expect(decodeReleaseRecord(asApi(JSON.stringify({ ...record, apply_method: 'ssa' }), false)).applyMethod).toBe('ssa');
    // HELM_DRIVER=configmap: the ConfigMap holds helm's encoding as it is.
    expect(decodeReleaseRecord(gzipSync(JSON.stringify(record)).toString('base64'), 'configmap').revision).toBe(3);
  });
  it('refuses data that is not a release', () => {
    expect(() => decodeReleaseRecord(asApi('{"x":1}'))).toThrow(/not a helm release record/);
    expect(() => decodeReleaseRecord(asApi('{"name":"g"}'))).toThrow('not a helm release record (no name or version)');
    expect(() => decodeReleaseRecord(asApi('{"version":1}'))).toThrow('not a helm release record (no name or version)');
    expect(() => decodeReleaseRecord(asApi('{"name":"g","version":"1"}'))).toThrow('not a helm release record (no name or version)');
  });
  it('a minimal record gets empty fields, never undefined', () => {
    expect(decodeReleaseRecord(asApi('{"name":"g","version":1}'))).toEqual({ name: 'g', namespace: '', revision: 1, status: 'unknown', chart: '', chartVersion: '', values: {}, manifest: '', lastDeployed: '', description: '' });
    expect(decodeReleaseRecord(asApi('{"name":"g","version":1,"chart":{},"info":{},"config":null}'))).toMatchObject({ chart: '', chartVersion: '', lastDeployed: '', description: '', values: {} });
  });
  it('finds the latest and the last deployed revision (superseded counts; failed never does)', () => {
    expect(historyHead([{ version: '1', status: 'superseded' }, { version: '3', status: 'failed' }, { version: '2', status: 'superseded' }])).toEqual({ latest: { revision: 3, status: 'failed' }, lastDeployed: 2 });
    expect(historyHead([{ version: '1', status: 'failed' }])).toEqual({ latest: { revision: 1, status: 'failed' } });
    expect(historyHead([])).toBeUndefined();
    expect(historyHead([{ version: '2', status: 'deployed' }, { version: 'x', status: 'deployed' }, { version: '0', status: 'deployed' }, { version: '1.5', status: 'deployed' }, { version: '-3', status: 'deployed' }])).toEqual({ latest: { revision: 2, status: 'deployed' }, lastDeployed: 2 });
    expect(historyHead([{ version: '4', status: 'pending-upgrade' }, { version: '3', status: 'deployed' }, { version: '2' }])).toEqual({ latest: { revision: 4, status: 'pending-upgrade' }, lastDeployed: 3 });
    expect(historyHead([{ version: '2' }])).toEqual({ latest: { revision: 2, status: 'unknown' } });
    expect(releaseSelector(['promtail', 'grafana'])).toBe('owner=helm,name in (grafana,promtail)');
  });
});
