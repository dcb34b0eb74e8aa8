/**
 * Terminal output. Progress, checks, diffs and warnings go to stderr; results (tables, JSON) to
 * stdout, so `monitor-stack status -o json | jq` works. Every line passes through redaction of
 * the secret values known to the run, as a second guard: none should reach here at all.
 */
import chalk from 'chalk';
import { redact } from './secrets.js';
import type { CheckResult } from './preflight.js';

export interface Spinner {
  succeed(text: string): void;
  fail(text: string): void;
}

export interface Reporter {
  heading(text: string): void;
  line(text: string): void;
  check(result: CheckResult): void;
  warn(text: string): void;
  debug(text: string): void;
  diff(patch: string): void;
  spinner(text: string): Spinner;
  table(header: string[], rows: string[][]): void;
}

/** Formats rows as aligned columns separated by two spaces. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

/** Creates the reporter; loads ora only when stderr is a terminal (a spinner elsewhere is noise). */
export async function createReporter(opts: { debug: boolean; redactValues?: string[] }): Promise<Reporter> {
  const ora = process.stderr.isTTY ? (await import('ora')).default : undefined;
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
    diff: (patch) =>
      err(
        patch
          .split('\n')
          .map((l) => `    ${l.startsWith('+') ? chalk.green(l) : l.startsWith('-') ? chalk.red(l) : l}`)
          .join('\n'),
      ),
    spinner: (text) => {
      if (!ora) {
        err(`  ${text} …`);
        return { succeed: (t) => err(`  ${chalk.green('√')} ${t}`), fail: (t) => err(`  ${chalk.red('×')} ${t}`) };
      }
      const spin = ora({ text: redact(text, secrets), stream: process.stderr, indent: 2 }).start();
      return { succeed: (t) => spin.succeed(redact(t, secrets)), fail: (t) => spin.fail(redact(t, secrets)) };
    },
    table: (header, rows) => {
      process.stdout.write(`\n${redact(formatTable(header, rows), secrets)}`);
    },
  };
}
