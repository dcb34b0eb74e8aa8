/**
 * Typed errors. Anything may throw them; only `main` in cli.ts turns them into an exit code.
 *
 * - {@link UsageError}: the user's input is wrong (flag, config file, answer). Exit 2.
 * - {@link OperationError}: the input was fine but the operation failed (helm, cluster). Exit 1.
 * - {@link CancelledError}: the user pressed Ctrl-C or cancelled a prompt. Exit 130.
 *
 * Messages are written for a person: what went wrong, where, and what to do. They never carry a
 * secret value; callers pass references (`env:NAME`), never resolved values.
 */
import { printable } from './text.js';

export class MonitorStackError extends Error {
  /** Process exit code this error maps to. */
  readonly exitCode: number;
  /** Extra lines printed under the message: what is available, how to fix it. */
  readonly hints: string[];
  constructor(message: string, exitCode: number, hints: string[] = []) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hints = hints;
  }
}

/** Bad flag, bad config, missing answer, missing tool. Exit code 2. */
export class UsageError extends MonitorStackError {
  constructor(message: string, hints: string[] = []) {
    super(message, 2, hints);
  }
}

/** The cluster, helm or the filesystem failed while doing valid work. Exit code 1. */
export class OperationError extends MonitorStackError {
  constructor(message: string, hints: string[] = []) {
    super(message, 1, hints);
  }
}

/** Ctrl-C or a cancelled prompt. Exit code 130 (128 + SIGINT). */
export class CancelledError extends MonitorStackError {
  constructor(message = 'Cancelled.') {
    super(message, 130);
  }
}

/**
 * The lines `main` prints for an error: the message, then each hint indented (without the advice
 * to run again with --debug when it was given). Every line passes
 * through {@link printable}, so a value echoed from the user (a flag, a file's YAML error) can
 * never put a raw control byte or an endless line on the terminal.
 */
export function errorLines(err: MonitorStackError, debug = false): { message: string; hints: string[] } {
  const safe = (text: string) => text.split('\n').map((line) => printable(line, 2000)).join('\n');
  // With --debug given, the advice to run again with it is noise.
  const hints = debug ? err.hints.filter((h) => h !== RUN_WITH_DEBUG) : err.hints;
  return { message: safe(err.message), hints: hints.map(safe) };
}

/** The hint that points at --debug; {@link errorLines} leaves it out when --debug was given. */
export const RUN_WITH_DEBUG = 'Run again with --debug to see every helm command.';

/**
 * An API client error in one line, without the request URL: `the Kubernetes API did not answer
 * (connect ECONNREFUSED 127.0.0.1:6443)` for a network failure (@kubernetes/client-node 1.4 says
 * `request to URL failed, reason: …`), else the error's first line.
 */
export function apiFailure(err: Error): string {
  const reason = /reason: (.+)$/m.exec(err.message)?.[1];
  return reason ? `the Kubernetes API did not answer (${reason})` : err.message.split('\n')[0]!;
}
