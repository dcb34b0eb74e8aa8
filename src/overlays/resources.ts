/** The container `resources` value, which every pinned chart takes in the same shape. */
import type { Settings } from '../config/schema.js';

type Values = Record<string, unknown>;

/**
 * A component's `resources` value (the same `{requests, limits}` shape in every pinned chart),
 * with unset fields left out; `{}` when nothing is set, which is every chart's default.
 */
export function resourcesValues(r: Settings['resources']['prometheus']): Values {
  const part = (q: { cpu: string | null; memory: string | null }) => Object.fromEntries(Object.entries(q).filter(([, v]) => v !== null));
  const requests = part(r.requests);
  const limits = part(r.limits);
  return { ...(Object.keys(requests).length ? { requests } : {}), ...(Object.keys(limits).length ? { limits } : {}) };
}
