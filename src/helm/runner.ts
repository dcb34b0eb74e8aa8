/** The real helm runner: execa, argv only (no shell), environment inherited. */
import { execa } from 'execa';
import type { HelmResult, HelmRunner } from './client.js';

export class ExecaHelmRunner implements HelmRunner {
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
    const r = await execa(this.binary, args, { reject: false, stdin: 'ignore', env: { HELM_NO_PLUGINS: '1' } });
    if (r.failed && r.exitCode === undefined) {
      const err = new Error(r.message) as NodeJS.ErrnoException;
      err.code = (r as unknown as { code?: string }).code;
      throw err;
    }
    return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
  }
}
