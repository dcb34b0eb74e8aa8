// `npm run cluster -- up|down|build`: a real Kubernetes control plane (etcd, kube-apiserver,
// kube-controller-manager and kube-scheduler) on loopback ports for the e2e tier, with two fake
// nodes run by kwok. Built from Go modules on first use, with versions pinned below; the build is
// cached outside the repository (see cacheRoot in tools.mjs). The controller-manager gives real
// garbage collection (orphan and background deletes, namespace deletion) and workload
// controllers; the scheduler places pods on the kwok nodes, where kwok marks them Running and
// Ready (no container runs), so Deployments, StatefulSets and DaemonSets report ready replicas
// and helm's --wait is real. scripts/volume-binder.mjs stands in for a storage provisioner.
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { fileURLToPath } from 'node:url';
import { cacheRoot, ensureTools } from './tools.mjs';

export const KUBERNETES_VERSION = 'v1.34.4';
export const STAGING_VERSION = 'v0.34.4'; // k8s.io/* staging modules matching KUBERNETES_VERSION
export const ETCD_VERSION = 'v3.6.4'; // the etcd server version kubernetes v1.34.4 requires

const FIXTURES = fileURLToPath(new URL('../test/fixtures/cluster/', import.meta.url));
// Bump BUILD_REV when the build recipe changes, so a cached build made the old way is not reused.
const BUILD_REV = 2;
const buildDir = () => join(cacheRoot(), 'control-plane', `k8s-${KUBERNETES_VERSION}-etcd-${ETCD_VERSION}-r${BUILD_REV}`);
const stateDir = () => process.env.MONITOR_STACK_CLUSTER_DIR ?? join(cacheRoot(), 'cluster');
const log = (msg) => process.stderr.write(`cluster: ${msg}\n`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return r;
}

/** True when the `go` toolchain is on PATH. */
export function hasGo() {
  const r = spawnSync('go', ['version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

/** Go packages built into bin/, by binary name. */
const PACKAGES = {
  etcd: 'go.etcd.io/etcd/server/v3',
  'kube-apiserver': 'k8s.io/kubernetes/cmd/kube-apiserver',
  'kube-controller-manager': 'k8s.io/kubernetes/cmd/kube-controller-manager',
  'kube-scheduler': 'k8s.io/kubernetes/cmd/kube-scheduler',
};

/** kwok (its own module, built with its own go.mod): fake nodes whose pods are run and made Ready. */
export const KWOK_VERSION = 'v0.8.0';
const KWOK_PACKAGE = 'sigs.k8s.io/kwok/cmd/kwok';

/** Builds etcd, kube-apiserver and kube-controller-manager unless the cache has them. Returns their paths. */
export function build() {
  const dir = buildDir();
  const bins = {
    etcd: join(dir, 'bin', 'etcd'),
    apiserver: join(dir, 'bin', 'kube-apiserver'),
    controllerManager: join(dir, 'bin', 'kube-controller-manager'),
    scheduler: join(dir, 'bin', 'kube-scheduler'),
    kwok: join(dir, 'bin', `kwok-${KWOK_VERSION}`),
  };
  if (!existsSync(bins.kwok)) {
    if (!hasGo()) throw new Error('Go is not installed: the e2e control plane is built from Go modules (go 1.24 or newer).');
    log(`building kwok ${KWOK_VERSION} into ${dir} (first run only)`);
    mkdirSync(join(dir, 'bin', 'kwok-build'), { recursive: true });
    run('go', ['install', '-trimpath', '-ldflags=-s -w', `${KWOK_PACKAGE}@${KWOK_VERSION}`], { env: { ...process.env, CGO_ENABLED: '0', GOBIN: join(dir, 'bin', 'kwok-build') } });
    run('mv', [join(dir, 'bin', 'kwok-build', 'kwok'), bins.kwok]);
  }
  bins.kwokStages = join(dir, 'bin', `kwok-${KWOK_VERSION}-stages.yaml`);
  if (!existsSync(bins.kwokStages)) writeFileSync(bins.kwokStages, kwokStages());
  const missing = Object.keys(PACKAGES).filter((name) => !existsSync(join(dir, 'bin', name)));
  if (!missing.length) return bins;
  if (!hasGo()) throw new Error('Go is not installed: the e2e control plane is built from Go modules (go 1.24 or newer).');
  log(`building ${missing.join(', ')} (Kubernetes ${KUBERNETES_VERSION}, etcd ${ETCD_VERSION}) into ${dir} (first run only; about 10 minutes on 2 cores)`);
  const src = join(dir, 'src');
  mkdirSync(src, { recursive: true });
  mkdirSync(join(dir, 'bin'), { recursive: true });
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' };
  // k8s.io/kubernetes replaces every k8s.io/* staging module with a local folder; as a dependency
  // we need the same replaces pointing at the published staging modules. Read them from its go.mod.
  const dl = spawnSync('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${KUBERNETES_VERSION}`], { env, encoding: 'utf8', cwd: src });
  if (dl.status !== 0) throw new Error(`go mod download k8s.io/kubernetes@${KUBERNETES_VERSION} failed:\n${dl.stderr}${dl.stdout}`);
  const gomod = readFileSync(JSON.parse(dl.stdout).GoMod, 'utf8');
  const staging = [...gomod.matchAll(/^\s*(k8s\.io\/[a-z0-9-]+) => \.\/staging\//gm)].map((m) => m[1]);
  if (staging.length < 20) throw new Error(`expected the staging replaces in k8s.io/kubernetes go.mod, found ${staging.length}`);
  writeFileSync(
    join(src, 'go.mod'),
    [
      'module monitor-stack.local/control-plane',
      '',
      'go 1.24.0',
      '',
      'require (',
      `\tk8s.io/kubernetes ${KUBERNETES_VERSION}`,
      `\tgo.etcd.io/etcd/server/v3 ${ETCD_VERSION}`,
      ')',
      '',
      'replace (',
      ...staging.map((m) => `\t${m} => ${m} ${STAGING_VERSION}`),
      ')',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(src, 'tools.go'),
    `//go:build tools\n\npackage tools\n\nimport (\n${Object.values(PACKAGES).map((p) => `\t_ "${p}"\n`).join('')})\n`,
  );
  run('go', ['mod', 'tidy'], { cwd: src, env });
  // Stamp the version, as the Kubernetes release build does: helm reads it (.Capabilities.KubeVersion).
  const [major, minor] = KUBERNETES_VERSION.slice(1).split('.');
  const stamp = [
    `-X k8s.io/component-base/version.gitVersion=${KUBERNETES_VERSION}`,
    `-X k8s.io/component-base/version.gitMajor=${major}`,
    `-X k8s.io/component-base/version.gitMinor=${minor}`,
    '-X k8s.io/component-base/version.gitTreeState=clean',
  ].join(' ');
  for (const name of missing) {
    const out = join(dir, 'bin', name);
    run('go', ['build', '-trimpath', `-ldflags=-s -w ${name === 'etcd' ? '' : stamp}`, '-o', `${out}.tmp`, PACKAGES[name]], { cwd: src, env });
    run('mv', [`${out}.tmp`, out]);
  }
  return bins;
}

/**
 * kwok's own "fast" stages, from its module (kustomize/stage): nodes initialized and kept Ready by
 * heartbeats; pods Running and Ready at once, Succeeded when they are Jobs', deleted when asked.
 * kwok runs nothing without stages.
 */
function kwokStages() {
  const dl = spawnSync('go', ['mod', 'download', '-json', `sigs.k8s.io/kwok@${KWOK_VERSION}`], { encoding: 'utf8' });
  if (dl.status !== 0) throw new Error(`go mod download sigs.k8s.io/kwok@${KWOK_VERSION} failed:\n${dl.stderr}${dl.stdout}`);
  const stage = join(JSON.parse(dl.stdout).Dir, 'kustomize', 'stage');
  return ['node/fast/node-initialize.yaml', 'node/heartbeat/node-heartbeat.yaml', 'pod/fast/pod-ready.yaml', 'pod/fast/pod-complete.yaml', 'pod/fast/pod-delete.yaml']
    .map((f) => readFileSync(join(stage, f), 'utf8').trim())
    .join('\n---\n')
    .concat('\n');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function startDetached(bin, args, logFile) {
  const fd = openSync(logFile, 'a');
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  return child.pid;
}

function get(url, token) {
  return new Promise((resolve) => {
    const req = request(url, { rejectUnauthorized: false, headers: token ? { authorization: `Bearer ${token}` } : {}, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function waitFor(what, check, seconds, logFile) {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-25).join('\n') : '';
  throw new Error(`${what} did not become ready within ${seconds}s. Last lines of ${logFile}:\n${tail}`);
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A process whose parent is gone and that nothing reaped yet stays a zombie: dead all the same.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
};

/**
 * The pod annotation that keeps a pod on a kwok node from becoming Ready (kwok's pod-ready stage
 * skips it): a pod that never passes its readiness probe, for a test whose `--wait` must fail.
 */
export const NEVER_READY_ANNOTATION = 'monitor-stack.io/e2e-never-ready';

/**
 * kwok's stages with the pod-ready stage skipping pods annotated {@link NEVER_READY_ANNOTATION},
 * and, when `readyDelayMs` > 0, making a pod Ready that long after it was scheduled (as a
 * container that takes time to start).
 */
function stagesWithNeverReady(text, readyDelayMs = 0) {
  const docs = parseAllDocuments(text).map((d) => d.toJS());
  const ready = docs.find((d) => d?.kind === 'Stage' && d.metadata?.name === 'pod-ready');
  if (!ready) throw new Error('kwok stages: no pod-ready stage');
  ready.spec.selector.matchExpressions.push({ key: `.metadata.annotations["${NEVER_READY_ANNOTATION}"]`, operator: 'DoesNotExist' });
  if (readyDelayMs > 0) ready.spec.delay = { durationMilliseconds: readyDelayMs };
  return docs.map((d) => stringify(d)).join('---\n');
}

/**
 * Starts (or reuses) a control plane in `dir` (default $MONITOR_STACK_CLUSTER_DIR, else the cache).
 * `minimal`: etcd and kube-apiserver only (a second cluster that tests check stays untouched).
 * `context`: the name of the cluster, user and context in its kubeconfig (default e2e).
 * `podReadyDelayMs`: how long kwok takes to make a scheduled pod Ready (default 0: at once).
 * Returns `{ kubeconfig, server, token, pids }`.
 */
export async function up(opts = {}) {
  const bins = build();
  const dir = opts.dir ?? stateDir();
  const context = opts.context ?? 'e2e';
  const statePath = join(dir, 'state.json');
  if (existsSync(statePath)) {
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    if (state.pids.every(alive) && (await get(`${state.server}/readyz`, state.token)) === 200) return state;
    await down(dir);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcdLog = join(dir, 'etcd.log');
  const apiLog = join(dir, 'kube-apiserver.log');
  const etcdPid = startDetached(
    bins.etcd,
    [
      '--name=default',
      `--data-dir=${join(dir, 'etcd-data')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    etcdLog,
  );
  const token = randomBytes(24).toString('hex');
  writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin,"system:masters"\n`, { mode: 0o600 });
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  writeFileSync(join(dir, 'sa.pub'), publicKey);
  writeFileSync(join(dir, 'sa.key'), privateKey, { mode: 0o600 });
  const server = `https://127.0.0.1:${apiPort}`;
  writeFileSync(statePath, JSON.stringify({ pids: [etcdPid], server, token }));
  await waitFor('etcd', async () => {
    const r = await fetch(`http://127.0.0.1:${etcdClient}/health`).catch(() => null);
    return r?.ok ?? false;
  }, 60, etcdLog);
  const apiArgs = [
    `--etcd-servers=http://127.0.0.1:${etcdClient}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${apiPort}`,
    `--cert-dir=${join(dir, 'certs')}`,
    `--token-auth-file=${join(dir, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${join(dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    '--allow-privileged=true',
    '--enable-priority-and-fairness=false',
    '--profiling=false',
    '--v=1',
  ];
  const apiPid = startDetached(bins.apiserver, apiArgs, apiLog);
  const state = { pids: [etcdPid, apiPid], server, token, kubeconfig: join(dir, 'kubeconfig'), apiserver: { bin: bins.apiserver, args: apiArgs, log: apiLog } };
  writeFileSync(statePath, JSON.stringify(state));
  await waitFor('kube-apiserver', async () => (await get(`${server}/readyz`, token)) === 200, 120, apiLog);
  writeFileSync(
    state.kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${context}`,
      '  cluster:',
      `    server: ${server}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      `- name: ${context}-admin`,
      '  user:',
      `    token: ${token}`,
      'contexts:',
      `- name: ${context}`,
      `  context: {cluster: ${context}, user: ${context}-admin}`,
      `current-context: ${context}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  if (opts.minimal) return state;
  const cmPort = await freePort();
  const cmLog = join(dir, 'kube-controller-manager.log');
  const cmPid = startDetached(
    bins.controllerManager,
    [
      `--kubeconfig=${state.kubeconfig}`,
      `--authentication-kubeconfig=${state.kubeconfig}`,
      `--authorization-kubeconfig=${state.kubeconfig}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${cmPort}`,
      `--cert-dir=${join(dir, 'cm-certs')}`,
      '--leader-elect=false',
      `--service-account-private-key-file=${join(dir, 'sa.key')}`,
      '--use-service-account-credentials=false',
      // kwok's nodes report Ready by a heartbeat every 20 s; on a loaded machine a late one would let
      // the node lifecycle controller taint them unreachable and evict every pod. They never fail.
      '--node-monitor-grace-period=10m',
      '--v=1',
    ],
    cmLog,
  );
  state.pids.push(cmPid);
  writeFileSync(statePath, JSON.stringify(state));
  await waitFor('kube-controller-manager', async () => (await get(`https://127.0.0.1:${cmPort}/healthz`)) === 200, 120, cmLog);

  // Readiness: the scheduler places pods on fake nodes that kwok runs (pods become Running and
  // Ready), and a stand-in provisioner gives each claim a volume.
  const schedPort = await freePort();
  const schedLog = join(dir, 'kube-scheduler.log');
  // kwok nodes run no process, so host ports never collide: without the NodePorts filter, each
  // stack's node-exporter (hostPort 9100) lands on every node, as it would on separate clusters.
  const schedConfig = join(dir, 'kube-scheduler.yaml');
  writeFileSync(
    schedConfig,
    [
      'apiVersion: kubescheduler.config.k8s.io/v1',
      'kind: KubeSchedulerConfiguration',
      'leaderElection: {leaderElect: false}',
      `clientConnection: {kubeconfig: ${JSON.stringify(state.kubeconfig)}}`,
      'profiles:',
      '- schedulerName: default-scheduler',
      '  plugins:',
      '    multiPoint:',
      '      disabled: [{name: NodePorts}]',
      '',
    ].join('\n'),
  );
  state.pids.push(
    startDetached(
      bins.scheduler,
      [
        `--config=${schedConfig}`,
        `--authentication-kubeconfig=${state.kubeconfig}`,
        `--authorization-kubeconfig=${state.kubeconfig}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${schedPort}`,
        '--v=1',
      ],
      schedLog,
    ),
  );
  const kwokLog = join(dir, 'kwok.log');
  const kwokStages = join(dir, 'kwok-stages.yaml');
  writeFileSync(kwokStages, stagesWithNeverReady(readFileSync(bins.kwokStages, 'utf8'), opts.podReadyDelayMs));
  state.pids.push(
    startDetached(
      bins.kwok,
      [
        `--kubeconfig=${state.kubeconfig}`,
        '--manage-all-nodes=false',
        '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
        '--cidr=10.0.0.0/16',
        '--node-ip=127.0.0.1',
        `--config=${kwokStages}`,
        `--server-address=127.0.0.1:${await freePort()}`,
      ],
      kwokLog,
    ),
  );
  state.pids.push(startDetached(process.execPath, [fileURLToPath(new URL('./volume-binder.mjs', import.meta.url)), server, join(dir, 'tokens.csv')], join(dir, 'volume-binder.log')));
  writeFileSync(statePath, JSON.stringify(state));
  await waitFor('kube-scheduler', async () => (await get(`https://127.0.0.1:${schedPort}/healthz`)) === 200, 120, schedLog);
  applyFixtures(state.kubeconfig);
  return state;
}

/** StorageClasses, an IngressClass, the ClusterIssuer CRD and one ClusterIssuer; the fake nodes, once kwok has made them Ready. */
function applyFixtures(kubeconfig) {
  const { kubectl } = ensureTools();
  const k = (...args) => run(kubectl, [`--kubeconfig=${kubeconfig}`, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  k('apply', '-f', join(FIXTURES, 'crds.yaml'));
  k('wait', '--for=condition=Established', '--timeout=60s', 'crd/clusterissuers.cert-manager.io');
  k('apply', '-f', join(FIXTURES, 'objects.yaml'));
  k('apply', '-f', join(FIXTURES, 'nodes.yaml'));
  k('wait', '--for=condition=Ready', '--timeout=60s', 'node', '--all');
}

/**
 * Kills the kube-apiserver of the control plane in `dir` (SIGKILL: a crash, not a drain) and
 * waits until it is gone: the API is unreachable until {@link startApiServer}.
 */
export async function stopApiServer(dir = stateDir()) {
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
  const pid = state.pids[1];
  try {
    process.kill(pid, 'SIGKILL');
  } catch {}
  const until = Date.now() + 10_000;
  while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
}

/** Starts the kube-apiserver of `dir` again, as `up` did (same port, etcd and certificates), and waits until it is ready. */
export async function startApiServer(dir = stateDir()) {
  const statePath = join(dir, 'state.json');
  const state = JSON.parse(readFileSync(statePath, 'utf8'));
  if (alive(state.pids[1])) return;
  state.pids[1] = startDetached(state.apiserver.bin, state.apiserver.args, state.apiserver.log);
  writeFileSync(statePath, JSON.stringify(state));
  await waitFor('kube-apiserver (restarted)', async () => (await get(`${state.server}/readyz`, state.token)) === 200, 120, state.apiserver.log);
}

/** Stops the control plane started by `up` in `dir` and removes its state. */
export async function down(dir = stateDir()) {
  const statePath = join(dir, 'state.json');
  if (existsSync(statePath)) {
    const { pids } = JSON.parse(readFileSync(statePath, 'utf8'));
    for (const pid of [...pids].reverse()) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {}
    }
    const until = Date.now() + 10_000;
    while (pids.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cmd = process.argv[2];
  try {
    if (cmd === 'up') {
      const state = await up();
      log(`kube-apiserver ${KUBERNETES_VERSION} at ${state.server}; stop it with: npm run cluster -- down`);
      process.stdout.write(`KUBECONFIG=${state.kubeconfig}\n`);
    } else if (cmd === 'down') {
      await down();
      log('stopped');
    } else if (cmd === 'build') {
      console.log(JSON.stringify(build()));
    } else {
      console.error('usage: npm run cluster -- up|down|build');
      process.exit(2);
    }
  } catch (err) {
    console.error(`cluster: ${err.message}`);
    process.exit(1);
  }
}
