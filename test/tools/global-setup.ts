/**
 * tools tier setup: promtool and prometheus (v3.14.0), amtool and alertmanager (v0.34.0) and
 * node_exporter (v1.12.1) built from Go
 * modules (scripts/prom-tools.mjs), and the real helm 4.1.4 binary (scripts/tools.mjs) to template
 * the real charts in upstream-charts/packages. Where Go is missing and nothing is cached, the tier
 * is skipped with a plain message; under CI=true that fails the run instead.
 */
import type { TestProject } from 'vitest/node';

export interface ToolsEnv {
  promtool: string;
  amtool: string;
  alertmanager: string;
  prometheus: string;
  nodeExporter: string;
  helm: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    tools: ToolsEnv | null;
    toolsSkip: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const { ensureTools } = await import('../../scripts/tools.mjs');
  const { ensurePromTools } = await import('../../scripts/prom-tools.mjs');
  const { helm4 } = ensureTools() as { helm4: string };
  try {
    project.provide('tools', { ...ensurePromTools(), helm: helm4 });
    project.provide('toolsSkip', '');
  } catch (err) {
    if (process.env.CI) throw new Error(`CI=true and promtool/amtool cannot be built: ${(err as Error).message}`);
    const reason = `tools tier skipped: ${(err as Error).message}`;
    process.stderr.write(`\n${reason}\n\n`);
    project.provide('tools', null);
    project.provide('toolsSkip', reason);
  }
}
