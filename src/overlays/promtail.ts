/**
 * Values overlay for chart promtail 6.17.1 (grafana; deprecated upstream, Grafana Alloy is its
 * successor). Key paths are checked against `upstream-charts/promtail-6.17.1/values.yaml`.
 */
import type { Settings } from '../config/schema.js';
import { DEFAULT_LOKI_URL } from '../config/defaults.js';
import { resourcesValues } from './resources.js';

/** Renders the overlay for the promtail release: where it pushes logs (`config.clients[0].url`). Pure. */
export function renderPromtailValues(s: Settings): Record<string, unknown> {
  return { config: { clients: [{ url: s.loki.url ?? DEFAULT_LOKI_URL }] }, resources: resourcesValues(s.resources.promtail) };
}
