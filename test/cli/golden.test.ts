/**
 * Overlays against golden files a person reviewed: test/golden/<scenario>/<chart>.values.yaml,
 * rendered by the CLI (`render`) from test/golden/<scenario>/monitor-stack.yaml, in two separate
 * processes whose bytes must agree. The test never writes a golden file: a missing or stale one
 * fails; `npm run golden:update` rewrites them, and its diff is read before it is committed.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { settingsHash } from '../../src/plan.js';
import { ROOT, runCli } from '../support/run.js';
import { GOLDENS, scenarioConfig, scenarioSettings } from '../support/scenarios.js';

const work = mkdtempSync(join(tmpdir(), 'monitor-stack-golden-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each(GOLDENS)('scenario %s', (scenario, files) => {
  const renders: Record<string, string>[] = [];
  const render = async (n: number) => {
    const out = join(work, `${scenario}-${n}`);
    const r = await runCli(['render', '--config', scenarioConfig(scenario), '--env', 'test', '--out', out], { cwd: work });
    expect(r.exitCode, r.stderr).toBe(0);
    const dir = join(out, 'test');
    return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  };

  it('renders the same bytes in two processes, and exactly the listed files', async () => {
    renders.push(...(await Promise.all([render(1), render(2)])));
    expect(Object.keys(renders[0]!)).toEqual(files);
    expect(renders[1]).toEqual(renders[0]);
  });

  it.each(files)('%s matches its reviewed golden file', (file) => {
    const golden = join(ROOT, 'test', 'golden', scenario, file);
    let expected: string;
    try {
      expected = readFileSync(golden, 'utf8');
    } catch {
      throw new Error(`${golden} is missing: run npm run golden:update and review the diff`);
    }
    expect(renders[0]?.[file], `${golden} is stale: run npm run golden:update and review the diff`).toBe(expected);
  });
});

describe('overlay header', () => {
  it('names chart, version, environment and a hash that changes with any setting', () => {
    const s = scenarioSettings('minimal-dev');
    const golden = readFileSync(join(ROOT, 'test', 'golden', 'minimal-dev', 'prometheus.values.yaml'), 'utf8');
    expect(golden.split('\n').slice(0, 2).join('\n')).toBe(
      `# monitor-stack values overlay for chart prometheus 29.27.0, release prometheus in namespace monitoring\n# environment: test; preset: minimal; settings sha256: ${settingsHash(s)}`,
    );
    expect(settingsHash({ ...s, prometheus: { ...s.prometheus, retention: '3d' } })).not.toBe(settingsHash(s));
    expect(settingsHash(s)).toMatch(/^[0-9a-f]{16}$/);
  });
});

it('the JSON Schema the build publishes (schema/) is the reviewed golden file', () => {
  expect(readFileSync(join(ROOT, 'schema', 'monitor-stack.schema.json'), 'utf8')).toBe(readFileSync(join(ROOT, 'test', 'golden', 'monitor-stack.schema.json'), 'utf8'));
});
