/**
 * The one adapter to the helm binary. Detects the helm version once and builds argv for it:
 * Helm 3 (3.14 or newer) and Helm 4 differ in the flags that make an upgrade safe:
 *
 * | what                      | Helm 3                  | Helm 4                                   |
 * |---------------------------|-------------------------|------------------------------------------|
 * | roll back a failed upgrade| `--atomic` (implies --wait) | `--rollback-on-failure` (4.0; implies --wait=watcher) |
 * | wait for readiness        | `--wait`                | `--wait=watcher` (4.0: a strategy)       |
 * | server-side dry run       | `--dry-run=server` (3.13)| `--dry-run=server`                      |
 * | fields someone edited     | overwritten by the 3-way merge | `--force-conflicts` (4.0): server-side apply takes them back, as the plan showed |
 *
 * No argv built here ever holds a secret value: overlays reference Secrets by name.
 */
import { createHash } from 'node:crypto';
import { OperationError, UsageError } from '../errors.js';
import type { ChartSource } from '../charts.js';
import type { ReleasePlan } from '../plan.js';

/** What `helm upgrade` needs to know of a release besides the chart reference. */
export interface UpgradeTarget {
  release: string;
  namespace: string;
  version: string;
  /** Pass `--version` (every source but a local chart folder). */
  pinVersion: boolean;
}

export interface HelmVersion {
  major: number;
  minor: number;
  patch: number;
  /** As helm prints it, e.g. `v3.18.0`. */
  text: string;
}

/** Oldest helm monitor-stack supports: 3.14 (repo update by name, --dry-run=server, -o json everywhere). */
export const MIN_HELM = { major: 3, minor: 14 } as const;

/**
 * Parses `helm version --template {{.Version}}` output.
 * @throws UsageError when the version is unreadable or older than 3.14.
 */
export function parseHelmVersion(output: string, binary: string): HelmVersion {
  const m = /v?(\d+)\.(\d+)\.(\d+)/.exec(output.trim());
  if (!m) throw new UsageError(`cannot read the version of ${binary} (it printed "${output.trim().slice(0, 80)}").`);
  const v = { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: `v${m[1]}.${m[2]}.${m[3]}` };
  if (v.major < MIN_HELM.major || (v.major === MIN_HELM.major && v.minor < MIN_HELM.minor)) {
    throw new UsageError(`${binary} is helm ${v.text}; monitor-stack needs helm 3.14 or newer (Helm 3 or Helm 4).`, [
      'Fix: install a newer helm, or point --helm (or MONITOR_STACK_HELM) at one.',
    ]);
  }
  return v;
}

/** Result of one helm call. */
export interface HelmResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with argv; the real one uses execa, tests may record calls. */
export interface HelmRunner {
  readonly binary: string;
  run(args: string[]): Promise<HelmResult>;
  /** helm calls running now (for the Ctrl-C messages); a recording fake has none. */
  running?(): { label: string; pid: number; seconds: number }[];
}

export interface UpgradeOptions {
  /** Path of the overlay file. */
  valuesFile: string;
  dryRun: boolean;
  /** Wait for readiness and roll back on failure (helm's own atomic upgrade). */
  wait: boolean;
  /** helm duration, e.g. `10m`. */
  timeout: string;
  /**
   * Helm 4 only (`--server-side`, Helm 4.0.0): apply server-side, with `--force-conflicts` so that
   * edits made with kubectl do not block it (default), or client-side, as a release installed with
   * Helm 3 was: Helm 4 refuses `--force-conflicts` there ("forceConflicts enabled when
   * serverSideApply disabled"). A dry run is always server-side: it renders and validates only.
   */
  serverSide?: boolean;
}

/** Name monitor-stack gives a chart repository in helm's repository list. Prefixed so a user's own entries are never overwritten. */
export function repositoryName(url: string, knownName?: string): string {
  return `monitor-stack-${knownName ?? createHash('sha256').update(url).digest('hex').slice(0, 10)}`;
}

/** The CHART argument of `helm upgrade` for a plan. */
export function chartReference(plan: Pick<ReleasePlan, 'chart' | 'source'>, repoName: (source: ChartSource & { kind: 'repository' }) => string): string {
  switch (plan.source.kind) {
    case 'repository':
      return `${repoName(plan.source)}/${plan.chart}`;
    case 'oci':
      return plan.source.reference;
    case 'local':
      return plan.source.path;
  }
}

export class HelmClient {
  constructor(
    readonly runner: HelmRunner,
    readonly version: HelmVersion,
    /** `--kube-context`, when not the current context. */
    readonly kubeContext?: string,
  ) {}

  /**
   * Finds helm and reads its version.
   * @throws UsageError when the binary is missing or too old.
   */
  static async detect(runner: HelmRunner, kubeContext?: string): Promise<HelmClient> {
    let result: HelmResult;
    try {
      result = await runner.run(['version', '--template', '{{.Version}}']);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new UsageError(`helm not found (looked for "${runner.binary}").`, [
          'monitor-stack drives the helm binary: install Helm 3.14+ or Helm 4 (https://helm.sh/docs/intro/install/),',
          'or point --helm (or MONITOR_STACK_HELM) at it.',
        ]);
      }
      throw err;
    }
    if (result.exitCode !== 0) {
      throw new UsageError(`"${runner.binary} version" failed: ${lastLines(result.stderr || result.stdout)}`, ['Fix: point --helm (or MONITOR_STACK_HELM) at a working helm 3.14+ or Helm 4 binary.']);
    }
    return new HelmClient(runner, parseHelmVersion(result.stdout, runner.binary), kubeContext);
  }

  get isHelm4(): boolean {
    return this.version.major >= 4;
  }

  private scoped(namespace: string): string[] {
    return [...(this.kubeContext ? ['--kube-context', this.kubeContext] : []), '--namespace', namespace];
  }

  /**
   * `helm repo add NAME URL --force-update`: idempotent for our own prefixed names, and it
   * downloads the repository index, so no `helm repo update` is needed after it.
   */
  repoAddArgs(name: string, url: string): string[] {
    return ['repo', 'add', name, url, '--force-update'];
  }

  /** `helm upgrade --install` with the pinned version, namespace and overlay, as JSON output. */
  upgradeArgs(plan: UpgradeTarget, chartRef: string, o: UpgradeOptions): string[] {
    const args = ['upgrade', plan.release, chartRef, '--install', ...this.scoped(plan.namespace), '--create-namespace'];
    if (plan.pinVersion) args.push('--version', plan.version);
    args.push('--values', o.valuesFile, '--reset-values', '--timeout', o.timeout, '--output', 'json');
    if (o.dryRun) args.push('--dry-run=server');
    else if (o.wait) args.push(...(this.isHelm4 ? ['--rollback-on-failure', '--wait=watcher'] : ['--atomic', '--wait']));
    if (this.isHelm4) args.push(...this.applyFlags(o.dryRun || (o.serverSide ?? true)));
    return args;
  }

  /**
   * `helm template`: the manifest rendered without the cluster, used only to name the objects of a
   * release whose server-side dry run helm refused (an object owned by another release).
   */
  templateArgs(plan: UpgradeTarget, chartRef: string, valuesFile: string): string[] {
    const args = ['template', plan.release, chartRef, '--namespace', plan.namespace];
    if (plan.pinVersion) args.push('--version', plan.version);
    return [...args, '--values', valuesFile];
  }

  /**
   * `helm rollback` to a revision, without waiting: it restores the manifests of a revision that
   * was healthy; waiting on readiness again could leave the release failed a second time.
   */
  rollbackArgs(release: string, revision: number, namespace: string, timeout: string, serverSide = true): string[] {
    return ['rollback', release, String(revision), ...this.scoped(namespace), '--timeout', timeout, ...(this.isHelm4 ? this.applyFlags(serverSide) : [])];
  }

  /**
   * Helm 4's apply method flags (4.0.0): `--server-side=true --force-conflicts`, or
   * `--server-side=false`. Helm 3 has neither (client-side only).
   * @param serverSide for a rollback, the method of the revision rolled back to.
   */
  private applyFlags(serverSide: boolean): string[] {
    return serverSide ? ['--server-side=true', '--force-conflicts'] : ['--server-side=false'];
  }

  /**
   * `helm uninstall`; `timeout` (e.g. `10m`) bounds each Kubernetes operation it waits for, such as
   * a hook Job (`--timeout`, Helm 3 and 4).
   */
  uninstallArgs(release: string, namespace: string, timeout?: string): string[] {
    return ['uninstall', release, ...this.scoped(namespace), ...(timeout ? ['--timeout', timeout] : [])];
  }

  /**
   * Runs helm and returns stdout.
   * @throws OperationError with helm's own message when it exits non-zero.
   */
  async run(args: string[], what: string): Promise<string> {
    const r = await this.runner.run(args);
    if (r.exitCode !== 0) {
      throw new OperationError(`${what} failed: ${lastLines(r.stderr || r.stdout)}`, [`command: ${this.runner.binary} ${args.join(' ')}`]);
    }
    return r.stdout;
  }
}

/**
 * The message of helm's error output: its `Error:` line (without the prefix), else the last line;
 * cut to 400 characters, as helm embeds whole object diffs in some messages.
 */
export function lastLines(text: string): string {
  const lines = text.trim().split('\n');
  const line = lines.find((l) => l.startsWith('Error: ')) ?? lines[lines.length - 1] ?? '';
  const message = line.replace(/^Error: /, '');
  return message.length > 400 ? `${message.slice(0, 400)}…` : message;
}
