/**
 * The reviewed golden files, compared in-process (the cli tier compares what the built CLI writes):
 * each scenario's overlays from planReleases, the published JSON Schema, and the help of every command. In-process, so that
 * mutation testing (npm run mutation) sees a changed overlay or schema as a failure. The test never
 * writes a golden file; `npm run golden:update` does, and its diff is read before it is committed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PINNED_CHARTS } from '../../src/charts.js';
import { buildProgram } from '../../src/cli.js';
import { loadSettings } from '../../src/config/index.js';
import { configJsonSchema } from '../../src/config/json-schema.js';
import { planReleases, settingsHash } from '../../src/plan.js';
import { ROOT } from '../support/run.js';
import { GOLDENS, scenarioConfig } from '../support/scenarios.js';

const golden = (...path: string[]) => {
  const file = join(ROOT, 'test', 'golden', ...path);
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${file} is missing: run npm run golden:update and review the diff`);
  }
};

describe.each(GOLDENS)('scenario %s', (scenario, files) => {
  const plans = planReleases(loadSettings(scenarioConfig(scenario), 'test', { values: {}, given: new Set() }));

  it('renders exactly the listed overlays', () => {
    expect(plans.map((p) => p.fileName).sort()).toEqual(files);
  });

  it.each(files)('%s is the reviewed golden file', (file) => {
    expect(plans.find((p) => p.fileName === file)?.overlay, `test/golden/${scenario}/${file} is stale: run npm run golden:update and review the diff`).toBe(golden(scenario, file));
  });
});

it('the published JSON Schema of monitor-stack.yaml is the reviewed golden file', () => {
  expect(`${JSON.stringify(configJsonSchema(), null, 2)}\n`, 'test/golden/monitor-stack.schema.json is stale: run npm run golden:update and review the diff').toBe(golden('monitor-stack.schema.json'));
});

it('the help of the program and of every command is the reviewed golden file', () => {
  const program = buildProgram();
  const width = (c: typeof program) => c.configureHelp({ helpWidth: 80 });
  width(program);
  const commands = program.commands.filter((c) => c.name() !== 'help');
  for (const c of commands) width(c);
  const help = [`$ monitor-stack --help\n${program.helpInformation()}`, ...commands.map((c) => `$ monitor-stack ${c.name()} --help\n${c.helpInformation()}`)].join('\n');
  expect(help, 'test/golden/help.txt is stale: run npm run golden:update and review the diff').toBe(golden('help.txt'));
});

describe('the release plan around the overlays', () => {
  const s = loadSettings(scenarioConfig('minimal-dev'), 'test', { values: {}, given: new Set() });
  it('names release, chart, version, source and file of each enabled chart, in install order', () => {
    expect(planReleases(s).map(({ id, release, namespace, chart, version, source, fileName }) => ({ id, release, namespace, chart, version, source, fileName }))).toEqual([
      { id: 'prometheus', release: 'prometheus', namespace: 'monitoring', chart: 'prometheus', version: '29.27.0', source: { kind: 'repository', url: PINNED_CHARTS.prometheus.repository }, fileName: 'prometheus.values.yaml' },
      { id: 'grafana', release: 'grafana', namespace: 'monitoring', chart: 'grafana', version: '12.11.1', source: { kind: 'repository', url: PINNED_CHARTS.grafana.repository }, fileName: 'grafana.values.yaml' },
      { id: 'promtail', release: 'promtail', namespace: 'monitoring', chart: 'promtail', version: '6.17.1', source: { kind: 'repository', url: PINNED_CHARTS.promtail.repository }, fileName: 'promtail.values.yaml' },
    ]);
  });
  it('warns of the deprecated chart, and of a version other than the one the keys were checked against', () => {
    const plans = planReleases({ ...s, charts: { ...s.charts, grafana: { ...s.charts.grafana, version: '12.12.0' } } });
    expect(plans.map((p) => [p.id, p.deprecation ?? null, p.versionNote ?? null])).toEqual([
      ['prometheus', null, null],
      ['grafana', null, 'chart grafana 12.12.0 is not the version this monitor-stack checked its overlay keys against (12.11.1); review the rendered overlay against that version\'s values.'],
      ['promtail', expect.stringMatching(/^The promtail chart is deprecated upstream/), null],
    ]);
  });
  it('the settings hash ignores key order and changes with any value', () => {
    const reordered = Object.fromEntries(Object.entries(s).reverse()) as typeof s;
    expect(settingsHash(reordered)).toBe(settingsHash(s));
    expect(settingsHash({ ...s, namespace: 'other' })).not.toBe(settingsHash(s));
    expect(settingsHash({ ...s, prometheus: { ...s.prometheus, replicas: 2 } })).not.toBe(settingsHash(s));
    expect(settingsHash({ ...s, alertmanager: { ...s.alertmanager, route: { ...s.alertmanager.route, groupBy: ['namespace', 'alertname'] } } })).not.toBe(settingsHash(s));
  });
});
