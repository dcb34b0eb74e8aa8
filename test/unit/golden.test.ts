/** Overlays against golden files (test/golden/<scenario>/<chart>.values.yaml). UPDATE_GOLDEN=1 rewrites them on purpose. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planReleases, settingsHash } from '../../src/plan.js';
import { ROOT } from '../support/run.js';
import { SCENARIOS, scenarioSettings } from '../support/scenarios.js';

const GOLDEN = join(ROOT, 'test', 'golden');

describe.each(Object.keys(SCENARIOS))('scenario %s', (scenario) => {
  const plans = planReleases(scenarioSettings(scenario));
  it.each(plans.map((p) => [p.fileName, p] as const))('%s matches its golden file', (fileName, plan) => {
    const path = join(GOLDEN, scenario, fileName);
    if (process.env.UPDATE_GOLDEN === '1') {
      mkdirSync(join(GOLDEN, scenario), { recursive: true });
      writeFileSync(path, plan.overlay);
    }
    expect(existsSync(path), `${path} is missing: run UPDATE_GOLDEN=1 npx vitest run --project unit`).toBe(true);
    expect(plan.overlay).toBe(readFileSync(path, 'utf8'));
  });
});

describe('determinism', () => {
  it('the same settings give byte-identical overlays', () => {
    const a = planReleases(scenarioSettings('standard-ingress')).map((p) => p.overlay);
    const b = planReleases(scenarioSettings('standard-ingress')).map((p) => p.overlay);
    expect(a).toEqual(b);
  });

  it('the header names chart, version, environment and a hash that changes with any setting', () => {
    const s = scenarioSettings('minimal-dev');
    const [prom] = planReleases(s);
    expect(prom!.overlay.split('\n').slice(0, 2).join('\n')).toBe(
      `# monitor-stack values overlay for chart prometheus 29.27.0, release prometheus in namespace monitoring\n# environment: test; preset: minimal; settings sha256: ${settingsHash(s)}`,
    );
    expect(settingsHash({ ...s, prometheus: { ...s.prometheus, retention: '3d' } })).not.toBe(settingsHash(s));
    expect(settingsHash(s)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('a disabled component has no release', () => {
    expect(planReleases(scenarioSettings('ha-existing-secrets')).map((p) => p.release)).toEqual(['mon', 'mon-grafana']);
  });
});
