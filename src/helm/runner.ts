/** The real helm runner: execa, argv only (no shell), environment inherited. */
import { execa } from 'execa';
import type { RunningCall } from '../interrupt.js';
import { HelmClient, type HelmResult, type HelmRunner } from './client.js';

/**
 * Finds helm (`--helm`, else $MONITOR_STACK_HELM, else `helm` on PATH) and reads its version.
 * @param onCall called with each command line before it runs (for --debug).
 * @throws UsageError when helm is missing or older than 3.14.
 */
export function openHelm(helmOption: string | undefined, kubeContext: string | null, onCall?: (line: string) => void): Promise<HelmClient> {
  const binary = helmOption ?? process.env.MONITOR_STACK_HELM ?? 'helm';
  return HelmClient.detect(new ExecaHelmRunner(binary, onCall && ((args) => onCall(`$ ${binary} ${args.join(' ')}`))), kubeContext ?? undefined);
}

/**
 * Runs helm with execa. Each call is its own process group (`detached`), so Ctrl-C in a terminal
 * or a CI runner's SIGTERM reaches monitor-stack only and helm is left to finish (interrupt.ts).
 */
export class ExecaHelmRunner implements HelmRunner {
  private readonly active = new Map<number, { label: string; started: number }>();

  /**
   * @param binary path or name of helm.
   * @param onCall called with argv before each run (for --debug); argv never holds secrets.
   */
  constructor(
    readonly binary: string,
    private readonly onCall?: (args: string[]) => void,
  ) {}

  async run(args: string[]): Promise<HelmResult> {
    this.onCall?.(args);
    const call = execa(this.binary, args, { reject: false, stdin: 'ignore', env: { HELM_NO_PLUGINS: '1' }, detached: true });
    const pid = call.pid;
    if (pid !== undefined) this.active.set(pid, { label: `helm ${args.slice(0, 2).join(' ')}`, started: Date.now() });
    const r = await call.finally(() => {
      if (pid !== undefined) this.active.delete(pid);
    });
    if (r.failed && r.exitCode === undefined) {
      const err = new Error(r.message) as NodeJS.ErrnoException;
      err.code = (r as unknown as { code?: string }).code;
      throw err;
    }
    return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
  }

  /** helm calls running now. */
  running(): RunningCall[] {
    return [...this.active].map(([pid, c]) => ({ pid, label: c.label, seconds: (Date.now() - c.started) / 1000 }));
  }
}
