/** `prometheus.remoteWrite`: the rendered remote_write, the Secrets and mounts behind its credentials, and the checks on it. */
import { describe, expect, it } from 'vitest';
import { readPresets } from '../../src/config/load.js';
import { resolveSettings } from '../../src/config/merge.js';
import type { ConfigFile } from '../../src/config/schema.js';
import { planRemoteWriteSecrets, renderRemoteWrite } from '../../src/overlays/remote-write.js';
import { planReleases } from '../../src/plan.js';
import { resolveStackSecrets, stackSecretPlans } from '../../src/secrets.js';
import { checkRemoteWriteHeader, checkRemoteWriteUrl } from '../../src/validate.js';

const presets = readPresets();
type Env = ConfigFile['environments'] extends Record<string, infer L> | undefined ? L : never;
const resolve = (env: Env) => resolveSettings({ file: { environments: { prod: env } }, fileName: 'f.yaml', environment: 'prod', presets });
const server = (env: Env) => (planReleases(resolve(env)).find((p) => p.id === 'prometheus')!.values as { server: Record<string, unknown> }).server;

const MIMIR = { name: 'mimir', url: 'https://mimir.example.com/api/v1/push', basicAuth: { username: 'tenant-1', password: 'env:MIMIR_PW' }, headers: { 'X-Scope-OrgID': 'tenant-1' } };
const THANOS = { name: 'thanos', url: 'http://thanos:19291/api/v1/receive', bearerToken: 'secret:thanos-auth/token' };
const VM = { name: 'vm', url: 'http://vm:8428/api/v1/write', bearerToken: 'file:vm-token' };

describe('remote write', () => {
  it('renders nothing when none is set: the chart keeps its empty list and its mounts', () => {
    expect(server({})).not.toHaveProperty('remoteWrite');
    expect(server({})).not.toHaveProperty('extraSecretMounts');
  });

  it('basic auth and bearer tokens become file paths under the mounted Secrets; env: and file: values go to the managed Secret', () => {
    const s = resolve({ prometheus: { remoteWrite: [MIMIR, THANOS, VM] } });
    expect(renderRemoteWrite(s)).toEqual([
      { name: 'mimir', url: MIMIR.url, basic_auth: { username: 'tenant-1', password_file: '/etc/prometheus/secrets/prometheus-remote-write/mimir-password' }, headers: { 'X-Scope-OrgID': 'tenant-1' } },
      { name: 'thanos', url: THANOS.url, authorization: { type: 'Bearer', credentials_file: '/etc/prometheus/secrets/thanos-auth/token' } },
      { name: 'vm', url: VM.url, authorization: { type: 'Bearer', credentials_file: '/etc/prometheus/secrets/prometheus-remote-write/vm-bearer-token' } },
    ]);
    const plan = planRemoteWriteSecrets(s);
    expect(plan.mounts).toEqual([
      { name: 'remote-write-secret-0', mountPath: '/etc/prometheus/secrets/prometheus-remote-write', secretName: 'prometheus-remote-write', readOnly: true },
      { name: 'remote-write-secret-1', mountPath: '/etc/prometheus/secrets/thanos-auth', secretName: 'thanos-auth', readOnly: true },
    ]);
    expect(plan.managed.map((m) => [m.key, m.owner, m.field])).toEqual([
      ['mimir-password', 'remote write mimir', 'password'],
      ['vm-bearer-token', 'remote write vm', 'bearerToken'],
    ]);
    expect(server({ prometheus: { remoteWrite: [MIMIR, THANOS, VM] } }).extraSecretMounts).toEqual(plan.mounts);
  });

  it('the managed Secret follows the prometheus release name', () => {
    const s = resolve({ prometheus: { remoteWrite: [MIMIR] }, charts: { prometheus: { release: 'prom-eu' } } });
    expect(planRemoteWriteSecrets(s).managedName).toBe('prom-eu-remote-write');
    expect(renderRemoteWrite(s)[0]).toMatchObject({ basic_auth: { password_file: '/etc/prometheus/secrets/prom-eu-remote-write/mimir-password' } });
  });

  it('an environment\'s list replaces the base\'s', () => {
    const s = resolveSettings({ file: { prometheus: { remoteWrite: [MIMIR] }, environments: { prod: { prometheus: { remoteWrite: [THANOS] } } } }, fileName: 'f.yaml', environment: 'prod', presets });
    expect(s.prometheus.remoteWrite.map((r) => r.name)).toEqual(['thanos']);
  });

  it('receivers and remote writes each resolve into their own managed Secret; Alertmanager off drops the receivers\' only', () => {
    const env = { alertmanager: { receivers: [{ name: 'hook', type: 'webhook' as const, url: 'env:HOOK' }], route: { critical: ['hook'] } }, prometheus: { remoteWrite: [MIMIR] } };
    const values = { HOOK: 'https://hooks.example.com/x', MIMIR_PW: 'pw-1' };
    expect(resolveStackSecrets(resolve(env), '/nowhere', values)).toEqual({
      'prometheus-alertmanager-receivers': { 'hook-url': 'https://hooks.example.com/x' },
      'prometheus-remote-write': { 'mimir-password': 'pw-1' },
    });
    const off = resolve({ ...env, components: { alertmanager: false } });
    expect(stackSecretPlans(off).map((p) => p.what)).toEqual(['Prometheus remote write']);
    expect(resolveStackSecrets(off, '/nowhere', { MIMIR_PW: 'pw-1' })).toEqual({ 'prometheus-remote-write': { 'mimir-password': 'pw-1' } });
    expect(() => resolveStackSecrets(resolve(env), '/nowhere', { HOOK: values.HOOK })).toThrow('secret references cannot be resolved');
  });

  it('URL and header checks', () => {
    expect(checkRemoteWriteUrl('https://mimir.example.com/api/v1/push')).toBeUndefined();
    expect(checkRemoteWriteUrl('https://u:p@mimir.example.com/push')).toMatch(/must not hold a user or password/);
    expect(checkRemoteWriteUrl('https://u@mimir.example.com/push')).toMatch(/must not hold a user or password/);
    expect(checkRemoteWriteUrl('https://u:p@mimir.example.com/push')).not.toContain('u:p');
    expect(checkRemoteWriteUrl('https://mimir.example.com/{{ .Values.x }}')).toMatch(/must not contain "\{\{"/);
    expect(checkRemoteWriteUrl('mimir:9009')).toMatch(/must use http:\/\/ or https:\/\//);
    expect(checkRemoteWriteUrl('not a url')).toBe('must be an absolute http:// or https:// URL (e.g. https://mimir.example.com/api/v1/push)');
    expect(checkRemoteWriteHeader('X-Scope-OrgID')).toBeUndefined();
    expect(checkRemoteWriteHeader('authorization')).toMatch(/use bearerToken or basicAuth/);
    expect(checkRemoteWriteHeader('X-Prometheus-Remote-Write-Version')).toMatch(/set by Prometheus itself/);
    expect(checkRemoteWriteHeader('Bad Header')).toBe('"Bad Header" is not an HTTP header name');
  });
});
