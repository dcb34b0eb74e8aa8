/** The options every command that changes a stack takes (upgrade, rollback), checked before anything runs. */
import { UsageError } from '../errors.js';
import { checkHelmTimeout, parseCount, parseDurationSeconds } from '../validate.js';

export interface RunOptions {
  /** helm's `--timeout` per release, as given (`10m`). */
  timeout: string;
  /** Seconds to wait for another run's lock. */
  lockTimeout: number;
  /** Stack revisions kept. */
  historyMax: number;
}

/**
 * `--timeout`, `--lock-timeout`, `--history-max`.
 * @throws UsageError naming the flag when a value is not valid.
 */
export function runOptions(o: Record<string, unknown>): RunOptions {
  const timeout = String(o.timeout ?? '10m');
  const problem = checkHelmTimeout(timeout);
  if (problem) throw new UsageError(`--timeout "${timeout}": ${problem}.`);
  return {
    timeout,
    lockTimeout: parseDurationSeconds(String(o.lockTimeout ?? '0s'), '--lock-timeout'),
    historyMax: parseCount(o.historyMax ?? 20, '--history-max', 1, 1000),
  };
}
