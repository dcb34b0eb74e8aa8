/**
 * Secret values as mounted files. The programs of the stack read their credentials from files
 * (Alertmanager v0.34 `*_file` fields, Prometheus v3.14 `password_file` and `credentials_file`),
 * and the charts mount Secrets as folders (`alertmanager.extraSecretMounts`,
 * `server.extraSecretMounts` of prometheus 29.27.0). So no secret value is ever in an overlay or a
 * ConfigMap:
 *
 * - `secret:NAME/KEY`: Secret NAME is mounted as is; the file is `<root>/NAME/KEY`;
 * - `env:` and `file:`: `upgrade` resolves the value and writes it into a Secret monitor-stack
 *   manages (one per consumer), under key `<owner>-<field>` in kebab case.
 */
import { parseSecretRef, type SecretRef } from '../refs.js';

/** One secret-bearing field of the settings. */
export interface SecretUse {
  /** What holds the field, for messages: `receiver slack`, `remote write mimir`. */
  owner: string;
  /** Short name of the owner, the first part of the managed Secret's key: `slack`, `mimir`. */
  ownerName: string;
  /** Field name as in monitor-stack.yaml, e.g. `webhookUrl`; it picks the value rule (validate.ts SECRET_FIELD_KINDS). */
  field: string;
  /** The reference text, already validated by the schema. */
  value: string;
}

export interface SecretFile {
  ref: SecretRef;
  /** Secret holding the value in the release namespace. */
  secretName: string;
  /** Key in that Secret. */
  key: string;
  /** Path of the mounted file in the container. */
  path: string;
  owner: string;
  field: string;
}

/** A managed Secret's entry: a resolved (env:/file:) value goes to `key`. */
export interface ManagedEntry {
  key: string;
  ref: SecretRef;
  owner: string;
  field: string;
}

export interface SecretFilePlan {
  /** Name of the Secret monitor-stack writes env:/file: values into. */
  managedName: string;
  /** File per field, by `<ownerName>.<field>`. */
  files: Map<string, SecretFile>;
  /** `extraSecretMounts` entries (both charts' shape), in first-use order. */
  mounts: { name: string; mountPath: string; secretName: string; readOnly: true }[];
  /** Entries of the managed Secret, by first use. Empty when every value is a `secret:` reference. */
  managed: ManagedEntry[];
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Plans the Secrets and mounts behind a set of secret-bearing fields. Pure.
 * @param o.root folder in the container under which each Secret is mounted by name;
 *   `o.mountName` prefixes the volume names (`<mountName>-0`, …).
 * @throws Error when a value is not a valid reference (the schema refuses those first).
 */
export function planSecretFiles(uses: SecretUse[], o: { managedName: string; root: string; mountName: string }): SecretFilePlan {
  const files = new Map<string, SecretFile>();
  const mounts: SecretFilePlan['mounts'] = [];
  const managed: ManagedEntry[] = [];
  const mountOf = (secretName: string): string => {
    const mountPath = `${o.root}/${secretName}`;
    if (!mounts.some((m) => m.secretName === secretName)) mounts.push({ name: `${o.mountName}-${mounts.length}`, mountPath, secretName, readOnly: true });
    return mountPath;
  };
  for (const { owner, ownerName, field, value } of uses) {
    const ref = parseSecretRef(value);
    if (typeof ref === 'string') throw new Error(`unvalidated secret reference at ${owner}, ${field}`);
    let secretName: string;
    let key: string;
    if (ref.kind === 'secret') {
      secretName = ref.name;
      key = ref.key;
    } else {
      secretName = o.managedName;
      key = `${ownerName}-${kebab(field)}`;
      managed.push({ key, ref, owner, field });
    }
    files.set(`${ownerName}.${field}`, { ref, secretName, key, path: `${mountOf(secretName)}/${key}`, owner, field });
  }
  return { managedName: o.managedName, files, mounts, managed };
}

/** The mounted path of one planned field. @throws Error when it was not planned. */
export function secretFilePath(plan: SecretFilePlan, ownerName: string, field: string): string {
  const f = plan.files.get(`${ownerName}.${field}`);
  if (!f) throw new Error(`no secret file planned for ${ownerName}.${field}`);
  return f.path;
}
