/**
 * Ctrl-C (SIGINT) and SIGTERM while a run changes the cluster.
 *
 * helm runs in its own process group (helm/runner.ts), so a terminal's Ctrl-C or a CI runner's
 * SIGTERM to our group reaches monitor-stack only, and each helm call is left to finish (with its
 * own rollback-on-failure): killing helm mid-upgrade leaves its release `pending-upgrade`.
 *
 * - first signal: no new release starts; what this run changed is undone; the lock is released;
 *   the stack revision is recorded `interrupted`; exit 130 (SIGINT) or 143 (SIGTERM);
 * - second: says which helm calls are still running and that stopping now can leave a pending release;
 * - third: sends SIGTERM to the running helm calls and exits at once (the Lease expires by itself).
 */
import { MonitorStackError } from './errors.js';
import type { Reporter } from './ui.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

let watchers = 0;

/** Whether a run is listening for signals now (the temp folder's handler then leaves the exit to it). */
export function interruptsWatched(): boolean {
  return watchers > 0;
}

/** A helm process still running. */
export interface RunningCall {
  /** `helm upgrade prometheus` */
  label: string;
  /** Process group of the call (its pid). */
  pid: number;
  /** Seconds since it started. */
  seconds: number;
}

/** The signals received so far, while {@link watchInterrupts} listens. */
export interface Interrupts {
  /** The first signal received; undefined while none came. */
  readonly signal: StopSignal | undefined;
  /** Stops listening: the default handling (exit at once) comes back. */
  dispose(): void;
}

/** Exit code of a run stopped by `signal`: 128 + the signal number. */
export function signalExitCode(signal: StopSignal): number {
  return signal === 'SIGINT' ? 130 : 143;
}

/** The run stopped on a signal; what was undone is in the hints. Exit 130 or 143. */
export class InterruptedError extends MonitorStackError {
  constructor(signal: StopSignal, message: string, hints: string[] = []) {
    super(message, signalExitCode(signal), hints);
  }
}

/**
 * Listens for SIGINT and SIGTERM until `dispose()`.
 * @param running the helm calls running now (said on the second signal, stopped on the third).
 * @param environment for the `--recover` hint.
 */
export function watchInterrupts(ui: Reporter, running: () => RunningCall[], environment: string): Interrupts {
  let first: StopSignal | undefined;
  let count = 0;
  const describe = () => {
    const calls = running();
    return calls.length ? calls.map((c) => `${c.label} (running ${c.seconds.toFixed(0)}s)`).join(', ') : 'no helm call';
  };
  const handler = (signal: StopSignal) => {
    count += 1;
    first ??= signal;
    if (count === 1) {
      ui.warn(`${signal}: stopping. No new release starts; ${describe()} is left to finish, then what this run changed is undone (${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again: see what is still running).`);
    } else if (count === 2) {
      ui.warn(`${signal} again: still running: ${describe()}. Stopping helm now can leave its release pending-upgrade or pending-install; ${signal === 'SIGINT' ? 'press Ctrl-C' : 'send SIGTERM'} a third time to stop at once.`);
    } else {
      const calls = running();
      for (const c of calls) {
        try {
          process.kill(-c.pid, 'SIGTERM');
        } catch {}
      }
      process.stderr.write(
        `Stopped at once${calls.length ? `: SIGTERM sent to ${calls.map((c) => c.label).join(', ')}` : ''}. Nothing was undone and no stack revision was recorded; the lock expires 30s after its last renewal.\n` +
          `  See what was left: monitor-stack upgrade --env ${environment} --dry-run; a release left pending-* is put back by: monitor-stack upgrade --env ${environment} --recover\n`,
      );
      process.exit(signalExitCode(first));
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  watchers += 1;
  let disposed = false;
  return {
    get signal() {
      return first;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      watchers -= 1;
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
