/**
 * Files the user hands us (`--config`, `--plan`, `file:` references) and files we write for the
 * user (`monitor-stack.yaml`, `--plan-out`, `render --out`). Every way such a file can be wrong is
 * a {@link UsageError} (exit 2) that names the file and says what to do; no byte of a binary file
 * is ever printed.
 */
import { accessSync, chmodSync, chownSync, closeSync, constants, fstatSync, mkdirSync, openSync, readSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { OperationError, UsageError } from './errors.js';

/** Largest file monitor-stack reads, in bytes (1 MiB): a config or a saved plan is a few KiB. */
export const MAX_INPUT_BYTES = 1024 * 1024;

export interface ReadOptions {
  /** How messages name the file, e.g. `--plan prod.plan.json`; default: the path. */
  label?: string;
  /** Message and hint lines when the file does not exist. */
  missingMessage?: string;
  missingHints?: string[];
  /** A file name to suggest when the path is a folder, e.g. `monitor-stack.yaml`. */
  exampleName?: string;
  /** Size limit in bytes; default {@link MAX_INPUT_BYTES}. */
  maxBytes?: number;
}

const human = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} bytes`);

/**
 * Reads a UTF-8 text file (a leading byte-order mark is dropped). Reads at most `maxBytes + 1`
 * bytes, so a device or pipe that never ends is refused too.
 * @returns the text.
 * @throws UsageError when the file is missing, a folder, unreadable, larger than `maxBytes`,
 *   binary (a NUL byte) or not UTF-8; the message gives the byte offset, never the bytes.
 */
export function readTextFile(path: string, opts: ReadOptions = {}): string {
  const label = opts.label ?? path;
  const max = opts.maxBytes ?? MAX_INPUT_BYTES;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw readError(err as NodeJS.ErrnoException, path, label, opts);
  }
  let bytes: Buffer;
  try {
    if (fstatSync(fd).isDirectory()) throw readError(Object.assign(new Error('EISDIR'), { code: 'EISDIR' }), path, label, opts);
    const chunks: Buffer[] = [];
    let total = 0;
    const chunk = Buffer.alloc(64 * 1024);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(Buffer.from(chunk.subarray(0, n)));
      total += n;
      if (total > max) throw new UsageError(`${label} is larger than ${human(max)}, the limit for this file.`, ['Fix: check that it is the right file; nothing of it was used.']);
    }
    bytes = Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw readError(err as NodeJS.ErrnoException, path, label, opts);
  } finally {
    closeSync(fd);
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    throw new UsageError(`${label} is a binary file, not text (a NUL byte at byte ${nul + 1}).`, ['Fix: give the text file; none of its bytes are printed here.']);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, at).filter((b) => b === 0x0a).length + 1;
    throw new UsageError(`${label} is not UTF-8 text (an invalid byte at byte ${at + 1}, line ${line}).`, [
      'Fix: save it as UTF-8, e.g. iconv -f LATIN1 -t UTF-8; none of its bytes are printed here.',
    ]);
  }
}

/** Offset of the first byte that makes `bytes` invalid UTF-8 (a prefix that is only cut short is still valid). */
function firstInvalidUtf8(bytes: Buffer): number {
  let lo = 0;
  let hi = bytes.length; // invariant: prefix of length lo is valid, prefix of length hi is not
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid;
    }
  }
  // The byte that broke the text may end a sequence its lead byte started: point at the lead.
  const last = hi - 1;
  if ((bytes[last]! & 0xc0) !== 0x80) {
    for (let j = last - 1; j >= Math.max(0, last - 3); j--) {
      const b = bytes[j]!;
      if ((b & 0xc0) !== 0xc0) continue;
      const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return j + length > last ? j : last;
    }
  }
  return last;
}

function readError(err: NodeJS.ErrnoException, path: string, label: string, opts: ReadOptions): UsageError {
  switch (err.code) {
    case 'ENOENT':
      return new UsageError(opts.missingMessage ?? `${label} does not exist.`, opts.missingHints ?? ['Fix: check the path.']);
    case 'EISDIR':
      return new UsageError(`${label} is a folder, not a file.`, [`Fix: give the path of a file${opts.exampleName ? `, e.g. ${join(path, opts.exampleName)}` : ''}.`]);
    case 'ENOTDIR':
      return new UsageError(`${label} cannot be read: a part of its path is a file, not a folder.`, ['Fix: check the path.']);
    case 'EACCES':
    case 'EPERM':
      return new UsageError(`${label} cannot be read: permission denied.`, [`Fix: give your user read access (chmod u+r ${path}), or run as the user who owns it.`]);
    case 'ELOOP':
      return new UsageError(`${label} cannot be read: its symbolic links form a loop.`, ['Fix: point the link at the real file.']);
    default:
      return new UsageError(`${label} cannot be read (${err.code ?? err.message}).`, ['Fix: check the path and the file.']);
  }
}

/**
 * Checks, before any question is asked or any change is made, that {@link writeTextFile} can
 * write `path`: not a folder, not read-only, and its folder (or the nearest existing ancestor)
 * a writable folder.
 * @throws UsageError naming the file and the fix; nothing is written.
 */
export function checkWritable(path: string, label = path): void {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new UsageError(`${label} cannot be written: a part of its path is a file, not a folder.`, ['Fix: check the path. Nothing was written.']);
    if (code !== 'ENOENT') throw writeError(err as NodeJS.ErrnoException, path, label);
  }
  if (st) {
    if (st.isDirectory()) throw new UsageError(`${label} is a folder, not a file.`, ['Fix: give the path of a file. Nothing was written.']);
    if ((st.mode & 0o222) === 0) {
      throw new UsageError(`${label} is read-only (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); it was left as it is.`, [
        `Fix: make it writable (chmod u+w ${path}) if you mean to change it, or give another path with --config.`,
      ]);
    }
  }
  let dir = dirname(resolve(path));
  for (;;) {
    try {
      const d = statSync(dir);
      if (!d.isDirectory()) throw new UsageError(`${label} cannot be written: ${dir} is a file, not a folder.`, ['Fix: check the path. Nothing was written.']);
      break;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw writeError(err as NodeJS.ErrnoException, path, label);
  }
}

/**
 * Writes `text` to `path` atomically (a temp file beside it, then a rename). An existing file
 * keeps its mode, owner and group; a read-only one is refused. A new file gets `mode`.
 * When the owner cannot be kept (a file of another user in a shared folder), the file is
 * rewritten in place instead, which keeps its owner but is not atomic.
 * @throws UsageError when the path or its folder cannot be written; OperationError when the disk
 *   fails (no space). A failed write leaves the old file as it was.
 */
export function writeTextFile(path: string, text: string, opts: { label?: string; mode?: number } = {}): void {
  const label = opts.label ?? path;
  checkWritable(path, label);
  // A symbolic link stays a link: the file it points at is replaced.
  let target = path;
  let existing;
  try {
    target = realpathSync(path);
    existing = statSync(target);
  } catch {
    existing = undefined;
  }
  const tmp = `${target}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(tmp, text, { mode: existing ? existing.mode & 0o7777 : (opts.mode ?? 0o644) });
    if (existing) {
      chmodSync(tmp, existing.mode & 0o7777); // the umask may have cut the mode given above
      if (existing.uid !== process.getuid?.() || existing.gid !== process.getgid?.()) {
        try {
          chownSync(tmp, existing.uid, existing.gid);
        } catch {
          rmSync(tmp, { force: true });
          writeFileSync(target, text);
          return;
        }
      }
    }
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    if (err instanceof UsageError) throw err;
    throw writeError(err as NodeJS.ErrnoException, path, label);
  }
}

function writeError(err: NodeJS.ErrnoException, path: string, label: string): UsageError | OperationError {
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new UsageError(`${label} cannot be written: ${err.code === 'EROFS' ? 'the file system is read-only' : `permission denied in ${dirname(resolve(path))}`}.`, [
        'Fix: run where you can write, or give another path with --config. Nothing was written.',
      ]);
    case 'ENOTDIR':
    case 'EEXIST':
      return new UsageError(`${label} cannot be written: a part of its path is a file, not a folder.`, ['Fix: check the path. Nothing was written.']);
    case 'ELOOP':
      return new UsageError(`${label} cannot be written: its symbolic links form a loop.`, ['Fix: point the link at the real file. Nothing was written.']);
    case 'EISDIR':
      return new UsageError(`${label} is a folder, not a file.`, ['Fix: give the path of a file. Nothing was written.']);
    default:
      return new OperationError(`${label} cannot be written (${err.code ?? err.message}); the old file, if any, is unchanged.`);
  }
}
