/** Spawns the built CLI (bin/monitor-stack.js) as a user would, and a recording helm wrapper. */
import { stringify as stringifyYaml } from 'yaml';
import { execa } from 'execa';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { afterAll } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'monitor-stack.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `monitor-stack ...args` with a clean environment plus `env`; never throws on exit codes. */
export async function runCli(args: string[], opts: { cwd: string; env?: Record<string, string | undefined>; input?: string; asUnprivileged?: boolean }): Promise<CliResult> {
  // Root reads and writes any file: to meet a permission error, run as nobody (setpriv, util-linux).
  const asNobody = opts.asUnprivileged && process.getuid?.() === 0;
  const [file, argv] = asNobody
    ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...args]]
    : [process.execPath, [BIN, ...args]];
  const r = await execa(file, argv, {
    cwd: opts.cwd,
    reject: false,
    extendEnv: false,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...opts.env },
    input: opts.input ?? '',
    timeout: 170_000,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Environment for a CLI run against `kubeconfig`, with helm's config, cache and data kept under `dir`. */
export function isolatedEnv(dir: string, kubeconfig: string): Record<string, string> {
  const home = join(dir, 'helm-home');
  return { KUBECONFIG: kubeconfig, HELM_CONFIG_HOME: join(home, 'config'), HELM_CACHE_HOME: join(home, 'cache'), HELM_DATA_HOME: join(home, 'data') };
}

/**
 * Writes an executable helm wrapper that appends its argv (one call per line) to `log`, then runs
 * `realHelm` (or exits 99 when none is given: a run that should make no helm call).
 */
export function writeHelmRecorder(path: string, log: string, realHelm?: string): string {
  writeFileSync(
    path,
    `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\n${realHelm ? `exec '${realHelm}' "$@"` : 'echo "recorder: no real helm" >&2; exit 99'}\n`,
  );
  chmodSync(path, 0o755);
  if (!existsSync(log)) appendFileSync(log, '');
  return path;
}

/** The helm calls a recorder logged, one argv string each. */
export function recordedCalls(log: string): string[] {
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
}

const madeDirs = new Set<string>();
// Registered on the suite of every test file importing this module (vitest isolates files); the
// global setup imports it outside any suite, and makes no temp folder with it.
try {
  afterAll(() => {
    for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true });
    madeDirs.clear();
  });
} catch {}

/** A private temp folder, removed after the test file's tests have run, passed or failed. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeDirs.add(dir);
  return dir;
}

/** monitor-stack.yaml taking all three charts from one repository (`repoUrl`), with these environments. */
export function oneRepositoryConfig(repoUrl: string, environments: Record<string, unknown>): string {
  const source = { source: repoUrl };
  return stringifyYaml({ charts: { prometheus: source, grafana: source, promtail: source }, environments });
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it; a program started next may take it). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
