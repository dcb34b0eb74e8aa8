/**
 * e2e setup: a real control plane (etcd + kube-apiserver built from Go modules, scripts/cluster.mjs),
 * real helm 3.18.0 and 4.1.4 binaries (scripts/tools.mjs), and a real chart repository: the fixture
 * charts packaged with `helm package`, indexed with `helm repo index`, served on 127.0.0.1.
 *
 * Where Go is missing and nothing is cached, the tier is skipped with a plain message, except under
 * CI=true, where a control plane that cannot start fails the run.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ROOT } from '../support/run.js';

export interface E2eEnv {
  kubeconfig: string;
  repoUrl: string;
  helm3: string;
  helm4: string;
  kubectl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: E2eEnv | null;
    e2eSkip: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await import('../../scripts/cluster.mjs');
  const { ensureTools } = await import('../../scripts/tools.mjs');
  const tools = ensureTools() as { helm3: string; helm4: string; kubectl: string };
  try {
    cluster.build();
  } catch (err) {
    const reason = `e2e tier skipped: ${(err as Error).message}`;
    if (process.env.CI) throw new Error(`CI=true and the control plane cannot be built: ${(err as Error).message}`);
    process.stderr.write(`\n${reason}\n\n`);
    project.provide('e2e', null);
    project.provide('e2eSkip', reason);
    return async () => {};
  }
  process.env.MONITOR_STACK_CLUSTER_DIR = mkdtempSync(join(tmpdir(), 'monitor-stack-e2e-cluster-'));
  const state = (await cluster.up()) as { kubeconfig: string };

  const repoDir = mkdtempSync(join(tmpdir(), 'monitor-stack-e2e-repo-'));
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
  const port = (server.address() as { port: number }).port;
  const repoUrl = `http://127.0.0.1:${port}`;
  const charts = join(ROOT, 'test', 'fixtures', 'charts');
  for (const chart of readdirSync(charts)) execFileSync(tools.helm4, ['package', join(charts, chart), '--destination', repoDir], { stdio: 'ignore' });
  execFileSync(tools.helm4, ['repo', 'index', repoDir, '--url', repoUrl], { stdio: 'ignore' });

  project.provide('e2e', { kubeconfig: state.kubeconfig, repoUrl, ...tools });
  project.provide('e2eSkip', '');
  return async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await cluster.down();
  };
}
