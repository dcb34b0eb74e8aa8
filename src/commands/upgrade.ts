/**
 * `monitor-stack upgrade --env E` (alias `apply`): plan, show, ask, then act.
 *
 * 1. settings and secret references resolved (bad input: exit 2, nothing touched);
 * 2. preflight and the stack plan (stack.ts): helm's server-side dry run per release, compared
 *    resource by resource with what is installed, drift and risks;
 * 3. the summary (the full diff with `--show-diff`); nothing to change: say so, exit 0;
 * 4. a risk stops the run (exit 2) unless `--allow-recreate` resolves it;
 * 5. `--plan-out FILE` saves the plan and stops; `--dry-run` stops; otherwise the question (a
 *    terminal), `--yes`, or `--plan FILE` (applies only if the cluster has not moved since);
 *    a non-interactive run without either prints the plan and exits 2, changing nothing;
 * 6. the environment's lock (a Lease, lock.ts), waiting up to `--lock-timeout`; the releases must
 *    still be at the revisions planned;
 * 7. apply: Secrets, then `helm upgrade --install` of each release that changes, `--parallel` at a
 *    time; a failure undoes the run and reports what is really left (stack.ts). The lock is released.
 */
import { createRequire } from 'node:module';
import type { CommandContext } from '../cli.js';
import { checkSavedPlan, savedPlanDrift, toSavedPlan, type SavedPlan } from '../core/saved-plan.js';
import { blockingRisks, planHasChanges } from '../core/stack-plan.js';
import { OperationError, UsageError } from '../errors.js';
import { withPrivateTempDir } from '../fsutil.js';
import { checkWritable, readTextFile, writeTextFile } from '../user-files.js';
import { planText } from '../present.js';
import { beginRun, findUnfinishedRun, recordRun, replaceStackRevision } from '../history.js';
import { InterruptedError } from '../interrupt.js';
import { withLock } from '../lock.js';
import { settingsHash } from '../plan.js';
import { applyMethodNotes, applyPlan, computePlan, findStuckReleases, openSession, printOutcomes, recoverReleases, recoverUnfinishedRun, releasesMoved, restartRendering, type Session } from '../stack.js';
import { approve } from '../ui.js';
import { parseCount } from '../validate.js';
import { runOptions } from './run-options.js';

export async function runUpgrade(ctx: CommandContext): Promise<void> {
  const o = ctx.options;
  const env = o.env as string;
  const { timeout, lockTimeout, historyMax } = runOptions(o);
  const parallel = parseCount(o.parallel ?? 3, '--parallel', 1, 16);
  const planOut = o.planOut as string | undefined;
  const planIn = o.plan as string | undefined;
  if (planOut && planIn) throw new UsageError('--plan-out and --plan cannot be used together: save a plan in one run, apply it in another.');
  if (planOut && o.dryRun) throw new UsageError('--plan-out and --dry-run cannot be used together: --plan-out already changes nothing.');
  const saved = planIn ? readSavedPlan(planIn) : undefined;
  if (planOut) checkWritable(planOut, `--plan-out ${planOut}`);

  await withPrivateTempDir(async (tmp) => {
    const s = await openSession(ctx, tmp, { parallel });
    const { ui } = s;
    if (o.recover) {
      const stuck = await findStuckReleases(s);
      // Its run may still hold the Lease (it died less than 30 s ago): the lock wait below decides.
      const unfinished = await findUnfinishedRun(s.kube, s.settings.namespace, env, { evenIfHeld: true });
      if (!stuck.length && !unfinished) ui.line('--recover: no release is pending and every recorded run finished; nothing to recover.');
      else {
        ui.heading('Recover');
        for (const r of stuck) ui.line(`${r.release}: ${r.status} at revision ${r.revision}; ${r.lastDeployed ? `helm rollback to revision ${r.lastDeployed}` : 'helm uninstall (it was never deployed; its PVCs stay: they carry helm.sh/resource-policy: keep)'}`);
        if (unfinished) ui.line(`stack revision ${unfinished.revision} (${unfinished.kind} by ${unfinished.who}, started ${unfinished.time}) did not finish; where it changed them, ${unfinished.releases.filter((r) => r.result !== 'unchanged: skipped').map((r) => `${r.release} goes back to ${r.before === null ? 'not installed (helm uninstall; PVCs stay)' : `revision ${r.before}'s content`}`).join(', ')}`);
        const what = [...stuck.map((r) => r.release), ...(unfinished ? [`stack revision ${unfinished.revision}`] : [])];
        await approve(o, `Recover ${what.join(', ')}?`, 'the recovery above was not run');
        await withLock(s, s.settings.namespace, env, lockTimeout, async (lock) => {
          const results = await recoverReleases(s, stuck, timeout);
          // Read again under the lock: the run may have finished, or another recovery closed it.
          const open = unfinished && (await findUnfinishedRun(s.kube, s.settings.namespace, env));
          const undone = open ? await recoverUnfinishedRun(s, open, timeout) : [];
          const failed = [...results, ...undone].filter((r) => !r.ok);
          const releases = [
            ...results.map((r) => ({ release: r.release, chart: r.chart, version: r.version, before: stuck.find((x) => x.release === r.release)!.revision, after: r.revision, status: r.status, result: r.result })),
            ...undone.map((r) => ({ release: r.release, chart: r.chart, version: r.version, before: r.before, after: r.revision, status: r.status, result: r.result })),
          ];
          const recorded = await recordRun(s, s.settings.namespace, env, lock, {
            kind: 'recover',
            outcome: failed.length ? 'failed' : 'succeeded',
            settingsHash: settingsHash(s.settings),
            releases,
            ...(failed.length ? { message: `${failed.length} release(s) not recovered` } : {}),
          }, historyMax);
          if (open && !failed.length) {
            const closed = { ...open, outcome: 'interrupted' as const, message: `${open.message ? `${open.message}; ` : ''}the run ended without recording an outcome; put back by stack revision ${recorded?.revision ?? '(not recorded)'} (recover)` };
            await replaceStackRevision(s.kube, s.settings.namespace, env, closed);
            ui.line(`stack revision ${open.revision} closed as interrupted`);
          }
          if (failed.length) throw new OperationError(`--recover could not put back ${failed.map((r) => r.release).join(', ')}; nothing was upgraded.`, ['What is left is in the lines above; run monitor-stack history --env ' + env + ' --release <name> for helm\'s view.']);
        });
        restartRendering(s, tmp, parallel);
      }
    }
    if (o.serverSideApply && !s.helm.isHelm4) throw new UsageError(`--server-side-apply needs Helm 4: helm ${s.helm.version.text} applies client-side only. Nothing was changed.`);
    const plan = await computePlan(s);
    applyMethodNotes(plan, s.helm, Boolean(o.serverSideApply));
    ui.heading('Plan');
    ui.block(planText(plan, { full: Boolean(o.showDiff), context: 3, showSecrets: false, risks: false }));
    if (saved) {
      const moved = savedPlanDrift(saved.plan, plan);
      if (moved.length) {
        throw new UsageError(`the saved plan ${planIn} no longer matches the cluster or the settings; nothing was changed.`, [
          ...moved.map((m) => `- ${m}`),
          `Fix: review a new plan: monitor-stack upgrade --env ${env} --plan-out ${planIn}`,
        ]);
      }
    }
    if (!planHasChanges(plan)) {
      ui.line('Nothing to change: every release is up to date; no revision was made.');
      printOutcomes(
        ui,
        plan.releases.map((r) => ({ release: r.release, chart: r.chart, version: r.version, revision: r.installed!.revision, status: r.installed!.status, result: 'unchanged: skipped', elapsed: 0 })),
      );
      return;
    }
    const blocking = blockingRisks(plan, Boolean(o.allowRecreate));
    if (blocking.length) {
      throw new UsageError(`the plan has ${blocking.length} risk${blocking.length > 1 ? 's' : ''}; nothing was changed.`, [
        ...blocking.flatMap((r) => [`- ${r.message}`, `  safe path: ${r.fix}`]),
        ...(blocking.some((r) => r.resolution === 'recreate') ? ['Objects that must be created anew are deleted first with --allow-recreate (a StatefulSet keeps its pods and PVCs).'] : []),
      ]);
    }
    if (planOut) {
      writeTextFile(planOut, `${JSON.stringify(toSavedPlan(plan, toolVersion(), new Date().toISOString()), null, 2)}\n`, { label: `--plan-out ${planOut}` });
      ui.line(`Plan saved to ${planOut}; nothing was changed. Apply exactly this plan with: monitor-stack upgrade --env ${env} --plan ${planOut}`);
      return;
    }
    if (o.dryRun) {
      ui.line('Dry run: the plan above was computed with helm\'s server-side dry run; nothing was changed.');
      return;
    }
    if (!saved) await approve(o, `Apply this plan to ${plan.namespace} (context ${plan.kubeContext})?`, 'the plan above was not applied', ' (or a reviewed plan: --plan-out FILE, then --plan FILE)');
    if (plan.createNamespace) {
      await s.kube.createNamespace(plan.namespace);
      ui.line(`namespace ${plan.namespace} created`);
    }
    await withLock(s, s.settings.namespace, env, lockTimeout, async (lock, interrupts) => {
      const open = await findUnfinishedRun(s.kube, plan.namespace, env);
      if (open) throw new UsageError(`stack revision ${open.revision} (${open.kind} by ${open.who} on ${open.host}, started ${open.time}) did not finish: its run ended without recording an outcome; nothing was changed.`, [`Fix: monitor-stack upgrade --env ${env} --recover puts back what that run changed, then upgrades.`]);
      const moved = await releasesMoved(s, plan);
      if (moved.length) throw new UsageError('another run changed the stack since this plan was made; nothing was changed.', [...moved.map((m) => `- ${m}`), 'Fix: run upgrade again to plan from what is there now.']);
      const begun = await beginRun(s, plan.namespace, env, lock, { kind: 'upgrade', settingsHash: plan.settingsHash, releases: plan.releases.map((r) => ({ release: r.release, chart: r.chart, version: r.version, before: r.installed?.revision ?? null, after: null, status: r.action === 'unchanged' ? r.installed!.status : 'planned', result: r.action === 'unchanged' ? 'unchanged: skipped' : r.action })) }, historyMax);
      const result = await applyPlan(s, plan, tmp, { wait: o.wait !== false, timeout, parallel, allowRecreate: Boolean(o.allowRecreate), serverSideApply: Boolean(o.serverSideApply), interrupts });
      printOutcomes(ui, result.outcomes);
      await recordRun(
        s,
        plan.namespace,
        env,
        lock,
        {
          kind: 'upgrade',
          outcome: result.error instanceof InterruptedError ? 'interrupted' : !result.error ? 'succeeded' : result.undone ? 'rolled-back' : 'failed',
          settingsHash: plan.settingsHash,
          releases: result.outcomes.map((r) => ({
            release: r.release,
            chart: r.chart,
            version: r.version,
            before: plan.releases.find((p) => p.release === r.release)?.installed?.revision ?? null,
            after: r.revision,
            status: r.status,
            result: r.result,
          })),
          ...(result.error ? { message: result.error.message } : {}),
        },
        historyMax,
        begun,
      );
      if (result.error) throw result.error;
      if (result.interrupted) throw new InterruptedError(result.interrupted, `${result.interrupted} came after the last release had started; every release finished (see the table).`);
    });
  });
}

/**
 * Reads a plan file written by `--plan-out`.
 * @throws UsageError when it is missing, not JSON, or not a plan of this format.
 */
function readSavedPlan(path: string): SavedPlan {
  const fix = 'Fix: give a file written by monitor-stack upgrade --plan-out.';
  const text = readTextFile(path, { label: `--plan ${path}`, missingHints: [fix] });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError(`--plan ${path}: it is not JSON.`, [fix]);
  }
  const problem = checkSavedPlan(data);
  if (problem) throw new UsageError(`--plan ${path}: ${problem}.`, ['Fix: give a file written by monitor-stack upgrade --plan-out.']);
  return data as SavedPlan;
}

/** This monitor-stack's version, from package.json. */
function toolVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}
