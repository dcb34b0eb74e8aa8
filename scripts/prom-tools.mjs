// `node scripts/prom-tools.mjs`: the Prometheus project's own tools, built from Go modules at the
// versions the pinned charts run, for the tools tier to judge what we render:
// - promtool from github.com/prometheus/prometheus v0.314.0 (the Go module of Prometheus v3.14.0,
//   the app version of chart prometheus 29.27.0);
// - amtool and alertmanager itself from github.com/prometheus/alertmanager v0.34.0 (chart
//   alertmanager 1.42.0), the server to prove that alerts are delivered where the routes say;
// - prometheus itself (v3.14.0) and node_exporter v1.12.1 (chart prometheus-node-exporter
//   4.56.1), whose /metrics prove that every metric a baseline rule reads exists;
// - kube-state-metrics v2.20.0 (chart kube-state-metrics 8.4.0), for the e2e tier: it needs a
//   cluster to read.
// Cached outside the repository (cacheRoot in tools.mjs). On 2 cores the first build takes a few
// minutes; later runs reuse it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from './tools.mjs';

export const PROMETHEUS_VERSION = 'v3.14.0';
/** Prometheus v3 tags its Go module v0.3MM.P for v3.MM.P. */
export const PROMETHEUS_MODULE_VERSION = 'v0.314.0';
export const ALERTMANAGER_VERSION = 'v0.34.0';
export const NODE_EXPORTER_VERSION = 'v1.12.1';
export const KUBE_STATE_METRICS_VERSION = 'v2.20.0';

const log = (msg) => process.stderr.write(`prom-tools: ${msg}\n`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

const buildEnv = () => ({ ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod', GOWORK: 'off' });

/**
 * promtool and prometheus. github.com/prometheus/prometheus has replace directives in its go.mod, so
 * `go install …@version` refuses it; it is built inside a copy of the downloaded module instead,
 * with the module's own go.mod and go.sum (and GOWORK=off: the module lists a go.work).
 */
function buildPrometheusCommand(name, out) {
  const src = moduleCopy('github.com/prometheus/prometheus', PROMETHEUS_MODULE_VERSION, out);
  // cmd/prometheus serves its web UI from disk unless built with the builtinassets tag: no UI here.
  run('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', `${out}.tmp`, `./cmd/${name}`], { cwd: src, env: buildEnv() });
  renameSync(`${out}.tmp`, out);
  rmSync(src, { recursive: true, force: true });
}

/** Copies a downloaded Go module into a writable folder beside `out`. */
function moduleCopy(modulePath, version, out) {
  const dl = JSON.parse(run('go', ['mod', 'download', '-json', `${modulePath}@${version}`], { env: buildEnv() }));
  const src = `${out}.src`;
  rmSync(src, { recursive: true, force: true });
  cpSync(dl.Dir, src, { recursive: true });
  run('chmod', ['-R', 'u+w', src]);
  return src;
}

/**
 * amtool or alertmanager, built inside a copy of the module. alertmanager embeds its web UI from
 * `ui/app/dist`, which is built by npm in its repository and not part of the Go module: a one-page
 * placeholder stands in (the tests use the API, never the UI).
 */
function buildAlertmanagerCommand(name, out) {
  const src = moduleCopy('github.com/prometheus/alertmanager', ALERTMANAGER_VERSION, out);
  const dist = join(src, 'ui', 'app', 'dist');
  mkdirSync(dist, { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Alertmanager</title><p>Built from Go modules without its web UI.</p>\n');
  run('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', `${out}.tmp`, `./cmd/${name}`], { cwd: src, env: buildEnv() });
  renameSync(`${out}.tmp`, out);
  rmSync(src, { recursive: true, force: true });
}

/** node_exporter: no replace directive and nothing to embed, so `go install` builds it as published. */
function buildNodeExporter(out) {
  const gobin = `${out}.gobin`;
  mkdirSync(gobin, { recursive: true });
  run('go', ['install', '-trimpath', '-ldflags=-s -w', `github.com/prometheus/node_exporter@${NODE_EXPORTER_VERSION}`], { env: { ...buildEnv(), GOBIN: gobin } });
  renameSync(join(gobin, 'node_exporter'), out);
  rmSync(gobin, { recursive: true, force: true });
}

/**
 * kube-state-metrics: no replace directive in its go.mod either, so `go install` builds it as
 * published (k8s.io/kube-state-metrics/v2). Built on first use into the cache; on 2 cores a few
 * minutes. Throws when Go is missing and it is not cached.
 */
export function ensureKubeStateMetrics() {
  const dir = join(cacheRoot(), 'prom-tools');
  const out = join(dir, `kube-state-metrics-${KUBE_STATE_METRICS_VERSION}`);
  if (existsSync(out)) return out;
  if (!hasGo()) throw new Error('Go is not installed: kube-state-metrics is built from Go modules (go 1.25 or newer).');
  mkdirSync(dir, { recursive: true });
  log(`building kube-state-metrics into ${dir} (first run only)`);
  const gobin = `${out}.gobin`;
  mkdirSync(gobin, { recursive: true });
  run('go', ['install', '-trimpath', '-ldflags=-s -w', `k8s.io/kube-state-metrics/v2@${KUBE_STATE_METRICS_VERSION}`], { env: { ...buildEnv(), GOBIN: gobin } });
  renameSync(join(gobin, 'kube-state-metrics'), out);
  rmSync(gobin, { recursive: true, force: true });
  return out;
}

/** True when the `go` toolchain is on PATH. */
export function hasGo() {
  const r = spawnSync('go', ['version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

/** Paths of `{ promtool, amtool, alertmanager, prometheus, nodeExporter }`, built on first use. Throws when Go is missing and they are not cached. */
export function ensurePromTools() {
  const dir = join(cacheRoot(), 'prom-tools');
  const tools = {
    promtool: join(dir, `promtool-${PROMETHEUS_VERSION}`),
    amtool: join(dir, `amtool-${ALERTMANAGER_VERSION}`),
    alertmanager: join(dir, `alertmanager-${ALERTMANAGER_VERSION}`),
    prometheus: join(dir, `prometheus-${PROMETHEUS_VERSION}`),
    nodeExporter: join(dir, `node_exporter-${NODE_EXPORTER_VERSION}`),
  };
  const missing = Object.entries(tools).filter(([, path]) => !existsSync(path));
  if (!missing.length) return tools;
  if (!hasGo()) throw new Error('Go is not installed: promtool, amtool, alertmanager, prometheus and node_exporter are built from Go modules (go 1.25 or newer).');
  mkdirSync(dir, { recursive: true });
  for (const [name, path] of missing) {
    log(`building ${name} into ${dir} (first run only)`);
    if (name === 'promtool' || name === 'prometheus') buildPrometheusCommand(name, path);
    else if (name === 'nodeExporter') buildNodeExporter(path);
    else buildAlertmanagerCommand(name, path);
  }
  return tools;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify({ ...ensurePromTools(), kubeStateMetrics: ensureKubeStateMetrics() }, null, 2));
}
