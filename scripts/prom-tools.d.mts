export const PROMETHEUS_VERSION: string;
export const PROMETHEUS_MODULE_VERSION: string;
export const ALERTMANAGER_VERSION: string;
export function hasGo(): boolean;
export function ensurePromTools(): { promtool: string; amtool: string; alertmanager: string };
