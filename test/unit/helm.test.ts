/** argv for Helm 3 and Helm 4, built by HelmClient, recorded by a fake runner (the e2e tier runs real helm). */
import { describe, expect, it } from 'vitest';
import { parseChartSource, passesVersionFlag } from '../../src/charts.js';
import { HelmClient, lastLines, parseHelmVersion, repositoryName, type HelmResult, type HelmRunner } from '../../src/helm/client.js';
import type { ReleasePlan } from '../../src/plan.js';
import { UsageError } from '../../src/errors.js';

class RecordingRunner implements HelmRunner {
  readonly calls: string[][] = [];
  constructor(
    readonly binary: string,
    private readonly answer: (args: string[]) => HelmResult | Error,
  ) {}
  async run(args: string[]): Promise<HelmResult> {
    this.calls.push(args);
    const a = this.answer(args);
    if (a instanceof Error) throw a;
    return a;
  }
}
const ok = (stdout = ''): HelmResult => ({ exitCode: 0, stdout, stderr: '' });
const plan = (source: ReleasePlan['source']) => ({ release: 'prometheus', namespace: 'monitoring', version: '29.27.0', pinVersion: passesVersionFlag(source) });

async function client(version: string, context?: string) {
  const runner = new RecordingRunner('helm', (args) => (args[0] === 'version' ? ok(version) : ok('[]')));
  return { helm: await HelmClient.detect(runner, context), runner };
}

describe('version detection', () => {
  it('reads Helm 3 and Helm 4', async () => {
    expect((await client('v3.18.0')).helm.version).toEqual({ major: 3, minor: 18, patch: 0, text: 'v3.18.0' });
    expect((await client('v4.1.4')).helm.isHelm4).toBe(true);
  });
  it('refuses helm older than 3.14 and unreadable output', () => {
    expect(() => parseHelmVersion('v3.13.3', 'helm')).toThrow(/needs helm 3.14 or newer/);
    expect(() => parseHelmVersion('v2.17.0', 'helm')).toThrow(UsageError);
    expect(() => parseHelmVersion('garbage', 'helm')).toThrow(/cannot read the version/);
  });
  it('reads the version at its edges: 3.14.0 is the oldest accepted, multi-digit parts, a leading v optional', () => {
    expect(parseHelmVersion('v3.14.0\n', 'helm')).toEqual({ major: 3, minor: 14, patch: 0, text: 'v3.14.0' });
    expect(parseHelmVersion('3.18.10', 'helm').text).toBe('v3.18.10');
    expect(parseHelmVersion('v10.2.3', 'helm')).toMatchObject({ major: 10, minor: 2 });
    expect(() => parseHelmVersion('v3.13.9', '/opt/helm')).toThrow('/opt/helm is helm v3.13.9; monitor-stack needs helm 3.14 or newer (Helm 3 or Helm 4).');
    try {
      parseHelmVersion('v3.13.9', 'helm');
    } catch (err) {
      expect((err as UsageError).hints).toEqual(['Fix: install a newer helm, or point --helm (or MONITOR_STACK_HELM) at one.']);
    }
    expect(() => parseHelmVersion('  not helm  ', 'helm')).toThrow(new UsageError('cannot read the version of helm (it printed "not helm").'));
  });
  it('a helm that fails to report its version names its own message and the fix', async () => {
    const runner = new RecordingRunner('/opt/helm', () => ({ exitCode: 1, stdout: '', stderr: 'Error: plugin crashed\n' }));
    const err = await HelmClient.detect(runner).then(() => undefined, (e: unknown) => e as UsageError);
    expect(err).toBeInstanceOf(UsageError);
    expect(err!.message).toBe('"/opt/helm version" failed: plugin crashed');
    expect(err!.hints).toEqual(['Fix: point --helm (or MONITOR_STACK_HELM) at a working helm 3.14+ or Helm 4 binary.']);
    const other = new RecordingRunner('helm', () => Object.assign(new Error('spawn EACCES'), { code: 'EACCES' }));
    await expect(HelmClient.detect(other)).rejects.toThrow('spawn EACCES');
  });
  it('a missing binary is a usage error that says how to fix it', async () => {
    const runner = new RecordingRunner('/nope/helm', () => Object.assign(new Error('spawn ENOENT'), { code: 'ENOENT' }));
    await expect(HelmClient.detect(runner)).rejects.toThrow('helm not found (looked for "/nope/helm").');
  });
});

describe('upgrade argv', () => {
  const o = { valuesFile: '/tmp/x/prometheus.values.yaml', dryRun: false, wait: true, timeout: '10m' };
  const base = ['upgrade', 'prometheus', 'monitor-stack-prometheus-community/prometheus', '--install', '--namespace', 'monitoring', '--create-namespace', '--version', '29.27.0', '--values', '/tmp/x/prometheus.values.yaml', '--reset-values', '--timeout', '10m', '--output', 'json'];
  const repo = plan({ kind: 'repository', url: 'https://prometheus-community.github.io/helm-charts' });
  const ref = 'monitor-stack-prometheus-community/prometheus';

  it('Helm 3: --atomic --wait', async () => {
    const { helm } = await client('v3.18.0');
    expect(helm.upgradeArgs(repo, ref, o)).toEqual([...base, '--atomic', '--wait']);
  });
  it('Helm 4: --rollback-on-failure --wait=watcher, and --force-conflicts (server-side apply takes edited fields back)', async () => {
    const { helm } = await client('v4.1.4');
    expect(helm.upgradeArgs(repo, ref, o)).toEqual([...base, '--rollback-on-failure', '--wait=watcher', '--server-side=true', '--force-conflicts']);
  });
  it('Helm 4, a release applied client-side (installed with Helm 3): --server-side=false and no --force-conflicts, which Helm 4 refuses there', async () => {
    const { helm } = await client('v4.1.4');
    expect(helm.upgradeArgs(repo, ref, { ...o, serverSide: false })).toEqual([...base, '--rollback-on-failure', '--wait=watcher', '--server-side=false']);
    expect(helm.upgradeArgs(repo, ref, { ...o, serverSide: false, dryRun: true })).toEqual([...base, '--dry-run=server', '--server-side=true', '--force-conflicts']);
    expect((await client('v3.18.0')).helm.upgradeArgs(repo, ref, { ...o, serverSide: true })).toEqual([...base, '--atomic', '--wait']);
  });
  it('dry run is server-side on both, and never waits', async () => {
    expect((await client('v3.18.0')).helm.upgradeArgs(repo, ref, { ...o, dryRun: true })).toEqual([...base, '--dry-run=server']);
    expect((await client('v4.1.4')).helm.upgradeArgs(repo, ref, { ...o, dryRun: true })).toEqual([...base, '--dry-run=server', '--server-side=true', '--force-conflicts']);
  });
  it('--no-wait adds neither wait nor rollback flags', async () => {
    expect((await client('v3.18.0')).helm.upgradeArgs(repo, ref, { ...o, wait: false })).toEqual(base);
    expect((await client('v4.1.4')).helm.upgradeArgs(repo, ref, { ...o, wait: false })).toEqual([...base, '--server-side=true', '--force-conflicts']);
  });
  it('kube context goes before the namespace; a local chart has no --version', async () => {
    const { helm } = await client('v4.1.4', 'prod-eu');
    const args = helm.upgradeArgs(plan({ kind: 'local', path: './charts/prometheus' }), '/abs/charts/prometheus', o);
    expect(args.slice(0, 8)).toEqual(['upgrade', 'prometheus', '/abs/charts/prometheus', '--install', '--kube-context', 'prod-eu', '--namespace', 'monitoring']);
    expect(args).not.toContain('--version');
  });
});

describe('other argv', () => {
  it('repo add is idempotent under a prefixed name (and fetches the index: no repo update)', async () => {
    const { helm } = await client('v3.18.0');
    expect(helm.repoAddArgs('monitor-stack-grafana', 'https://x')).toEqual(['repo', 'add', 'monitor-stack-grafana', 'https://x', '--force-update']);
    expect(repositoryName('https://x', 'grafana-community')).toBe('monitor-stack-grafana-community');
    expect(repositoryName('http://127.0.0.1:8080')).toMatch(/^monitor-stack-[0-9a-f]{10}$/);
  });
  it('template renders without the cluster, pinned unless local', async () => {
    const { helm } = await client('v3.18.0', 'prod');
    expect(helm.templateArgs(plan({ kind: 'oci', reference: 'oci://r/prometheus' }), 'oci://r/prometheus', '/t/v.yaml')).toEqual(['template', 'prometheus', 'oci://r/prometheus', '--namespace', 'monitoring', '--version', '29.27.0', '--values', '/t/v.yaml']);
    expect(helm.templateArgs(plan({ kind: 'local', path: './p' }), '/abs/p', '/t/v.yaml')).not.toContain('--version');
  });
  it('rollback does not wait; uninstall is scoped', async () => {
    const { helm } = await client('v4.1.4');
    expect(helm.rollbackArgs('grafana', 3, 'monitoring', '5m')).toEqual(['rollback', 'grafana', '3', '--namespace', 'monitoring', '--timeout', '5m', '--server-side=true', '--force-conflicts']);
    expect(helm.rollbackArgs('grafana', 3, 'monitoring', '5m', false)).toEqual(['rollback', 'grafana', '3', '--namespace', 'monitoring', '--timeout', '5m', '--server-side=false']);
    expect((await client('v3.18.0')).helm.rollbackArgs('grafana', 3, 'monitoring', '5m')).not.toContain('--force-conflicts');
    expect(helm.uninstallArgs('grafana', 'monitoring')).toEqual(['uninstall', 'grafana', '--namespace', 'monitoring']);
    expect(helm.uninstallArgs('grafana', 'monitoring', '90s')).toEqual(['uninstall', 'grafana', '--namespace', 'monitoring', '--timeout', '90s']);
  });
  it('a failing call becomes an OperationError with helm\'s message', async () => {
    const runner = new RecordingRunner('helm', (a) => (a[0] === 'version' ? ok('v4.1.4') : { exitCode: 1, stdout: '', stderr: 'some noise\nError: Kubernetes cluster unreachable: connection refused\n' }));
    const helm = await HelmClient.detect(runner);
    await expect(helm.run(['repo', 'add', 'x', 'https://x'], 'helm repo add x')).rejects.toThrow('helm repo add x failed: Kubernetes cluster unreachable: connection refused');
    expect(runner.calls).toHaveLength(2);
  });
  it('lastLines keeps helm\'s Error line and cuts long ones', () => {
    expect(lastLines(`x\nError: ${'y'.repeat(500)}\nmore`)).toBe(`${'y'.repeat(400)}…`);
    expect(lastLines(`x\nError: ${'y'.repeat(400)}\nmore`)).toBe('y'.repeat(400));
    expect(lastLines('  first\nlast line\n\n')).toBe('last line');
    expect(lastLines('warning: Error: inside\nend')).toBe('end');
    expect(lastLines('')).toBe('');
  });
});

describe('pinning', () => {
  it('a repository and an oci:// chart always get --version; a local folder does not (preflight checks its Chart.yaml)', () => {
    expect(passesVersionFlag(parseChartSource('https://charts.example.com/'))).toBe(true);
    expect(passesVersionFlag(parseChartSource('oci://registry.example.com/charts/prometheus'))).toBe(true);
    expect(passesVersionFlag(parseChartSource('./vendor/prometheus'))).toBe(false);
    expect(passesVersionFlag(parseChartSource('/abs/oci/prometheus'))).toBe(false);
  });
});
