/**
 * Resolving `env:` and `file:` references when `upgrade` runs. Values live only in memory and
 * go to the cluster through the Kubernetes API: never into argv, a file of ours, or a log line.
 */
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from './errors.js';
import { readTextFile } from './user-files.js';
import { formatSecretRef, type SecretRef } from './refs.js';

/**
 * Reads the value behind each reference.
 * @param entries key → reference; `secret:` references are not accepted here.
 * @param baseDir folder relative `file:` paths are resolved against (the config file's folder).
 * @returns key → value.
 * @throws UsageError listing every variable that is unset or empty and every file that cannot be read.
 */
export function resolveSecretRefs(entries: { key: string; ref: SecretRef }[], baseDir: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (const { key, ref } of entries) {
    if (ref.kind === 'env') {
      const value = env[ref.name];
      if (!value) problems.push(`${formatSecretRef(ref)}: the environment variable ${ref.name} is ${value === undefined ? 'not set' : 'empty'}.`);
      else out[key] = value;
    } else if (ref.kind === 'file') {
      const path = isAbsolute(ref.path) ? ref.path : resolve(baseDir, ref.path);
      try {
        const value = readTextFile(path, { maxBytes: 64 * 1024 }).replace(/\r?\n$/, '');
        if (!value) problems.push(`${formatSecretRef(ref)}: ${path} is empty.`);
        else out[key] = value;
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        problems.push(`${formatSecretRef(ref)}: ${err.message}`);
      }
    } else {
      throw new Error('secret: references are mounted, not resolved');
    }
  }
  if (problems.length) {
    throw new UsageError('secret references cannot be resolved:', [...problems.map((p) => `- ${p}`), 'Fix: export the variables or create the files, then run again. Nothing was changed.']);
  }
  return out;
}

/** Replaces every occurrence of each secret value in `text` with `[REDACTED]`. Values under 4 characters are left (too likely to hit ordinary text). */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[REDACTED]');
  return out;
}
