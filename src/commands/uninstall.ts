/**
 * `monitor-stack uninstall --env E`: removes the stack's releases, newest first (helm uninstall),
 * and keeps the data: the PVCs (those of the manifests carry helm.sh/resource-policy: keep, those
 * of StatefulSets are never helm's) and the Secrets monitor-stack wrote (receiver secrets, the
 * generated Grafana admin password). The stack history stays too, with the uninstall recorded.
 *
 * `--delete-data` also deletes those PVCs and Secrets once every release is gone. It asks for the
 * namespace to be typed; `--yes` does not skip that, `--confirm-namespace NS` does (CI).
 */
import type { CommandContext } from '../cli.js';
import { parseManifest } from '../core/manifest.js';
import { stackVolumeClaims } from '../core/volumes.js';
import { CancelledError, OperationError, UsageError } from '../errors.js';
import { lastLines } from '../helm/client.js';
import { readStackHistory, recordRun } from '../history.js';
import { InterruptedError } from '../interrupt.js';
import { withLock } from '../lock.js';
import { grafanaAdminSecretName } from '../overlays/grafana.js';
import { managedReceiverSecretName } from '../overlays/receivers.js';
import { managedRemoteWriteSecretName } from '../overlays/remote-write.js';
import { settingsHash } from '../plan.js';
import { loadStack, openCluster, printOutcomes, type ReleaseOutcome } from '../stack.js';
import { approve, isInteractive } from '../ui.js';
import { runOptions } from './run-options.js';

export async function runUninstall(ctx: CommandContext): Promise<void> {
  const o = ctx.options;
  const env = o.env as string;
  const { timeout, lockTimeout, historyMax } = runOptions(o);
  const deleteData = Boolean(o.deleteData);
  const confirm = o.confirmNamespace as string | undefined;
  const loaded = loadStack(ctx);
  const ns = loaded.settings.namespace;
  // Checked before helm or the cluster is reached: a wrong answer changes nothing.
  if (confirm !== undefined && !deleteData) throw new UsageError('--confirm-namespace goes with --delete-data: it confirms which namespace loses its data.');
  if (confirm !== undefined && confirm !== ns) throw new UsageError(`--confirm-namespace "${confirm}" is not the namespace of environment ${env} ("${ns}"); nothing was deleted.`);
  if (deleteData && confirm === undefined && !isInteractive(o)) {
    throw new UsageError(`--delete-data deletes the PVCs and Secrets of namespace ${ns}: not in a terminal it needs --confirm-namespace ${ns} (--yes does not stand for it). Nothing was deleted.`);
  }

  const cluster = await openCluster(ctx, { settings: loaded });
  const { settings, releases, helm, kube, ui } = cluster;
  if (!(await kube.namespaceExists(ns))) {
    ui.line(`Nothing to uninstall: namespace ${ns} does not exist.`);
    return;
  }
  const installed = await kube.readReleases(ns, releases.map((r) => r.release));
  const present = releases.filter((r) => installed[r.release]);
  const resources = present.flatMap((r) => parseManifest(installed[r.release]!.record.manifest, ns));
  const history = await readStackHistory(kube, ns, env);
  // PVCs of the installed manifests, and those an earlier uninstall kept (its release records are gone).
  const keptBefore = new Set(history.filter((h) => h.kind === 'uninstall').at(-1)?.keptVolumes ?? []);
  const claims = await kube.listPersistentVolumeClaims(ns);
  const names = new Set([...stackVolumeClaims(resources, ns, claims.map((c) => c.name)), ...claims.map((c) => c.name).filter((n) => keptBefore.has(n))]);
  const volumes = claims.filter((c) => names.has(c.name)).sort((a, b) => a.name.localeCompare(b.name));
  const secretNames = [managedReceiverSecretName(settings), managedRemoteWriteSecretName(settings), ...(settings.grafana.adminSecret ? [] : [grafanaAdminSecretName(settings)])];
  const secrets: string[] = [];
  for (const name of secretNames) if (await kube.secretKeys(ns, name)) secrets.push(name);

  ui.heading(`Uninstall environment ${env} from ${ns} (context ${kube.context})`);
  for (const r of [...present].reverse()) {
    const rec = installed[r.release]!;
    ui.line(`${r.release}: helm uninstall (revision ${rec.head.latest.revision}, ${rec.head.latest.status}; ${objects(parseManifest(rec.record.manifest, ns).length)} in its manifest)`);
  }
  const data = [...volumes.map((v) => `PersistentVolumeClaim ${v.name} (${v.size}, ${v.phase})`), ...secrets.map((s) => `Secret ${s}`)];
  if (data.length) ui.line(`${deleteData ? 'Deleted too (--delete-data)' : 'Kept'}: ${data.join('; ')}`);
  ui.line(`Kept: the stack history (${history.length} revision${history.length === 1 ? '' : 's'}; monitor-stack history --env ${env})${settings.grafana.adminSecret ? `, Secret ${settings.grafana.adminSecret} (yours)` : ''}.`);
  if (!present.length && !(deleteData && data.length)) {
    ui.line(`Nothing to uninstall: no release of environment ${env} is installed${data.length ? '; its data is kept (--delete-data deletes it)' : ''}.`);
    return;
  }
  if (deleteData && confirm === undefined) {
    const { input } = await import('@inquirer/prompts');
    const typed = await input({ message: `--delete-data deletes ${data.length} PVC(s) and Secret(s) for good. Type the namespace name (${ns}) to go on:` });
    if (typed.trim() !== ns) throw new CancelledError(`"${typed.trim()}" is not ${ns}: nothing was uninstalled or deleted.`);
  }
  await approve(o, `Uninstall ${present.map((r) => r.release).join(', ') || 'nothing'}${deleteData ? ' and delete the data above' : ''}?`, 'the uninstall above was not run');

  await withLock(cluster, ns, env, lockTimeout, async (lock, interrupts) => {
    ui.heading('Uninstalling');
    const outcomes = new Map<string, ReleaseOutcome>();
    const left: string[] = [];
    for (const r of [...present].reverse()) {
      if (interrupts.signal) break;
      const before = installed[r.release]!;
      const res = await helm.runner.run(helm.uninstallArgs(r.release, ns, timeout));
      const now = (await kube.readReleases(ns, [r.release]))[r.release];
      const result = now ? `NOT uninstalled: ${res.exitCode === 0 ? `still ${now.head.latest.status}` : lastLines(res.stderr || res.stdout)}` : 'uninstalled';
      if (now) left.push(`helm uninstall ${r.release} --namespace ${ns}${settings.kubeContext ? ` --kube-context ${kube.context}` : ''}`);
      ui.check({ group: 'releases', ok: !now, message: `${r.release}: ${result}` });
      outcomes.set(r.release, { release: r.release, chart: r.chart, version: before.record.chartVersion, revision: now?.head.latest.revision ?? null, status: now?.head.latest.status ?? 'not installed', result, elapsed: 0 });
    }
    for (const r of present) {
      if (!outcomes.has(r.release)) {
        const rec = installed[r.release]!;
        outcomes.set(r.release, { release: r.release, chart: r.chart, version: rec.record.chartVersion, revision: rec.head.latest.revision, status: rec.head.latest.status, result: `not started (${interrupts.signal})`, elapsed: 0 });
      }
    }
    const allGone = [...outcomes.values()].every((x) => x.revision === null);
    const dataLeft: string[] = [];
    if (deleteData && data.length) {
      if (!allGone) ui.warn(`the data is kept: ${[...outcomes.values()].filter((x) => x.revision !== null).map((x) => x.release).join(', ')} is still installed.`);
      else {
        ui.heading('Deleting data (--delete-data)');
        for (const v of volumes) {
          try {
            await kube.deleteObject({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: ns, name: v.name }, 'Background');
            ui.check({ group: 'data', ok: true, message: `PersistentVolumeClaim ${v.name} deleted` });
          } catch (err) {
            dataLeft.push(`PersistentVolumeClaim ${v.name}: ${(err as Error).message}`);
            ui.check({ group: 'data', ok: false, message: `PersistentVolumeClaim ${v.name} NOT deleted: ${(err as Error).message}` });
          }
        }
        for (const s of secrets) {
          await kube.deleteSecret(ns, s);
          ui.check({ group: 'data', ok: true, message: `Secret ${s} deleted` });
        }
      }
    }
    const rows = present.map((r) => outcomes.get(r.release)!);
    if (rows.length) printOutcomes(ui, rows);
    const stopped = interrupts.signal && rows.some((x) => x.result.startsWith('not started'));
    const failed = left.length > 0 || dataLeft.length > 0;
    const deletedData = deleteData && allGone;
    if (rows.length || deletedData) {
      await recordRun(
        cluster,
        ns,
        env,
        lock,
        {
          kind: 'uninstall',
          outcome: failed ? 'failed' : stopped ? 'interrupted' : 'succeeded',
          settingsHash: settingsHash(settings),
          releases: rows.map((x) => ({ release: x.release, chart: x.chart, version: x.version, before: installed[x.release]!.head.latest.revision, after: x.revision, status: x.status, result: x.result })),
          ...(failed ? { message: 'uninstall did not complete' } : stopped ? { message: `stopped by ${interrupts.signal}` } : {}),
          keptVolumes: deletedData ? volumes.map((v) => v.name).filter((n) => dataLeft.some((d) => d.includes(` ${n}:`))) : volumes.map((v) => v.name),
        },
        historyMax,
      );
    }
    if (failed) throw new OperationError('the uninstall did not complete.', ['What is left is in the lines above. To finish by hand:', ...left.map((c) => `    ${c}`), ...dataLeft.map((d) => `    ${d}`)]);
    if (stopped) throw new InterruptedError(interrupts.signal!, `the uninstall was stopped by ${interrupts.signal}: ${rows.filter((x) => x.result.startsWith('not started')).map((x) => x.release).join(', ')} still installed.`, [`Run it again to finish: monitor-stack uninstall --env ${env}`]);
    ui.line(deleteData ? 'Uninstalled; the data above was deleted. The stack history is kept.' : `Uninstalled; the data above is kept. Install again with: monitor-stack upgrade --env ${env}`);
  });
}

const objects = (n: number) => `${n} object${n === 1 ? '' : 's'}`;
