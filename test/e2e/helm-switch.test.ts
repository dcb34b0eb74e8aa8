/**
 * A stack installed with Helm 3 and then upgraded and rolled back with Helm 4, on the real control
 * plane with the fixture charts. Helm 3 applies client-side and writes no apply method; Helm 4
 * refuses `--force-conflicts` on such a release ("forceConflicts enabled when serverSideApply
 * disabled"), so monitor-stack keeps each release's method, says so in the plan, and switches to
 * server-side apply only with --server-side-apply; a rollback takes the method of its target.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isolatedEnv, runCli } from '../support/run.js';

const e2e = inject('e2e');
const skip = inject('e2eSkip');
if (skip) describe.skip(skip, () => it('skipped', () => {}));

describe.runIf(e2e)('Helm 3 installs, Helm 4 upgrades and rolls back', () => {
  const env = e2e!;
  const ns = 'e2e-helm-switch';
  let dir: string;
  let base: Record<string, string>;
  const cli = (helm: string, ...args: string[]) => runCli(args, { cwd: dir, env: { ...base, MONITOR_STACK_HELM: helm } });
  const helm4 = (...args: string[]) => execFileSync(env.helm4, args, { env: { ...process.env, ...base }, encoding: 'utf8' });
  const method = (release: string) => (JSON.parse(helm4('get', 'metadata', release, '--namespace', ns, '-o', 'json')) as { applyMethod?: string }).applyMethod;
  const retention = () => ((JSON.parse(helm4('get', 'values', 'prometheus', '--namespace', ns, '-o', 'json')) as { server: { retention: string } }).server.retention);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'monitor-stack-e2e-switch-'));
    base = isolatedEnv(dir, env.kubeconfig);
    writeFileSync(join(dir, 'monitor-stack.yaml'), ['charts:', ...['prometheus', 'grafana', 'promtail'].map((c) => `  ${c}: {source: "${env.repoUrl}"}`), ''].join('\n'));
  });
  afterAll(() => {
    for (const r of ['prometheus', 'grafana', 'promtail']) {
      try {
        helm4('uninstall', r, '--namespace', ns);
      } catch {}
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('installs with Helm 3: client-side, no apply method recorded', async () => {
    expect((await cli(env.helm3, 'init', '--non-interactive', '--env', 'dev', '--namespace', ns, '--storage-class', 'standard', '--no-tls', '--retention', '15d')).exitCode).toBe(0);
    const refused = await cli(env.helm3, 'upgrade', '--env', 'dev', '--yes', '--server-side-apply');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('--server-side-apply needs Helm 4');
    const up = await cli(env.helm3, 'upgrade', '--env', 'dev', '--yes');
    expect(up.exitCode, up.stderr).toBe(0);
    expect(method('prometheus')).toBeUndefined();
  });

  it('Helm 4 upgrades it client-side, as installed, and says so in the plan', async () => {
    const diff = await cli(env.helm4, 'diff', '--env', 'dev', '--retention', '20d');
    expect(diff.exitCode, diff.stderr).toBe(0);
    expect(diff.stdout).toContain('applied client-side, as it was installed (e.g. by Helm 3): Helm 4 keeps that method');
    const up = await cli(env.helm4, 'upgrade', '--env', 'dev', '--yes', '--retention', '20d');
    expect(up.exitCode, up.stderr).toBe(0);
    expect(retention()).toBe('20d');
    expect(method('prometheus')).toBe('csa');
  });

  it('Helm 4 rolls it back; --server-side-apply switches it, and rolling that back returns to client-side', async () => {
    const back = await cli(env.helm4, 'rollback', '--env', 'dev', '--yes');
    expect(back.exitCode, back.stderr).toBe(0);
    expect(retention()).toBe('15d');

    const up = await cli(env.helm4, 'upgrade', '--env', 'dev', '--yes', '--server-side-apply', '--retention', '21d');
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).toContain('switches from client-side apply (as installed, e.g. by Helm 3) to server-side apply (--server-side-apply)');
    expect(up.stderr).toContain('stays client-side: nothing to upgrade');
    expect(method('prometheus')).toBe('ssa');
    expect(method('grafana')).toBeUndefined(); // unchanged, so not upgraded: still Helm 3's revision

    const again = await cli(env.helm4, 'rollback', '--env', 'dev', '--yes');
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain('apply method server-side → client-side');
    expect(retention()).toBe('15d');
    expect(method('prometheus')).toBe('csa');
  });
});
