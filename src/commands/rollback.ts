/**
 * `monitor-stack rollback --env E [--to N]`: every release back to the helm revision it had at
 * stack revision N (default: the previous one, core/history.ts), newest release first; or
 * `--release NAME --revision R` for one release. It shows what changes (manifests of helm's own
 * records, compared resource by resource), asks (or `--yes`), takes the environment's lock, runs
 * `helm rollback`, reads back what happened, and records the rollback as a stack revision, so it
 * can be undone too.
 */
import type { CommandContext } from '../cli.js';
import { rollbackTarget, type StackRevisionRelease } from '../core/history.js';
import { deepEqual, diffManifests, resourceLabel } from '../core/manifest.js';
import type { ReleaseRecord } from '../core/helm-release.js';
import { OperationError, UsageError } from '../errors.js';
import { lastLines } from '../helm/client.js';
import { readStackHistory, recordRun } from '../history.js';
import { InterruptedError } from '../interrupt.js';
import { withLock } from '../lock.js';
import { resourceDiff } from '../present.js';
import { settingsHash } from '../plan.js';
import { openCluster, printOutcomes, type ReleaseOutcome } from '../stack.js';
import { approve } from '../ui.js';
import { parseCount } from '../validate.js';
import { runOptions } from './run-options.js';

/** One release to roll back: from its current record to the target revision's. */
interface Step {
  release: string;
  chart: string;
  version: string;
  current: ReleaseRecord;
  target: ReleaseRecord;
}

const sameContent = (a: ReleaseRecord, b: ReleaseRecord) => a.manifest === b.manifest && deepEqual(a.values, b.values) && a.chartVersion === b.chartVersion;

export async function runRollback(ctx: CommandContext): Promise<void> {
  const o = ctx.options;
  const env = o.env as string;
  const { timeout, lockTimeout, historyMax } = runOptions(o);
  const to = o.to === undefined ? undefined : parseCount(o.to, '--to', 1, 1_000_000);
  const one = o.release as string | undefined;
  const oneRevision = o.revision === undefined ? undefined : parseCount(o.revision, '--revision', 1, 1_000_000);
  if ((one === undefined) !== (oneRevision === undefined)) throw new UsageError('--release and --revision go together: --release NAME --revision N rolls back one release.');
  if (one !== undefined && to !== undefined) throw new UsageError('--to rolls back the whole stack; --release NAME --revision N one release: give one or the other.');

  const cluster = await openCluster(ctx);
  const { settings, releases, helm, kube, ui } = cluster;
  if (one !== undefined && !releases.some((r) => r.release === one)) throw new UsageError(`--release "${one}" is not a release of environment ${env}.`, [`Releases: ${releases.map((r) => r.release).join(', ')}.`]);
  const ns = settings.namespace;
  const history = await readStackHistory(kube, ns, env);

  /** The steps to reach `targets`, or the problems that stop it. */
  const stepsFor = async (targets: { release: string; revision: number }[]) => {
    const installed = await kube.readReleases(ns, targets.map((t) => t.release));
    const steps: Step[] = [];
    const problems: string[] = [];
    for (const t of targets) {
      const current = installed[t.release]?.record;
      const targetRecord = await kube.readReleaseRevision(ns, t.release, t.revision);
      if (!current) problems.push(`release ${t.release} is not installed in namespace ${ns}.`);
      else if (!targetRecord) problems.push(`release ${t.release} has no revision ${t.revision} any more (helm keeps the last 10 by default).`);
      else if (targetRecord.status === 'failed' || targetRecord.status.startsWith('pending-')) problems.push(`release ${t.release} revision ${t.revision} is ${targetRecord.status}: no state to go back to.`);
      else steps.push({ release: t.release, chart: current.chart, version: targetRecord.chartVersion, current, target: targetRecord });
    }
    return { steps, problems, todo: steps.filter((x) => !(x.current.status === 'deployed' && sameContent(x.current, x.target))) };
  };

  // What each release goes back to: --release/--revision; --to N; else the newest earlier stack
  // revision that differs from what is there now (a rolled-back run changed nothing to go back from).
  let label: string;
  let toRevision: number | undefined;
  let plan: Awaited<ReturnType<typeof stepsFor>>;
  if (one !== undefined) {
    label = `release ${one} to revision ${oneRevision}`;
    plan = await stepsFor([{ release: one, revision: oneRevision! }]);
  } else {
    // --to N, else every earlier good stack revision, newest first (the first that differs is taken).
    const earlier = history.slice(0, -1).filter((r) => r.outcome === 'succeeded' || r.outcome === 'rolled-back').reverse();
    const candidates = to !== undefined || !earlier.length ? [rollbackTarget(history, to)] : earlier;
    let chosen: { label: string; revision: number; plan: Awaited<ReturnType<typeof stepsFor>> } | undefined;
    for (const target of candidates) {
      if (typeof target === 'string') throw new UsageError(`nothing to roll back to: ${target}.`, [`See the recorded stack revisions: monitor-stack history --env ${env}`]);
      const missing = target.releases.filter((r) => r.after === null);
      if (missing.length) throw new UsageError(`stack revision ${target.revision} has no installed revision of ${missing.map((r) => r.release).join(', ')}; roll back the others one by one with --release NAME --revision N.`);
      const p = await stepsFor(target.releases.map((r) => ({ release: r.release, revision: r.after! })));
      chosen = { label: `stack revision ${target.revision} (${target.time}, ${target.kind} by ${target.who})`, revision: target.revision, plan: p };
      if (p.problems.length || p.todo.length) break;
    }
    label = chosen!.label;
    toRevision = chosen!.revision;
    plan = chosen!.plan;
  }
  const { steps, problems, todo } = plan;
  if (problems.length) throw new UsageError(`cannot roll back to ${label}; nothing was changed.`, problems.map((p) => `- ${p}`));

  ui.heading(`Rollback to ${label}`);
  for (const s of steps) {
    if (!todo.includes(s)) {
      ui.line(`${s.release}: already at revision ${s.target.revision}'s content (revision ${s.current.revision}); skipped`);
      continue;
    }
    const changes = diffManifests(s.current.manifest, s.target.manifest, ns);
    const n = (k: string) => changes.filter((c) => c.change === k).length;
    const method = (r: ReleaseRecord) => (r.applyMethod === 'ssa' ? 'server-side' : 'client-side');
    const switches = helm.isHelm4 && method(s.current) !== method(s.target) ? `; apply method ${method(s.current)} → ${method(s.target)}, as revision ${s.target.revision} was applied` : '';
    ui.line(`${s.release}: revision ${s.current.revision} → revision ${s.target.revision}'s content: ${n('changed')} changed, ${n('added')} added, ${n('removed')} removed${deepEqual(s.current.values, s.target.values) ? '' : ' (values change)'}${switches}`);
    for (const c of changes) {
      ui.line(`  ${c.change === 'added' ? '+' : c.change === 'removed' ? '-' : '~'} ${resourceLabel(c)} ${c.change}${c.fields.length ? `: ${c.fields.slice(0, 6).join(', ')}` : ''}`);
      if (o.showDiff) ui.block(`${resourceDiff(c, { context: 3, showSecrets: false }).replace(/^/gm, '      ')}\n`);
    }
  }
  if (!todo.length) {
    ui.line('Nothing to roll back: every release is already there.');
    return;
  }
  await approve(o, `Roll back ${todo.map((s) => s.release).join(', ')} in ${ns} (context ${kube.context})?`, 'the rollback above was not run');

  await withLock(cluster, ns, env, lockTimeout, async (lock, interrupts) => {
    ui.heading('Rolling back');
    const outcomes = new Map<string, ReleaseOutcome>();
    const failed: string[] = [];
    // Newest release first: the reverse of the install order.
    for (const s of [...todo].reverse()) {
      if (interrupts.signal) break; // the rollback running finished; start no other
      const r = await helm.runner.run(helm.rollbackArgs(s.release, s.target.revision, ns, timeout, s.target.applyMethod === 'ssa'));
      const now = (await kube.readReleases(ns, [s.release]))[s.release];
      const ok = r.exitCode === 0 && now && now.record.status === 'deployed' && sameContent(now.record, s.target);
      const result = ok ? `rolled back to revision ${s.target.revision}` : `NOT rolled back to revision ${s.target.revision}: ${r.exitCode === 0 ? 'the release does not match that revision' : lastLines(r.stderr || r.stdout)}`;
      ui.check({ group: 'releases', ok: Boolean(ok), message: `${s.release}: ${result}` });
      if (!ok) failed.push(`helm rollback ${s.release} ${s.target.revision} --namespace ${ns}${settings.kubeContext ? ` --kube-context ${kube.context}` : ''}`);
      outcomes.set(s.release, { release: s.release, chart: s.chart, version: now?.record.chartVersion ?? s.version, revision: now?.head.latest.revision ?? null, status: now?.head.latest.status ?? 'not installed', result, elapsed: 0 });
    }
    const notStarted = todo.filter((s) => !outcomes.has(s.release)).map((s) => s.release);
    for (const s of steps) if (!outcomes.has(s.release)) outcomes.set(s.release, { release: s.release, chart: s.chart, version: s.current.chartVersion, revision: s.current.revision, status: s.current.status, result: todo.includes(s) ? `not started (${interrupts.signal})` : 'unchanged: skipped', elapsed: 0 });
    const rows = steps.map((s) => outcomes.get(s.release)!);
    printOutcomes(ui, rows);
    const records: StackRevisionRelease[] = rows.map((r) => ({ release: r.release, chart: r.chart, version: r.version, before: steps.find((s) => s.release === r.release)!.current.revision, after: r.revision, status: r.status, result: r.result }));
    const stopped = interrupts.signal && notStarted.length ? `stopped by ${interrupts.signal}: ${notStarted.join(', ')} not rolled back` : undefined;
    const message = [failed.length ? `rollback of ${failed.length} release(s) failed` : '', stopped ?? ''].filter(Boolean).join('; ');
    await recordRun(cluster, ns, env, lock, { kind: 'rollback', outcome: failed.length ? 'failed' : stopped ? 'interrupted' : 'succeeded', settingsHash: settingsHash(settings), releases: records, ...(message ? { message } : {}) }, historyMax);
    const finish = [...failed.map((c) => `    ${c}`), ...(stopped ? [`    monitor-stack rollback --env ${env} ${one !== undefined ? `--release ${one} --revision ${oneRevision}` : `--to ${toRevision}`}`] : [])];
    if (failed.length) throw new OperationError(`the rollback to ${label} did not complete.`, ['What is left is in the table above. To finish by hand:', ...finish]);
    if (interrupts.signal) throw new InterruptedError(interrupts.signal, stopped ? `the rollback to ${label} was ${stopped}.` : `${interrupts.signal} came during the last rollback; every release finished (see the table).`, stopped ? ['What is left is in the table above. To finish:', ...finish] : []);
  });
}
