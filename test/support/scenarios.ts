/**
 * Settings scenarios shared by the golden-file and upstream-key tests: each is a config file,
 * test/golden/<scenario>/monitor-stack.yaml, resolved for environment `test`. The golden test
 * renders them with the CLI; the unit tests resolve them in-process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readPresets } from '../../src/config/load.js';
import { resolveSettings } from '../../src/config/merge.js';
import type { ConfigFile, Settings } from '../../src/config/schema.js';
import { ROOT } from './run.js';

/** The scenarios, named here (not found by listing folders, so a lost folder fails the tests). */
export const SCENARIO_NAMES = ['minimal-dev', 'standard-ingress', 'ha-existing-secrets', 'prometheus-only-hard', 'receivers-plain', 'tuned-values'] as const;

/** Every scenario and the files it must render: written out, not derived from the code under test. */
export const GOLDENS: [scenario: string, files: string[]][] = [
  ['minimal-dev', ['grafana.values.yaml', 'prometheus.values.yaml', 'promtail.values.yaml']],
  ['standard-ingress', ['grafana.values.yaml', 'prometheus.values.yaml', 'promtail.values.yaml']],
  ['ha-existing-secrets', ['grafana.values.yaml', 'prometheus.values.yaml']],
  ['prometheus-only-hard', ['prometheus.values.yaml', 'promtail.values.yaml']],
  ['receivers-plain', ['grafana.values.yaml', 'prometheus.values.yaml', 'promtail.values.yaml']],
  ['tuned-values', ['grafana.values.yaml', 'prometheus.values.yaml', 'promtail.values.yaml']],
];

/** Path of a scenario's config file. */
export const scenarioConfig = (name: string) => join(ROOT, 'test', 'golden', name, 'monitor-stack.yaml');

/** Named configs, as parsed from their files. */
export const SCENARIOS: Record<string, ConfigFile> = Object.fromEntries(SCENARIO_NAMES.map((n) => [n, parse(readFileSync(scenarioConfig(n), 'utf8')) as ConfigFile]));

export function scenarioSettings(name: string): Settings {
  return resolveSettings({ file: SCENARIOS[name]!, fileName: `${name}.yaml`, environment: 'test', presets: readPresets() });
}

/** The flags of a run given none: for loadSettings in tests. */
export const NO_FLAGS = { values: {}, given: new Set<string>() };
