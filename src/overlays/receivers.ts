/**
 * Where each Alertmanager receiver secret lives once installed. Alertmanager reads secrets from
 * files (`api_url_file`, `routing_key_file`, `auth_password_file`, `url_file`, all in Alertmanager
 * v0.34, the app version of chart alertmanager 1.42.0), and the chart mounts Secrets as folders via
 * `alertmanager.extraSecretMounts`. So no secret value is ever in the overlay or the ConfigMap:
 *
 * - `secret:NAME/KEY`: Secret NAME is mounted as is; the file is `<mount>/KEY`.
 * - `env:` and `file:`: `upgrade` resolves the value and writes it into the Secret that
 *   monitor-stack manages, {@link managedReceiverSecretName}, under key `<receiver>-<field>`.
 */
import { parseSecretRef, type SecretRef } from '../refs.js';
import type { Receiver, Settings } from '../config/schema.js';
import { alertmanagerReceivers } from '../alerts/routing.js';

/** Folder under which every receiver Secret is mounted in the Alertmanager pod. */
export const RECEIVER_SECRETS_ROOT = '/etc/alertmanager/secrets';

export interface ReceiverSecretFile {
  /** The reference from the config. */
  ref: SecretRef;
  /** Secret holding the value in the release namespace. */
  secretName: string;
  /** Key in that Secret. */
  key: string;
  /** Path of the mounted file in the Alertmanager container. */
  path: string;
  /** Receiver name and field, e.g. `slack` and `webhookUrl`. */
  receiver: string;
  field: string;
}

export interface ReceiverSecretPlan {
  /** File per receiver field, by `<receiver>.<field>` (e.g. `slack.webhookUrl`). */
  files: Map<string, ReceiverSecretFile>;
  /** `alertmanager.extraSecretMounts` entries, in first-use order. */
  mounts: { name: string; mountPath: string; secretName: string; readOnly: true }[];
  /** Entries of the managed Secret: key → reference (env:/file: only), and the receiver field it feeds. Empty when none. */
  managed: { key: string; ref: SecretRef; receiver: string; field: string }[];
}

/** Name of the Secret monitor-stack writes resolved env:/file: receiver values into. */
export function managedReceiverSecretName(s: Settings): string {
  return `${s.charts.prometheus.release}-alertmanager-receivers`.slice(0, 63).replace(/-+$/, '');
}

/** The secret-bearing fields of a receiver, in a fixed order. */
export function receiverSecretFields(r: Receiver): [field: string, value: string][] {
  switch (r.type) {
    case 'slack':
      return [['webhookUrl', r.webhookUrl]];
    case 'email':
      return r.password ? [['password', r.password]] : [];
    case 'pagerduty':
      return [['routingKey', r.routingKey]];
    case 'webhook':
      return [['url', r.url]];
  }
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Plans the Secrets and mounts behind every receiver secret. Pure. */
export function planReceiverSecrets(s: Settings): ReceiverSecretPlan {
  const managedName = managedReceiverSecretName(s);
  const files = new Map<string, ReceiverSecretFile>();
  const mounts: ReceiverSecretPlan['mounts'] = [];
  const managed: ReceiverSecretPlan['managed'] = [];
  const mountOf = (secretName: string): string => {
    const mountPath = `${RECEIVER_SECRETS_ROOT}/${secretName}`;
    if (!mounts.some((m) => m.secretName === secretName)) {
      mounts.push({ name: `receiver-secret-${mounts.length}`, mountPath, secretName, readOnly: true });
    }
    return mountPath;
  };
  for (const receiver of alertmanagerReceivers(s)) {
    for (const [field, value] of receiverSecretFields(receiver)) {
      const ref = parseSecretRef(value);
      if (typeof ref === 'string') throw new Error(`unvalidated secret reference at ${receiver.name}.${field}`);
      let secretName: string;
      let key: string;
      if (ref.kind === 'secret') {
        secretName = ref.name;
        key = ref.key;
      } else {
        secretName = managedName;
        key = `${receiver.name}-${kebab(field)}`;
        managed.push({ key, ref, receiver: receiver.name, field });
      }
      files.set(`${receiver.name}.${field}`, { ref, secretName, key, path: `${mountOf(secretName)}/${key}`, receiver: receiver.name, field });
    }
  }
  return { files, mounts, managed };
}
