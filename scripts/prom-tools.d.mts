export const PROMETHEUS_VERSION: string;
export const PROMETHEUS_MODULE_VERSION: string;
export const ALERTMANAGER_VERSION: string;
export function hasGo(): boolean;
export const NODE_EXPORTER_VERSION: string;
export function ensurePromTools(): { promtool: string; amtool: string; alertmanager: string; prometheus: string; nodeExporter: string };
export const KUBE_STATE_METRICS_VERSION: string;
/** Path of kube-state-metrics v2.20.0, built on first use. */
export function ensureKubeStateMetrics(): string;
