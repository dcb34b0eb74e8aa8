/**
 * Where each Alertmanager receiver secret lives once installed: files (`api_url_file`,
 * `routing_key_file`, `auth_password_file`, `url_file`, all in Alertmanager v0.34, the app version
 * of chart alertmanager 1.42.0) in Secrets mounted by `alertmanager.extraSecretMounts`
 * (secret-files.ts). Resolved env:/file: values go into {@link managedReceiverSecretName}, under key
 * `<receiver>-<field>`.
 */
import type { Receiver, Settings } from '../config/schema.js';
import { alertmanagerReceivers } from '../alerts/routing.js';
import { planSecretFiles, type SecretFilePlan } from './secret-files.js';

/** Folder under which every receiver Secret is mounted in the Alertmanager pod. */
export const RECEIVER_SECRETS_ROOT = '/etc/alertmanager/secrets';

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

/** Plans the Secrets and mounts behind every receiver secret (files keyed `<receiver>.<field>`). Pure. */
export function planReceiverSecrets(s: Settings): SecretFilePlan {
  const uses = alertmanagerReceivers(s).flatMap((r) => receiverSecretFields(r).map(([field, value]) => ({ owner: `receiver ${r.name}`, ownerName: r.name, field, value })));
  return planSecretFiles(uses, { managedName: managedReceiverSecretName(s), root: RECEIVER_SECRETS_ROOT, mountName: 'receiver-secret' });
}
