/**
 * File writes that never leave a half-written file, and the private temp folder that holds
 * overlays while helm runs.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { interruptsWatched } from './interrupt.js';

/**
 * Writes `text` to `path` atomically: to a temp file beside it, then a rename.
 * @param mode file mode, default 0o644.
 */
export function writeFileAtomic(path: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text, { mode });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

const liveDirs = new Set<string>();
let hooked = false;

function removeLiveDirs(): void {
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  liveDirs.clear();
}

/**
 * Creates a private (0700) temp folder that is removed when `use` settles, and on every exit path
 * of the process (normal exit, SIGINT, SIGTERM) if the process ends first. While a run that changes
 * the cluster listens for signals itself (interrupt.ts), a signal leaves the exit to it.
 */
export async function withPrivateTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  if (!hooked) {
    hooked = true;
    process.on('exit', removeLiveDirs);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        if (interruptsWatched()) return; // a run that changes the cluster stops by itself (interrupt.ts); 'exit' cleans up
        removeLiveDirs();
        process.stderr.write('\nInterrupted.\n');
        process.exit(signal === 'SIGINT' ? 130 : 143);
      });
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'monitor-stack-'));
  liveDirs.add(dir);
  try {
    return await use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
  }
}
