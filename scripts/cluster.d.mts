export function build(): { etcd: string; apiserver: string };
export const NEVER_READY_ANNOTATION: string;
export function up(opts?: { dir?: string; minimal?: boolean; context?: string; podReadyDelayMs?: number }): Promise<{ kubeconfig: string; server: string; token: string; pids: number[] }>;
export function down(dir?: string): Promise<void>;
export function stopApiServer(dir?: string): Promise<void>;
export function startApiServer(dir?: string): Promise<void>;
export function hasGo(): boolean;
