/** The tools tier's path from settings to what the real chart renders. */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { ROOT, runCli, tempDir } from '../support/run.js';

export const PROMETHEUS_PACKAGE = join(ROOT, 'upstream-charts', 'packages', 'prometheus-29.27.0.tgz');

export interface Rendered {
  dir: string;
  /** The server ConfigMap's alerting_rules.yml, as the chart renders it. */
  rulesText: string;
  /** The Alertmanager ConfigMap's alertmanager.yml, or undefined when Alertmanager is off. */
  alertmanagerText: string | undefined;
  /** The server ConfigMap's prometheus.yml (written to `dir` too). */
  prometheusText: string;
  /** Every object the chart rendered. */
  objects: ({ kind?: string; metadata?: { name?: string }; data?: Record<string, string>; spec?: any } | null)[];
}

/** monitor-stack.yaml (and `files` beside it) → `render` (its stderr as expected: empty by default) (the built CLI) → `helm template` of the real chart → ConfigMaps. */
export async function renderThroughChart(helm: string, env: Record<string, unknown>, files: Record<string, string> = {}, expectedStderr: RegExp = /^$/): Promise<Rendered> {
  const dir = tempDir('monitor-stack-tools-');
  writeFileSync(join(dir, 'monitor-stack.yaml'), stringify({ environments: { test: env } }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const r = await runCli(['render', '--env', 'test', '--out', 'out'], { cwd: dir, env: { SLACK_URL: 'https://hooks.example.invalid/x' } });
  expect(r.stderr).toMatch(expectedStderr);
  expect(r.exitCode).toBe(0);
  const manifest = execFileSync(helm, ['template', 'prometheus', PROMETHEUS_PACKAGE, '--namespace', 'monitoring', '--values', join(dir, 'out', 'test', 'prometheus.values.yaml')], {
    encoding: 'utf8',
    env: { ...process.env, HELM_CONFIG_HOME: join(dir, 'helm'), HELM_CACHE_HOME: join(dir, 'helm'), HELM_DATA_HOME: join(dir, 'helm') },
  });
  const objects = parseAllDocuments(manifest).map((d) => d.toJS() as Rendered['objects'][number]);
  const configMap = (name: string) => objects.find((o) => o?.kind === 'ConfigMap' && o.metadata?.name === name)?.data;
  const rulesText = configMap('prometheus-server')?.['alerting_rules.yml'];
  if (rulesText === undefined) throw new Error('the chart rendered no prometheus-server ConfigMap with alerting_rules.yml');
  writeFileSync(join(dir, 'alerting_rules.yml'), rulesText);
  const alertmanagerText = configMap('prometheus-alertmanager')?.['alertmanager.yml'];
  if (alertmanagerText !== undefined) writeFileSync(join(dir, 'alertmanager.yml'), alertmanagerText);
  const prometheusText = configMap('prometheus-server')!['prometheus.yml']!;
  writeFileSync(join(dir, 'prometheus.yml'), prometheusText);
  return { dir, rulesText, alertmanagerText, prometheusText, objects };
}

