/**
 * Every key path an overlay sets must exist in the pinned chart version's defaults
 * (upstream-charts/ in this repository), with the same shape. A typo, or a key the version does not have, fails.
 */
import { describe, expect, it } from 'vitest';
import { planReleases } from '../../src/plan.js';
import { checkPath, commentedKeys, leafPaths, loadUpstream, overlayKeyProblems } from '../support/upstream.js';
import { SCENARIOS, scenarioSettings } from '../support/scenarios.js';

describe.each(Object.keys(SCENARIOS))('scenario %s', (scenario) => {
  for (const plan of planReleases(scenarioSettings(scenario))) {
    it(`${plan.chart} ${plan.version}: every overlay key exists upstream with the same shape`, () => {
      expect(leafPaths(plan.values).length).toBeGreaterThan(0);
      expect(overlayKeyProblems(plan)).toEqual([]);
    });
  }
});

describe('the upstream check itself', () => {
  it('a key the chart lacks is found, also under a subchart', () => {
    expect(overlayKeyProblems({ id: 'prometheus', version: '29.27.0', values: { server: { retentionn: '1d' } } })).toEqual(['prometheus-29.27.0 has no key server.retentionn; the closest key is server.retention']);
    expect(overlayKeyProblems({ id: 'prometheus', version: '29.27.0', values: { alertmanager: { persistence: { sizee: '1Gi' } } } })).toEqual([
      'subchart alertmanager: alertmanager-1.42.0 has no key persistence.sizee; the closest key is persistence.size',
    ]);
  });
  const prometheus = loadUpstream('prometheus', '29.27.0');
  const alertmanager = loadUpstream('alertmanager', '1.42.0');
  const grafana = loadUpstream('grafana', '12.11.1');

  it('rejects a misspelt key and a key the version lacks', () => {
    expect(checkPath(prometheus, ['server', 'persistentVolume', 'storageClas'], 'x')).toMatch(/has no key server.persistentVolume.storageClas/);
    expect(checkPath(grafana, ['ingress', 'className'], 'nginx')).toMatch(/has no key ingress.className/);
  });

  it('accepts documented commented keys, schema keys and free-form maps', () => {
    expect(checkPath(prometheus, ['server', 'persistentVolume', 'storageClass'], 'x')).toBeUndefined();
    expect(checkPath(grafana, ['ingress', 'ingressClassName'], 'x')).toBeUndefined();
    expect(checkPath(alertmanager, ['persistence', 'storageClass'], 'x')).toBeUndefined();
    expect(checkPath(grafana, ['datasources', 'datasources.yaml', 'apiVersion'], 1)).toBeUndefined();
  });

  it('rejects a wrong shape: objects where hosts are names, names where hosts are objects, a number for a string', () => {
    expect(checkPath(grafana, ['ingress', 'hosts'], [{ host: 'a.example.com' }])).toMatch(/items are strings/);
    expect(checkPath(alertmanager, ['ingress', 'hosts'], ['a.example.com'])).toMatch(/items are objects/);
    expect(checkPath(prometheus, ['server', 'retention'], 15)).toMatch(/is a string/);
  });

  it('finds commented keys only where they align with their siblings', () => {
    const keys = commentedKeys(['a:', '  b: 1', '  # c: 2', '  d:', '    #   e: 3', '# f: 4', ''].join('\n'));
    expect([...keys].sort()).toEqual(['a.c', 'f']);
  });
});
