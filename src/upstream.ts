/**
 * Reads the pinned charts' default values from `upstream-charts/<chart>-<version>/` (shipped in
 * the package: values.yaml, values.schema.json where the chart has one, Chart.yaml), for the key
 * checks of src/core/chart-keys.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { commentedKeys, type UpstreamChart } from './core/chart-keys.js';

/** Folder of the upstream defaults, beside dist/ and src/. */
export const UPSTREAM_DIR = new URL('../upstream-charts/', import.meta.url);

const loaded = new Map<string, UpstreamChart | undefined>();

/**
 * The defaults of one chart version, or undefined when this package holds none for it (a chart
 * version other than the pinned one). Read once per process.
 * @throws Error when a shipped file cannot be parsed (a broken package).
 */
export function loadUpstream(chart: string, version: string): UpstreamChart | undefined {
  const name = `${chart}-${version}`;
  if (loaded.has(name)) return loaded.get(name);
  const dir = new URL(`${name}/`, UPSTREAM_DIR);
  let out: UpstreamChart | undefined;
  if (existsSync(new URL('values.yaml', dir))) {
    const text = readFileSync(new URL('values.yaml', dir), 'utf8');
    const schemaUrl = new URL('values.schema.json', dir);
    out = { name, values: parse(text), schema: existsSync(schemaUrl) ? JSON.parse(readFileSync(schemaUrl, 'utf8')) : undefined, commented: commentedKeys(text) };
  }
  loaded.set(name, out);
  return out;
}
