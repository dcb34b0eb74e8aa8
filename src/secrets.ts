/**
 * Resolving `env:` and `file:` references when `upgrade` runs. Values live only in memory and
 * go to the cluster through the Kubernetes API: never into argv, a file of ours, or a log line.
 */
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from './errors.js';
import { readTextFile } from './user-files.js';
import { checkSecretValue, SECRET_FIELD_KINDS } from './validate.js';
import { formatSecretRef, type SecretRef } from './refs.js';
import type { Settings } from './config/schema.js';
import { planReceiverSecrets } from './overlays/receivers.js';
import { planRemoteWriteSecrets } from './overlays/remote-write.js';
import type { SecretFilePlan } from './overlays/secret-files.js';

/**
 * Every file-mounted secret plan of the stack: the Alertmanager receivers (when Alertmanager is
 * on) and the Prometheus remote writes. Each has its own managed Secret. Pure.
 */
export function stackSecretPlans(s: Settings): { what: string; plan: SecretFilePlan }[] {
  return [
    ...(s.components.alertmanager ? [{ what: 'Alertmanager receiver', plan: planReceiverSecrets(s) }] : []),
    { what: 'Prometheus remote write', plan: planRemoteWriteSecrets(s) },
  ];
}

/**
 * Reads the value behind every env: and file: reference of the stack.
 * @returns managed Secret name → key → value (a Secret with no such entry is absent).
 * @throws UsageError listing every reference that cannot be resolved or whose value breaks its rule.
 */
export function resolveStackSecrets(s: Settings, baseDir: string, env: NodeJS.ProcessEnv = process.env): Record<string, Record<string, string>> {
  const managed = stackSecretPlans(s).flatMap(({ plan }) => plan.managed.map((e) => ({ ...e, key: `${plan.managedName}/${e.key}` })));
  const out: Record<string, Record<string, string>> = {};
  for (const [both, value] of Object.entries(resolveSecretRefs(managed, baseDir, env))) {
    const [name, key] = both.split('/') as [string, string];
    (out[name] ??= {})[key] = value;
  }
  return out;
}

/**
 * Reads the value behind each reference.
 * @param entries key → reference, with the field's owner (`receiver slack`) for messages; `secret:` references are not accepted here.
 * @param baseDir folder relative `file:` paths are resolved against (the config file's folder).
 * @returns key → value.
 * @throws UsageError listing every variable that is unset or empty and every file that cannot be read.
 */
export function resolveSecretRefs(entries: { key: string; ref: SecretRef; owner?: string; field?: string }[], baseDir: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (const { key, ref, owner, field } of entries) {
    const kind = field ? SECRET_FIELD_KINDS[field] : undefined;
    /** Keeps a value that passes its rule; else records the rule, naming the reference and never the value. */
    const accept = (value: string, from: string) => {
      const problem = kind && checkSecretValue(kind, value);
      if (problem) problems.push(`${formatSecretRef(ref)}${owner ? ` (${owner}, ${field})` : ''}: ${from} ${problem}; the value is not shown.`);
      else out[key] = value;
    };
    if (ref.kind === 'env') {
      const value = env[ref.name];
      if (!value) problems.push(`${formatSecretRef(ref)}: the environment variable ${ref.name} is ${value === undefined ? 'not set' : 'empty'}.`);
      else accept(value, `the value of ${ref.name}`);
    } else if (ref.kind === 'file') {
      const path = isAbsolute(ref.path) ? ref.path : resolve(baseDir, ref.path);
      try {
        const value = readTextFile(path, { maxBytes: 64 * 1024 }).replace(/\r?\n$/, '');
        if (!value) problems.push(`${formatSecretRef(ref)}: ${path} is empty.`);
        else accept(value, `the text of ${path}`);
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
