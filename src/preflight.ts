/**
 * Preflight: every check that can fail before anything changes, run together and reported as
 * grouped lines (as `linkerd check` does). Nothing here writes to the cluster.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import type { Settings } from './config/schema.js';
import { grafanaAdminSecretName, GRAFANA_ADMIN_KEYS } from './overlays/grafana.js';
import type { SecretFile } from './overlays/secret-files.js';
import { stackSecretPlans } from './secrets.js';
import { checkSecretValue, SECRET_FIELD_KINDS } from './validate.js';
import type { KubeClient, ClassInfo } from './kube/client.js';
import type { ReleasePlan } from './plan.js';
import { storageClassChanges } from './safety.js';

export interface CheckResult {
  group: string;
  ok: boolean;
  /** One line: what was checked and found. */
  message: string;
  /** Lines under a failure: what is available, what to do. */
  hints?: string[];
}

const classList = (items: ClassInfo[]) =>
  items.length ? items.map((i) => `${i.name}${i.isDefault ? ' (default)' : ''}`).join(', ') : 'none';

/**
 * Checks the objects the settings name against the cluster, and local chart folders.
 * @param configDir folder local chart sources are relative to.
 * @param storageClasses the cluster's StorageClasses (read once by the caller).
 * @returns one result per check; failures have `ok: false`.
 */
export async function checkCluster(kube: KubeClient, s: Settings, plans: ReleasePlan[], configDir: string, storageClasses: ClassInfo[]): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const pass = (group: string, message: string) => results.push({ group, ok: true, message });
  const fail = (group: string, message: string, hints: string[]) => results.push({ group, ok: false, message, hints });

  const nsExists = await kube.namespaceExists(s.namespace);
  pass('kubernetes-api', nsExists ? `namespace ${s.namespace} exists` : `namespace ${s.namespace} does not exist yet: it will be created`);

  const usesVolumes = s.prometheus.persistence || (s.components.alertmanager && s.alertmanager.persistence) || (s.components.grafana && s.grafana.persistence);
  if (s.storageClass) {
    if (storageClasses.some((c) => c.name === s.storageClass)) pass('cluster objects', `StorageClass ${s.storageClass} exists`);
    else {
      const def = storageClasses.find((c) => c.isDefault) ?? storageClasses[0];
      fail('cluster objects', `StorageClass "${s.storageClass}" does not exist in context ${kube.context}.`, [
        `Available: ${classList(storageClasses)}.`,
        `Fix: --storage-class ${def?.name ?? '<name>'}, or create the StorageClass first.`,
      ]);
    }
  } else if (usesVolumes) {
    const def = storageClasses.find((c) => c.isDefault);
    if (def) pass('cluster objects', `volumes use the default StorageClass ${def.name}`);
    else
      fail('cluster objects', 'volumes are on but the cluster has no default StorageClass.', [
        `Available: ${classList(storageClasses)}.`,
        'Fix: --storage-class <name>, or choose the minimal preset (no volumes).',
      ]);
  }

  const hasHosts = Object.values(s.ingress.hosts).some(Boolean);
  if (hasHosts) {
    const ingressClasses = await kube.listIngressClasses();
    if (s.ingress.className) {
      if (ingressClasses.some((c) => c.name === s.ingress.className)) pass('cluster objects', `IngressClass ${s.ingress.className} exists`);
      else
        fail('cluster objects', `IngressClass "${s.ingress.className}" does not exist in context ${kube.context}.`, [
          `Available: ${classList(ingressClasses)}.`,
          `Fix: --ingress-class ${ingressClasses.find((c) => c.isDefault)?.name ?? ingressClasses[0]?.name ?? '<name>'}, or install an ingress controller first.`,
        ]);
    } else if (!ingressClasses.some((c) => c.isDefault)) {
      fail('cluster objects', 'ingress hosts are set but no IngressClass is named and the cluster has no default one.', [
        `Available: ${classList(ingressClasses)}.`,
        'Fix: --ingress-class <name>.',
      ]);
    }
  }

  if (s.tls.clusterIssuer) {
    const issuers = await kube.listClusterIssuers();
    if (issuers === null) fail('cluster objects', `ClusterIssuer "${s.tls.clusterIssuer}" is named but cert-manager is not installed (no clusterissuers.cert-manager.io CRD).`, ['Fix: install cert-manager, or use --tls-secret / --no-tls.']);
    else if (issuers.includes(s.tls.clusterIssuer)) pass('cluster objects', `ClusterIssuer ${s.tls.clusterIssuer} exists`);
    else
      fail('cluster objects', `ClusterIssuer "${s.tls.clusterIssuer}" does not exist.`, [
        `Available: ${issuers.length ? issuers.join(', ') : 'none'}.`,
        `Fix: --tls-issuer ${issuers[0] ?? '<name>'}, or create the ClusterIssuer first.`,
      ]);
  }

  /**
   * The data of Secret `name` when it has every key in `keys`, else `undefined` (and a failure
   * naming what is missing). One read serves the key check and the value checks below; values stay
   * in memory and no message shows them.
   */
  const needSecret = async (name: string, keys: string[], what: string): Promise<Record<string, string> | undefined> => {
    const data = nsExists ? await kube.readSecretData(s.namespace, name) : null;
    if (data === null) {
      fail('secrets', `Secret "${name}" (${what}) does not exist in namespace ${s.namespace}.`, [`Fix: create it first (kubectl -n ${s.namespace} create secret …), or change the reference.`]);
      return undefined;
    }
    const found = Object.keys(data);
    const missing = keys.filter((k) => !found.includes(k));
    if (missing.length) {
      fail('secrets', `Secret "${name}" (${what}) has no key ${missing.map((k) => `"${k}"`).join(', ')}.`, [`Keys present: ${found.join(', ') || 'none'}.`]);
      return undefined;
    }
    pass('secrets', `Secret ${name} has ${keys.join(', ')}`);
    return data;
  };
  if (s.tls.secretName && hasHosts) await needSecret(s.tls.secretName, ['tls.crt', 'tls.key'], 'TLS certificate');
  if (s.components.grafana && s.grafana.adminSecret) {
    const name = grafanaAdminSecretName(s);
    const data = await needSecret(name, [GRAFANA_ADMIN_KEYS.user, GRAFANA_ADMIN_KEYS.password], 'Grafana admin');
    // Grafana would start with an empty or multi-line admin and nobody could log in: judged like a password.
    for (const key of data ? [GRAFANA_ADMIN_KEYS.user, GRAFANA_ADMIN_KEYS.password] : []) {
      const problem = checkSecretValue('password', data![key]!);
      if (problem) fail('secrets', `Secret "${name}" (Grafana admin) key "${key}": the value ${problem}; the value is not shown.`, [`Fix: kubectl -n ${s.namespace} edit secret ${name}.`]);
    }
  }
  for (const { what, plan } of stackSecretPlans(s)) {
    const bySecret = new Map<string, SecretFile[]>();
    for (const f of plan.files.values()) {
      if (f.ref.kind === 'secret') bySecret.set(f.secretName, [...(bySecret.get(f.secretName) ?? []), f]);
    }
    for (const [name, files] of bySecret) {
      const data = await needSecret(name, [...new Set(files.map((f) => f.key))], what);
      // The values are judged like env: and file: ones.
      for (const f of data ? files : []) {
        const problem = checkSecretValue(SECRET_FIELD_KINDS[f.field]!, data![f.key]!);
        if (problem) fail('secrets', `secret:${name}/${f.key} (${f.owner}, ${f.field}): the value ${problem}; the value is not shown.`, [`Fix: kubectl -n ${s.namespace} edit secret ${name}, or point the ${f.owner.split(' ').slice(0, -1).join(' ')} at another key.`]);
      }
    }
  }

  for (const plan of plans) {
    if (plan.source.kind === 'local') {
      const path = resolve(configDir, plan.source.path);
      const found = readChartYaml(path);
      const setting = `charts.${plan.id}`;
      if (!found) fail('charts', `local chart folder ${path} (release ${plan.release}) has no readable Chart.yaml.`, [`Fix: correct ${setting}.source in monitor-stack.yaml.`]);
      else if (found.name !== plan.chart || found.version !== plan.version)
        // helm ignores --version for a folder: this check is what pins a local chart.
        fail('charts', `local chart folder ${path} holds chart ${found.name} ${found.version}, but release ${plan.release} is pinned to ${plan.chart} ${plan.version}.`, [
          found.name === plan.chart
            ? `Fix: vendor ${plan.chart} ${plan.version} there (helm pull <repo>/${plan.chart} --version ${plan.version} --untar), or set ${setting}.version: ${found.version} if that version is meant.`
            : `Fix: point ${setting}.source at a folder holding chart ${plan.chart}.`,
        ]);
      else pass('charts', `local chart ${path} is ${found.name} ${found.version}`);
    }
  }
  return results;
}

/**
 * StorageClass changes on volumes of installed releases, which the cluster would refuse in the
 * middle of the upgrade (safety.ts). Pure.
 * @param current user-supplied values of each installed release, by release name.
 * @param defaultClass the cluster's default StorageClass.
 */
export function checkVolumeChanges(plans: ReleasePlan[], current: Map<string, Record<string, unknown>>, defaultClass: string | undefined): CheckResult[] {
  return plans.flatMap((plan) =>
    current.has(plan.release)
      ? storageClassChanges(plan.id, plan.release, current.get(plan.release), plan.values, defaultClass).map((message) => ({
          group: 'volumes',
          ok: false,
          message,
          hints: [
            'Fix: keep the StorageClass the release was installed with (set it for this environment in monitor-stack.yaml),',
            'or move the data to new volumes first (back up, uninstall the release, delete its PVCs, upgrade).',
          ],
        }))
      : [],
  );
}

/** `name` and `version` of a chart folder's Chart.yaml; `undefined` when it is missing or unreadable. */
function readChartYaml(folder: string): { name: string; version: string } | undefined {
  try {
    const chart = parse(readFileSync(resolve(folder, 'Chart.yaml'), 'utf8')) as { name?: unknown; version?: unknown } | null;
    return { name: String(chart?.name ?? ''), version: String(chart?.version ?? '') };
  } catch {
    return undefined;
  }
}
