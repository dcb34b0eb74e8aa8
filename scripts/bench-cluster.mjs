// `npm run bench` (part 3): monitor-stack against a plain script of `helm upgrade --install` x3 on
// the same control plane (scripts/cluster.mjs) and chart repository (the fixture charts served on
// 127.0.0.1), in the same run, with Helm 3 and Helm 4:
//   - helm processes started by one `upgrade` of 3 releases from 1 repository;
//   - `upgrade` with nothing to change vs the script (which makes 3 new revisions regardless);
//   - `upgrade` with every release changed vs the script (aim ≤ 0.6x, from parallel releases);
//   - `rollback` of the whole stack vs one release's `helm upgrade` (aim ≤ 1x).
// Prints medians and ratios; asserts nothing. Needs Go for the control plane (skipped without it).
// Pods run on kwok's fake nodes and become Ready (5 s after scheduling by default), so both sides
// wait for readiness (--wait).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cluster from './cluster.mjs';
import { ensureTools } from './tools.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'monitor-stack.js');
const runs = Number(process.env.BENCH_CLUSTER_RUNS ?? 3);
// Seconds kwok takes to make a scheduled pod Ready: real containers take seconds to start and pass
// their readiness probe; 0 makes readiness instant and leaves only the processes' own time.
const readySeconds = Number(process.env.BENCH_POD_READY_SECONDS ?? 5);

try {
  cluster.build();
} catch (err) {
  console.log(`\ncluster benchmark skipped: ${err.message}`);
  process.exit(0);
}

let server;
const work = mkdtempSync(join(tmpdir(), 'monitor-stack-bench-'));
process.env.MONITOR_STACK_CLUSTER_DIR = join(work, 'cluster');
const tools = ensureTools();
const repoDir = join(work, 'repo');
// The chart repository runs in a child process: the measured helm calls below block this one.
const SERVE = `const {createServer}=require('http');const {createReadStream,existsSync}=require('fs');const {join}=require('path');
const dir=process.argv[1];const s=createServer((q,r)=>{const f=join(dir,q.url.split('?')[0].replace(/^\\/+/,''));
if(!f.startsWith(dir)||!existsSync(f))return void r.writeHead(404).end();createReadStream(f).pipe(r)});
s.listen(0,'127.0.0.1',()=>process.stdout.write(String(s.address().port)+'\\n'));`;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const timed = (fn) => {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
};

try {
  const state = await cluster.up({ podReadyDelayMs: readySeconds * 1000 });
  execFileSync('mkdir', ['-p', repoDir]);
  // The real upstream charts (upstream-charts/packages), else the fixture charts.
  const real = process.env.MONITOR_STACK_REAL_CHARTS ?? join(ROOT, 'upstream-charts', 'packages');
  const realFiles = existsSync(real) ? readdirSync(real).filter((f) => /^(prometheus|grafana|promtail)-.*\.tgz$/.test(f)) : [];
  const chartsUsed = realFiles.length === 3 ? `the real charts (${realFiles.join(', ')})` : 'the fixture charts (test/fixtures/charts)';
  if (realFiles.length === 3) for (const f of realFiles) execFileSync('cp', [join(real, f), repoDir]);
  else for (const chart of readdirSync(join(ROOT, 'test', 'fixtures', 'charts'))) execFileSync(tools.helm4, ['package', join(ROOT, 'test', 'fixtures', 'charts', chart), '--destination', repoDir], { stdio: 'ignore' });
  server = spawn(process.execPath, ['-e', SERVE, repoDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    server.stdout.once('data', (d) => resolve(Number(String(d).trim())));
    server.once('exit', (code) => reject(new Error(`chart repository server exited ${code}`)));
  });
  const repoUrl = `http://127.0.0.1:${port}`;
  execFileSync(tools.helm4, ['repo', 'index', repoDir, '--url', repoUrl], { stdio: 'ignore' });
  console.log(`\nupgrade of 3 releases from 1 repository vs a script of helm upgrade --install x3 (median of ${runs} alternating runs, both waiting for readiness; pods become Ready ${readySeconds} s after they are scheduled, BENCH_POD_READY_SECONDS), ${chartsUsed}`);

  for (const helmName of ['helm3', 'helm4']) {
    const dir = join(work, helmName);
    execFileSync('mkdir', ['-p', dir]);
    const ns = `bench-${helmName}`;
    const log = join(dir, 'calls.log');
    const recorder = join(dir, 'helm');
    writeFileSync(recorder, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${tools[helmName]}' "$@"\n`, { mode: 0o755 });
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KUBECONFIG: state.kubeconfig,
      HELM_CONFIG_HOME: join(dir, 'hc'),
      HELM_CACHE_HOME: join(dir, 'hk'),
      HELM_DATA_HOME: join(dir, 'hd'),
      MONITOR_STACK_HELM: recorder,
      NO_COLOR: '1',
    };
    writeFileSync(
      join(dir, 'monitor-stack.yaml'),
      `charts:\n${['prometheus', 'grafana', 'promtail'].map((c) => `  ${c}: {source: "${repoUrl}"}`).join('\n')}\nenvironments:\n  bench: {namespace: ${ns}, preset: standard, storageClass: standard}\n`,
    );
    const ms = (...args) => {
      const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`monitor-stack ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
      return r;
    };
    const variant = (v) => ['--retention', v ? '16d' : '15d', '--loki-url', `http://loki-${v ? 'b' : 'a'}.logging/loki/api/v1/push`];
    // The script's inputs: the same overlays, rendered for both variants, and the repository added once.
    for (const v of [0, 1]) ms('render', '--env', 'bench', '--out', join(dir, `overlays-${v}`), ...variant(v));
    execFileSync(tools[helmName], ['repo', 'add', 'bench', repoUrl, '--force-update'], { env, stdio: 'ignore' });
    const versions = { prometheus: '29.27.0', grafana: '12.11.1', promtail: '6.17.1' };
    /** The script: one `helm upgrade --install --wait` per chart, in turn; its time per chart. */
    const script = (v) =>
      Object.entries(versions).map(([chart, version]) =>
        timed(() => execFileSync(tools[helmName], ['upgrade', chart, `bench/${chart}`, '--install', '--namespace', ns, '--create-namespace', '--version', version, '--values', join(dir, `overlays-${v}`, 'bench', `${chart}.values.yaml`), '--reset-values', '--wait', '--timeout', '5m'], { env, stdio: 'ignore' })),
      );
    const sum = (xs) => xs.reduce((a, b) => a + b, 0);

    writeFileSync(log, '');
    ms('upgrade', '--env', 'bench', '--yes', ...variant(0));
    const processes = readFileSync(log, 'utf8').split('\n').filter(Boolean).length;

    const unchanged = { ms: [], script: [] };
    for (let i = 0; i < runs; i++) {
      unchanged.ms.push(timed(() => ms('upgrade', '--env', 'bench', '--yes', ...variant(0))));
      unchanged.script.push(sum(script(0)));
    }
    const changed = { ms: [], script: [] };
    const rollback = { ms: [], oneRelease: [] };
    for (let i = 0; i < runs; i++) {
      changed.ms.push(timed(() => ms('upgrade', '--env', 'bench', '--yes', ...variant(1))));
      rollback.ms.push(timed(() => ms('rollback', '--env', 'bench', '--yes'))); // back to variant 0's content
      const times = script(1);
      changed.script.push(sum(times));
      rollback.oneRelease.push(times[0]); // prometheus, the largest release
      script(0); // back to variant 0, so the next monitor-stack run changes all three again
    }
    const version = execFileSync(tools[helmName], ['version', '--template', '{{.Version}}'], { encoding: 'utf8' });
    const line = (name, a, b) => console.log(`    ${name.padEnd(34)} ${median(a).toFixed(0).padStart(6)} ms vs ${median(b).toFixed(0).padStart(6)} ms  ${(median(a) / median(b)).toFixed(2)}x`);
    console.log(`  helm ${version}`);
    console.log(`    helm processes for a fresh install  ${processes} (aim ≤ 2 per release + 1 per repository + 1 = 8)`);
    line('nothing to change', unchanged.ms, unchanged.script);
    line('every release changed (aim ≤ 0.6x)', changed.ms, changed.script);
    line('rollback of the stack vs 1 upgrade', rollback.ms, rollback.oneRelease);
    // The next helm major installs the same cluster-wide names.
    for (const chart of Object.keys(versions)) execFileSync(tools[helmName], ['uninstall', chart, '--namespace', ns], { env, stdio: 'ignore' });
  }
} finally {
  server?.kill();
  await cluster.down();
  rmSync(work, { recursive: true, force: true });
}
