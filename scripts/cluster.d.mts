export function build(): { etcd: string; apiserver: string };
export function up(): Promise<{ kubeconfig: string; server: string; token: string; pids: number[] }>;
export function down(): Promise<void>;
export function hasGo(): boolean;
