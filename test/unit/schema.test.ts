/** monitor-stack.yaml validation: file, line, key path and what was expected. */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseYamlWith, PRESETS_DIR, readPresets } from '../../src/config/load.js';
import { configFileSchema, PRESET_NAMES } from '../../src/config/schema.js';
import { UsageError } from '../../src/errors.js';

function errorOf(text: string): UsageError {
  try {
    parseYamlWith(text, 'monitor-stack.yaml', configFileSchema);
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error('expected a UsageError');
}

describe('config file errors', () => {
  it('an unknown key names file, line, path and the keys expected there', () => {
    const err = errorOf('namespace: monitoring\nenvironments:\n  prod:\n    storageClas: fast\n');
    expect(err.message).toBe('monitor-stack.yaml has an error:');
    expect(err.hints[0]).toMatch(/^ {2}monitor-stack\.yaml:4: environments\.prod\.storageClas: unknown key\. Expected one of: .*storageClass/);
  });

  it('a wrong type names the path and the expected type', () => {
    const err = errorOf('prometheus:\n  replicas: two\n');
    expect(err.hints).toEqual(['  monitor-stack.yaml:2: prometheus.replicas: must be a whole number from 1 to 9']);
  });

  it('a bad value gives the validator sentence, and every problem is listed', () => {
    const err = errorOf('ingress:\n  hosts:\n    grafana: Grafana_Host\nprometheus:\n  retention: 15 days\n');
    expect(err.message).toBe('monitor-stack.yaml has 2 errors:');
    expect(err.hints[0]).toMatch(/:3: ingress\.hosts\.grafana: must be a DNS-1123 name/);
    expect(err.hints[1]).toMatch(/:5: prometheus\.retention: must be a Prometheus duration/);
  });

  it('a literal secret in the file is refused without repeating it', () => {
    const err = errorOf('alertmanager:\n  receivers:\n    - {name: s, type: slack, webhookUrl: "https://hooks.example.com/T0/B0/SECRETVALUE"}\n');
    expect(err.hints.join('\n')).toContain('alertmanager.receivers[0].webhookUrl: takes a reference, not a literal value');
    expect(err.hints.join('\n')).not.toContain('SECRETVALUE');
  });

  it('invalid YAML and duplicate keys are reported with their position', () => {
    expect(errorOf('namespace: [\n').message).toBe('monitor-stack.yaml is not valid YAML.');
    expect(errorOf('namespace: a\nnamespace: b\n').hints[0]).toMatch(/^monitor-stack\.yaml:2:1: Map keys must be unique/);
  });

  it('a valid file parses', () => {
    expect(parseYamlWith('preset: ha\nenvironments:\n  prod: {storageClass: fast-ssd}\n', 'f', configFileSchema)).toEqual({ preset: 'ha', environments: { prod: { storageClass: 'fast-ssd' } } });
  });
});

describe('presets', () => {
  it('one file per preset name, each valid', () => {
    const files = readdirSync(PRESETS_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();
    expect(files).toEqual([...PRESET_NAMES].sort());
    const presets = readPresets();
    expect(presets.minimal.prometheus?.persistence).toBe(false);
    expect(presets.standard.grafana?.persistence).toBe(true);
    expect(presets.ha.highAvailability).toEqual({ podAntiAffinity: 'soft', podDisruptionBudget: true });
  });
});
