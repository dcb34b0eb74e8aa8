/**
 * Terminal output. Progress, checks, diffs and warnings go to stderr; results (tables, JSON) to
 * stdout, so `monitor-stack status -o json | jq` works. Every line passes through redaction of
 * the secret values known to the run, as a second guard: none should reach here at all.
 */
import chalk from 'chalk';
import { CancelledError, UsageError } from './errors.js';
import { redact } from './secrets.js';
import type { CheckResult } from './preflight.js';

/** Whether prompts may be shown: a TTY on stdin, and neither --non-interactive nor CI. */
export function isInteractive(options: Record<string, unknown>, env = process.env, stdinTTY = Boolean(process.stdin.isTTY)): boolean {
  return !options.nonInteractive && stdinTTY && !env.CI;
}

/**
 * The go-ahead for a change: `--yes`, else the question in a terminal (default No).
 * @param what what was not done, for the refusal: `the plan above was not applied`.
 * @throws UsageError (exit 2) when not in a terminal and no `--yes`; CancelledError (exit 130) when the answer is No.
 */
export async function approve(options: Record<string, unknown>, question: string, what: string, alternative = ''): Promise<void> {
  if (options.yes) return;
  if (!isInteractive(options)) throw new UsageError(`${what}: a non-interactive run needs --yes${alternative}. Nothing was changed.`);
  const { confirm } = await import('@inquirer/prompts');
  if (!(await confirm({ message: question, default: false }))) throw new CancelledError(`${what[0]!.toUpperCase()}${what.slice(1)}: nothing was changed.`);
}

export interface Reporter {
  heading(text: string): void;
  line(text: string): void;
  check(result: CheckResult): void;
  warn(text: string): void;
  debug(text: string): void;
  /** Text as it is (already coloured), to stderr. */
  block(text: string): void;
  table(header: string[], rows: string[][]): void;
}

/** Formats rows as aligned columns separated by two spaces. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

/** Creates the reporter. Releases run in parallel, so progress is one line per event, not a spinner. */
export async function createReporter(opts: { debug: boolean; redactValues?: string[] }): Promise<Reporter> {
  const secrets = opts.redactValues ?? [];
  const err = (text: string) => process.stderr.write(`${redact(text, secrets)}\n`);
  let lastGroup = '';
  return {
    heading: (text) => {
      lastGroup = '';
      err(`\n${chalk.bold(text)}`);
    },
    line: (text) => err(`  ${text}`),
    check: (r) => {
      if (r.group !== lastGroup) err(chalk.dim(`${r.group}`));
      lastGroup = r.group;
      err(`  ${r.ok ? chalk.green('√') : chalk.red('×')} ${r.message}`);
      if (!r.ok) for (const h of r.hints ?? []) err(`      ${h}`);
    },
    warn: (text) => err(`${chalk.yellow('warning:')} ${text}`),
    debug: (text) => {
      if (opts.debug) err(chalk.dim(text));
    },
    block: (text) => process.stderr.write(redact(text, secrets)),
    table: (header, rows) => {
      process.stdout.write(`\n${redact(formatTable(header, rows), secrets)}`);
    },
  };
}
