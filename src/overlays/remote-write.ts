/**
 * `prometheus.remoteWrite` → `server.remoteWrite` and `server.extraSecretMounts` of chart
 * prometheus 29.27.0 (both passed as they are into the server pod and prometheus.yml). Prometheus
 * v3.14 reads `basic_auth.password_file` and `authorization.credentials_file` on each request, so
 * a rotated Secret takes effect without a restart once the kubelet refreshes the mount.
 */
import type { RemoteWrite, Settings } from '../config/schema.js';
import { planSecretFiles, secretFilePath, type SecretFilePlan } from './secret-files.js';

/** Folder under which each remote-write Secret is mounted in the Prometheus server container. */
export const REMOTE_WRITE_SECRETS_ROOT = '/etc/prometheus/secrets';

/** Name of the Secret monitor-stack writes resolved env:/file: remote-write credentials into. */
export function managedRemoteWriteSecretName(s: Settings): string {
  return `${s.charts.prometheus.release}-remote-write`.slice(0, 63).replace(/-+$/, '');
}

function secretFields(r: RemoteWrite): [field: string, value: string][] {
  return [...(r.basicAuth ? [['password', r.basicAuth.password] as [string, string]] : []), ...(r.bearerToken ? [['bearerToken', r.bearerToken] as [string, string]] : [])];
}

/** The Secrets and mounts behind the remote-write credentials (files keyed `<name>.<field>`). Pure. */
export function planRemoteWriteSecrets(s: Settings): SecretFilePlan {
  const uses = s.prometheus.remoteWrite.flatMap((r) => secretFields(r).map(([field, value]) => ({ owner: `remote write ${r.name}`, ownerName: r.name, field, value })));
  return planSecretFiles(uses, { managedName: managedRemoteWriteSecretName(s), root: REMOTE_WRITE_SECRETS_ROOT, mountName: 'remote-write-secret' });
}

/** `server.remoteWrite`: Prometheus v3.14 `remote_write` entries, credentials as file paths. Pure. */
export function renderRemoteWrite(s: Settings, plan: SecretFilePlan = planRemoteWriteSecrets(s)): Record<string, unknown>[] {
  return s.prometheus.remoteWrite.map((r) => ({
    name: r.name,
    url: r.url,
    ...(r.basicAuth ? { basic_auth: { username: r.basicAuth.username, password_file: secretFilePath(plan, r.name, 'password') } } : {}),
    ...(r.bearerToken ? { authorization: { type: 'Bearer', credentials_file: secretFilePath(plan, r.name, 'bearerToken') } } : {}),
    ...(r.headers && Object.keys(r.headers).length ? { headers: r.headers } : {}),
  }));
}
