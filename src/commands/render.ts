/** `monitor-stack render --env E [--out DIR]`: write the overlays of one environment. */
import { join, resolve } from 'node:path';
import type { CommandContext } from '../cli.js';
import { loadSettings } from '../config/index.js';
import { checkWritable, writeTextFile } from '../user-files.js';
import { planReleases } from '../plan.js';

export async function runRender(ctx: CommandContext): Promise<void> {
  const env = ctx.options.env as string;
  const settings = loadSettings(ctx.configPath, env, ctx.flags);
  const plans = planReleases(settings);
  const dir = resolve(String(ctx.options.out ?? 'out'), env);
  // Everything is rendered before the first write: a failure leaves no partial set.
  for (const plan of plans) checkWritable(join(dir, plan.fileName));
  for (const plan of plans) writeTextFile(join(dir, plan.fileName), plan.overlay);
  for (const plan of plans) {
    process.stdout.write(`${join(dir, plan.fileName)}  (${plan.chart} ${plan.version}, release ${plan.release})\n`);
    for (const note of [plan.deprecation, plan.versionNote, plan.coverageNote]) if (note) process.stderr.write(`warning: ${note}\n`);
  }
}
