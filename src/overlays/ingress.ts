/**
 * Ingress pieces shared by the overlays. The TLS Secret of a host is either the existing Secret
 * named by `tls.secretName`, or `<host with dots as dashes>-tls`, which cert-manager creates when
 * the `cert-manager.io/cluster-issuer` annotation names a ClusterIssuer.
 */
import type { Settings } from '../config/schema.js';

/** `{ annotations }` for an ingress: the cert-manager ClusterIssuer when one is set, else `{}` (no key). */
export function ingressAnnotations(s: Settings): { annotations?: Record<string, string> } {
  return s.tls.clusterIssuer ? { annotations: { 'cert-manager.io/cluster-issuer': s.tls.clusterIssuer } } : {};
}

/** The `tls` list of an ingress for one host: empty when TLS is off. */
export function ingressTls(s: Settings, host: string): { secretName: string; hosts: string[] }[] {
  if (s.tls.secretName) return [{ secretName: s.tls.secretName, hosts: [host] }];
  if (s.tls.clusterIssuer) return [{ secretName: `${host.replace(/\./g, '-')}-tls`, hosts: [host] }];
  return [];
}

/** `{ <classKey>: className }` when an IngressClass is set, else `{}` (the cluster default). */
export function ingressClass(s: Settings, classKey: string): Record<string, string> {
  return s.ingress.className ? { [classKey]: s.ingress.className } : {};
}
