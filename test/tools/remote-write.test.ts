/**
 * Remote write really sends, with the credentials from the mounted files: the real prometheus
 * 29.27.0 chart renders `prometheus.remoteWrite` (real helm 4 templating upstream-charts/packages),
 * the server Deployment mounts each Secret at the path the config names, and the real Prometheus
 * v3.14.0 (built from Go modules) runs the rendered `global` and `remote_write` with those files in
 * place (the mount paths moved under a temp folder) and writes to a loopback sink. Each endpoint
 * must get samples with its own Authorization header; a rotated password file is used without a
 * restart; and the canary values never appear in anything the chart rendered.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { renderThroughChart } from './render.js';
import { freePort } from '../support/run.js';

const tools = inject('tools');
const skip = inject('toolsSkip');
if (skip) describe.skip(skip, () => it('skipped', () => {}));

const ROOT = '/etc/prometheus/secrets/';
const PASSWORD = 'rw-canary-password-1';
const ROTATED = 'rw-canary-password-2';
const TOKEN = 'rw-canary-bearer-token';

interface Request {
  path: string;
  authorization: string;
  orgId: string | undefined;
  encoding: string | undefined;
  version: string | undefined;
  bytes: number;
}

const stops: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

/** A remote-write sink: records every request, answers 204. */
async function sink(requests: Request[]): Promise<string> {
  const server: Server = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      const h = req.headers;
      requests.push({ path: req.url ?? '', authorization: String(h.authorization ?? ''), orgId: h['x-scope-orgid'] as string | undefined, encoding: h['content-encoding'], version: h['x-prometheus-remote-write-version'] as string | undefined, bytes });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function until<T>(what: string, f: () => T | undefined | false, log: () => string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what} did not happen in ${ms / 1000} s:\n${log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.skipIf(!!skip)('remote write through the real chart and the real Prometheus', () => {
  it('each endpoint gets samples with its own credentials from the mounted files; a rotated password is used without a restart', async () => {
    const requests: Request[] = [];
    const base = await sink(requests);
    const r = await renderThroughChart(tools!.helm, {
      components: { promtail: false, alertmanager: false, kubeStateMetrics: false },
      prometheus: {
        remoteWrite: [
          { name: 'mimir', url: `${base}/mimir/push`, basicAuth: { username: 'tenant-1', password: 'env:MIMIR_PASSWORD' }, headers: { 'X-Scope-OrgID': 'tenant-1' } },
          { name: 'thanos', url: `${base}/thanos/receive`, bearerToken: 'secret:thanos-auth/token' },
        ],
      },
    });

    // The chart mounts each Secret where the config reads it.
    const pod = r.objects.find((o) => o?.kind === 'Deployment' && o.metadata?.name === 'prometheus-server')!.spec.template.spec;
    const server = pod.containers.find((c: { name: string }) => c.name === 'prometheus-server');
    const mounts = Object.fromEntries(pod.volumes.filter((v: { secret?: unknown }) => v.secret).map((v: { name: string; secret: { secretName: string } }) => [v.name, v.secret.secretName]));
    const paths = Object.fromEntries(server.volumeMounts.filter((m: { name: string }) => m.name in mounts).map((m: { name: string; mountPath: string; readOnly: boolean }) => [mounts[m.name], [m.mountPath, m.readOnly]]));
    expect(paths).toEqual({ 'prometheus-remote-write': [`${ROOT}prometheus-remote-write`, true], 'thanos-auth': [`${ROOT}thanos-auth`, true] });
    const config = parse(r.prometheusText) as { global: unknown; remote_write: { basic_auth?: { password_file: string }; authorization?: { credentials_file: string } }[] };
    expect(config.remote_write.map((w) => w.basic_auth?.password_file ?? w.authorization?.credentials_file)).toEqual([`${ROOT}prometheus-remote-write/mimir-password`, `${ROOT}thanos-auth/token`]);

    // The Secrets' files, where the pod would have them, under a temp folder.
    const at = (p: string) => join(r.dir, 'secrets', p.slice(ROOT.length));
    const passwordFile = at(config.remote_write[0]!.basic_auth!.password_file);
    for (const [file, value] of [[passwordFile, PASSWORD], [at(config.remote_write[1]!.authorization!.credentials_file), TOKEN]] as const) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, value);
    }
    const port = await freePort();
    const text = stringify({
      global: { ...(config.global as object), scrape_interval: '1s', scrape_timeout: '1s' },
      remote_write: config.remote_write.map((w) => JSON.parse(JSON.stringify(w).split(ROOT).join(`${join(r.dir, 'secrets')}/`))),
      scrape_configs: [{ job_name: 'prometheus', static_configs: [{ targets: [`127.0.0.1:${port}`] }] }],
    });
    writeFileSync(join(r.dir, 'run.yml'), text);
    const child: ChildProcess = spawn(tools!.prometheus, [`--config.file=${join(r.dir, 'run.yml')}`, `--storage.tsdb.path=${join(r.dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (c: Buffer) => (log += c.toString('utf8')));
    stops.push(() => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM')))));

    const got = (path: string, auth: string) => requests.find((q) => q.path === path && q.authorization === auth && q.bytes > 0);
    const basic = (pw: string) => `Basic ${Buffer.from(`tenant-1:${pw}`).toString('base64')}`;
    const mimir = await until('a write to mimir with the mounted password', () => got('/mimir/push', basic(PASSWORD)), () => log);
    expect(mimir).toMatchObject({ orgId: 'tenant-1', encoding: 'snappy', version: '0.1.0' });
    const thanos = await until('a write to thanos with the mounted token', () => got('/thanos/receive', `Bearer ${TOKEN}`), () => log);
    expect(thanos.orgId).toBeUndefined();
    // No request went out with another credential (or none).
    expect(requests.filter((q) => q.authorization !== basic(PASSWORD) && q.authorization !== `Bearer ${TOKEN}`)).toEqual([]);

    // Prometheus' own counters: samples sent per remote, none failed.
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const sample = (name: string, remote: string) => Number(new RegExp(`^${name}\\{[^}]*remote_name="${remote}"[^}]*\\} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    for (const remote of ['mimir', 'thanos']) {
      expect(sample('prometheus_remote_storage_samples_total', remote)).toBeGreaterThan(0);
      expect(sample('prometheus_remote_storage_samples_failed_total', remote)).toBe(0);
    }

    // The password file changes (a Secret rotated): the next writes carry the new one.
    writeFileSync(passwordFile, ROTATED);
    await until('a write to mimir with the rotated password', () => got('/mimir/push', basic(ROTATED)), () => log);

    // The canaries are in the files only: not in the overlay, the rendered manifest or the config.
    const rendered = JSON.stringify(r.objects) + r.prometheusText;
    for (const canary of [PASSWORD, ROTATED, TOKEN]) expect(rendered).not.toContain(canary);
  });
});
