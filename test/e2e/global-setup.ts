/**
 * e2e setup: a real control plane (etcd + kube-apiserver built from Go modules, scripts/cluster.mjs)
 * and a second one (etcd and kube-apiserver only) that tests prove untouched,
 * real helm 3.18.0 and 4.1.4 binaries (scripts/tools.mjs), Alertmanager v0.34.0, Prometheus v3.14.0 and kube-state-metrics v2.20.0 (scripts/prom-tools.mjs), and two real chart repositories served
 * on 127.0.0.1: the fixture charts (test/fixtures/charts, packaged with `helm package`), and the
 * real upstream charts (upstream-charts/packages), each indexed with `helm repo index`.
 *
 * Where Go is missing and nothing is cached, the tier is skipped with a plain message, and so is the
 * real-chart scenario when the packages are absent; under CI=true either fails the run instead.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, createReadStream, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ROOT } from '../support/run.js';

/** The real chart packages: prometheus, grafana and promtail, as `helm package` made them. */
export const REAL_CHARTS = process.env.MONITOR_STACK_REAL_CHARTS ?? join(ROOT, 'upstream-charts', 'packages');

export interface E2eEnv {
  kubeconfig: string;
  /** The control plane's state folder (scripts/cluster.mjs stopApiServer and startApiServer take it). */
  clusterDir: string;
  /** A second control plane (etcd and kube-apiserver only), context `other`: what must stay untouched. */
  otherKubeconfig: string;
  repoUrl: string;
  /** The real upstream charts served as a repository; null when their folder is absent. */
  realRepoUrl: string | null;
  helm3: string;
  helm4: string;
  kubectl: string;
  /** Alertmanager v0.34.0 built from Go modules (scripts/prom-tools.mjs): the server test-alert talks to. */
  alertmanager: string;
  /** Prometheus v3.14.0 built from Go modules: evaluates the rules on kube-state-metrics' output. */
  prometheus: string;
  /** kube-state-metrics v2.20.0 built from Go modules: proves the kube_* metrics the baseline reads. */
  kubeStateMetrics: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: E2eEnv | null;
    e2eSkip: string;
    realChartsSkip: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await import('../../scripts/cluster.mjs');
  const { ensureTools } = await import('../../scripts/tools.mjs');
  const { ensureKubeStateMetrics, ensurePromTools } = await import('../../scripts/prom-tools.mjs');
  const tools = ensureTools() as { helm3: string; helm4: string; kubectl: string };
  let alertmanager: string;
  let prometheus: string;
  let kubeStateMetrics: string;
  try {
    cluster.build();
    // Synchronous, in the main process like the tools tier's setup: the two never build at once.
    ({ alertmanager, prometheus } = ensurePromTools() as { alertmanager: string; prometheus: string });
    kubeStateMetrics = ensureKubeStateMetrics() as string;
  } catch (err) {
    const reason = `e2e tier skipped: ${(err as Error).message}`;
    if (process.env.CI) throw new Error(`CI=true and the control plane cannot be built: ${(err as Error).message}`);
    process.stderr.write(`\n${reason}\n\n`);
    project.provide('e2e', null);
    project.provide('e2eSkip', reason);
    project.provide('realChartsSkip', reason);
    return async () => {};
  }
  const tempDirs: string[] = [];
  let otherDir: string | undefined;
  const servers: Server[] = [];
  const cleanup = async () => {
    for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
    await cluster.down();
    if (otherDir) await cluster.down(otherDir);
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  };
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    tempDirs.push(dir);
    return dir;
  };
  /** Serves a folder of chart packages on 127.0.0.1 and indexes it for that address. */
  const serve = async (repoDir: string): Promise<string> => {
    const server: Server = createServer((req, res) => {
      const file = join(repoDir, decodeURIComponent((req.url ?? '/').split('?')[0]!).replace(/^\/+/, ''));
      if (!file.startsWith(repoDir) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': file.endsWith('.yaml') ? 'text/yaml' : 'application/gzip' });
      createReadStream(file).pipe(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    execFileSync(tools.helm4, ['repo', 'index', repoDir, '--url', url], { stdio: 'ignore' });
    return url;
  };

  try {
    process.env.MONITOR_STACK_CLUSTER_DIR = tempDir('monitor-stack-e2e-cluster-');
    const state = (await cluster.up()) as { kubeconfig: string };
    otherDir = tempDir('monitor-stack-e2e-other-');
    const other = await cluster.up({ dir: otherDir, minimal: true, context: 'other' });

    const repoDir = tempDir('monitor-stack-e2e-repo-');
    const charts = join(ROOT, 'test', 'fixtures', 'charts');
    for (const chart of readdirSync(charts)) execFileSync(tools.helm4, ['package', join(charts, chart), '--destination', repoDir], { stdio: 'ignore' });
    const repoUrl = await serve(repoDir);

    let realRepoUrl: string | null = null;
    let realChartsSkip = '';
    const realFiles = existsSync(REAL_CHARTS) ? readdirSync(REAL_CHARTS).filter((f) => /^(prometheus|grafana|promtail)-.*\.tgz$/.test(f)) : [];
    if (realFiles.length === 3) {
      const realDir = tempDir('monitor-stack-e2e-real-');
      for (const f of realFiles) cpSync(join(REAL_CHARTS, f), join(realDir, f));
      realRepoUrl = await serve(realDir);
    } else if (process.env.CI) {
      throw new Error(`CI=true and the real chart packages are missing: ${REAL_CHARTS} must hold the prometheus, grafana and promtail .tgz files (MONITOR_STACK_REAL_CHARTS names another folder).`);
    } else {
      realChartsSkip = `real-chart e2e skipped: ${REAL_CHARTS} does not hold the three upstream chart packages (this repository keeps them in upstream-charts/packages; MONITOR_STACK_REAL_CHARTS names another folder)`;
      process.stderr.write(`\n${realChartsSkip}\n\n`);
    }

    project.provide('e2e', { kubeconfig: state.kubeconfig, clusterDir: process.env.MONITOR_STACK_CLUSTER_DIR!, otherKubeconfig: other.kubeconfig, repoUrl, realRepoUrl, ...tools, alertmanager, prometheus, kubeStateMetrics });
    project.provide('e2eSkip', '');
    project.provide('realChartsSkip', realChartsSkip);
  } catch (err) {
    await cleanup();
    throw err;
  }
  return cleanup;
}
