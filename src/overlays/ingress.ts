/**
 * The ingress block the overlays share. The charts differ only in the IngressClass key
 * (`ingressClassName` for prometheus 29.27.0 server and grafana 12.11.1, `className` for
 * alertmanager 1.42.0) and in the shape of `hosts` (names, or alertmanager's `{host, paths}`).
 *
 * TLS: the Secret of a host is the existing one named by `tls.secretName`, or
 * `<host with dots as dashes>-tls`, which cert-manager creates when the
 * `cert-manager.io/cluster-issuer` annotation names a ClusterIssuer.
 */
import type { Settings } from '../config/schema.js';

/**
 * `{enabled, <classKey>?, annotations?, hosts, tls}` for one host.
 * @param classKey the chart's IngressClass key; omitted when no IngressClass is set (cluster default).
 * @param hosts the chart's `hosts` value for this host.
 */
export function ingressValues(s: Settings, host: string, classKey: 'ingressClassName' | 'className', hosts: unknown[]): Record<string, unknown> {
  const tls = s.tls.secretName
    ? [{ secretName: s.tls.secretName, hosts: [host] }]
    : s.tls.clusterIssuer
      ? [{ secretName: `${host.replace(/\./g, '-')}-tls`, hosts: [host] }]
      : [];
  return {
    enabled: true,
    ...(s.ingress.className ? { [classKey]: s.ingress.className } : {}),
    ...(s.tls.clusterIssuer ? { annotations: { 'cert-manager.io/cluster-issuer': s.tls.clusterIssuer } } : {}),
    hosts,
    tls,
  };
}
