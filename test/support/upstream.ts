/**
 * The pinned charts' defaults for the tests: the product's own reader (src/upstream.ts) and key
 * checks (src/core/chart-keys.ts), plus the overlay check the overlay-keys test runs.
 */
import { PINNED_CHARTS } from '../../src/charts.js';
import { leafPaths, valuesKeyProblems, type UpstreamChart } from '../../src/core/chart-keys.js';
import type { ReleasePlan } from '../../src/plan.js';
import { loadUpstream as load } from '../../src/upstream.js';

export { checkPath, commentedKeys, leafPaths } from '../../src/core/chart-keys.js';

/** The defaults of a chart version kept in upstream-charts/; throws when there are none. */
export function loadUpstream(chart: string, version: string): UpstreamChart {
  const out = load(chart, version);
  if (!out) throw new Error(`no upstream defaults for ${chart} ${version} in upstream-charts/`);
  return out;
}

/**
 * Every leaf of a release's overlay checked against its pinned chart's defaults and its subcharts'.
 * @returns one sentence per leaf that does not fit; empty when all fit.
 */
export function overlayKeyProblems(plan: Pick<ReleasePlan, 'id' | 'version' | 'values'>): string[] {
  const pinned = PINNED_CHARTS[plan.id];
  const subs = Object.fromEntries(Object.entries(pinned.subcharts).map(([k, v]) => [k, loadUpstream(k, v)]));
  return valuesKeyProblems(loadUpstream(pinned.chart, plan.version), subs, leafPaths(plan.values));
}
