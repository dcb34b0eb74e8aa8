/**
 * `monitor-stack diff --env E`: what `upgrade` would change, resource by resource, from helm's
 * server-side dry run against what is installed, plus drift of the live objects and the risks.
 * Changes nothing in the cluster (helm's local repository list gains our prefixed entries).
 *
 * Exit codes: 0; with `--detailed-exitcode` 0 nothing to change, 2 changes, 1 any error.
 */
import type { CommandContext } from '../cli.js';
import { planHasChanges } from '../core/stack-plan.js';
import { MonitorStackError, OperationError, UsageError } from '../errors.js';
import { withPrivateTempDir } from '../fsutil.js';
import { planJson, planText } from '../present.js';
import { applyMethodNotes, computePlan, openSession } from '../stack.js';
import { parseCount } from '../validate.js';

/** Exit 2 of `--detailed-exitcode`: there are changes. Prints nothing. */
class ChangesPresent extends MonitorStackError {
  constructor() {
    super('', 2);
  }
}

export async function runDiff(ctx: CommandContext): Promise<void> {
  const detailed = Boolean(ctx.options.detailedExitcode);
  try {
    const context = parseCount(ctx.options.context, '--context', 0, 1000);
    const parallel = parseCount(ctx.options.parallel, '--parallel', 1, 16);
    const changes = await withPrivateTempDir(async (tmp) => {
      const s = await openSession(ctx, tmp, { parallel });
      const plan = await computePlan(s);
      applyMethodNotes(plan, s.helm, false);
      const has = planHasChanges(plan);
      if (ctx.options.output === 'json') process.stdout.write(`${JSON.stringify(planJson(plan, has), null, 2)}\n`);
      else process.stdout.write(planText(plan, { full: true, context, showSecrets: Boolean(ctx.options.showSecrets) }));
      if (!has) s.ui.line('Nothing to change.');
      return has;
    });
    if (detailed && changes) throw new ChangesPresent();
  } catch (err) {
    // With --detailed-exitcode, 2 means "changes": every error is 1.
    if (detailed && err instanceof UsageError) throw new OperationError(err.message, err.hints);
    throw err;
  }
}
