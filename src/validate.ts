/**
 * Validators for the values a user types: host names, URLs, e-mail addresses, durations, sizes.
 * Each returns `undefined` when the value is valid, or a short sentence saying what is expected.
 * The same functions back the zod schema (config file), the flags and the wizard's prompts, so a
 * value is judged the same way wherever it enters.
 */
import { UsageError } from './errors.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * What is wrong with a name that is not DNS-1123, in the user's terms: a scheme, port or path
 * pasted with a host, capitals, a non-ASCII character, a wildcard, an empty label, a label over
 * 63 characters. `undefined` when none of these applies (the generic rule is then given).
 */
function dnsHint(value: string, example: string, labelOnly: boolean): string | undefined {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value);
  if (scheme) return `must be a name without a scheme: drop "${scheme[0]}" (e.g. ${example})`;
  if (/[^\x00-\x7f]/.test(value)) return `must be ASCII: write a non-ASCII name in punycode (xn--…; idn2 converts it), e.g. ${example}`;
  const port = /:(\d*)$/.exec(value);
  if (port) return `must be a name without a port: drop ":${port[1]}" (e.g. ${example})`;
  if (value.includes('/')) return `must be a name without a path (e.g. ${example})`;
  if (value.startsWith('*.')) return `must be one name, not a wildcard (e.g. ${example})`;
  const lower = value.toLowerCase();
  if (lower !== value && (labelOnly ? checkDnsLabel(lower) : checkDnsSubdomain(lower)) === undefined) return `must be lowercase: ${lower}`;
  if (labelOnly && value.includes('.')) return `must be a single label, without dots (e.g. ${example})`;
  if (value.split('.').some((l) => l === '')) return `must not have an empty label: no dot at either end, no ".." (e.g. ${example})`;
  const long = value.split('.').find((l) => l.length > 63);
  if (long) return labelOnly ? `must be at most 63 characters (a DNS-1123 label); it has ${long.length}` : `each label between dots must be at most 63 characters (DNS-1123); "${long.slice(0, 12)}…" has ${long.length}`;
  return undefined;
}

/**
 * A DNS-1123 subdomain (Kubernetes object names, ingress host names): lowercase alphanumerics,
 * '-' and '.', each label at most 63 characters and starting and ending alphanumeric, 253
 * characters at most. The reason names the broken limit and the fix.
 * @param example a valid value for the field, shown in the reason (default `grafana.example.com`).
 */
export function checkDnsSubdomain(value: string, example = 'grafana.example.com'): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (value.length > 253) return `must be at most 253 characters (a DNS-1123 subdomain); it has ${value.length}`;
  if (value.split('.').every((label) => label.length <= 63 && DNS1123_LABEL.test(label))) return undefined;
  return dnsHint(value, example, false) ?? `must be a DNS-1123 name: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit (e.g. ${example})`;
}

/**
 * A DNS-1123 label (namespaces, release names): at most 63 characters, no dots.
 * @param example a valid value for the field, shown in the reason (default `monitoring`).
 */
export function checkDnsLabel(value: string, example = 'monitoring'): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (value.length <= 63 && DNS1123_LABEL.test(value)) return undefined;
  return dnsHint(value, example, true) ?? `must be a DNS-1123 label: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit (e.g. ${example})`;
}

/**
 * A chart source (charts.ts `parseChartSource`): an http(s) chart repository URL, an `oci://`
 * reference, or a local folder path. Another scheme (`ftp://`, `git://`) would be taken for a
 * folder of that name, so it is refused here.
 */
export function checkChartSource(value: string): string | undefined {
  if (value.trim() === '') return 'must not be empty';
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value);
  if (scheme && !['http', 'https', 'oci'].includes(scheme[1]!.toLowerCase())) {
    return `must be an https:// chart repository, an oci:// reference or a local folder, not ${scheme[1]}:// (e.g. https://charts.example.com)`;
  }
  if (scheme && /^https?:\/\//i.test(value) && checkHttpUrl(value)) return checkHttpUrl(value);
  return undefined;
}

/** An absolute http(s) URL. */
export function checkHttpUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http:// or https:// URL (e.g. http://loki-gateway/loki/api/v1/push)';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `must use http:// or https://, not ${url.protocol}//`;
  }
  if (!url.hostname) return 'must name a host';
  return undefined;
}

/**
 * A Prometheus v3.14 `remote_write[].url`: an absolute http(s) URL without user or password in it
 * (those belong in `basicAuth`, as a secret reference), and without `{{` (chart prometheus 29.27.0
 * passes the URL through `tpl`). The message never repeats the URL: it may hold a credential.
 */
export function checkRemoteWriteUrl(value: string): string | undefined {
  const problem = checkHttpUrl(value);
  if (problem) return problem.replace(/\(e\.g\. [^)]*\)/, '(e.g. https://mimir.example.com/api/v1/push)');
  const url = new URL(value);
  if (url.username || url.password) return 'must not hold a user or password: set basicAuth.username and basicAuth.password (a secret reference) instead; the value is not shown';
  if (value.includes('{{')) return 'must not contain "{{" (the chart renders the URL as a template)';
  return undefined;
}

/**
 * Headers Prometheus v3.14 refuses in `remote_write[].headers` (its config.go
 * `reservedHeaders`, with `authorization`, which it checks apart), lower case.
 */
export const RESERVED_REMOTE_WRITE_HEADERS = ['authorization', 'host', 'content-encoding', 'content-length', 'content-type', 'user-agent', 'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'www-authenticate', 'accept-encoding', 'x-prometheus-remote-write-version', 'x-prometheus-remote-read-version', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'];

/** An HTTP header name that Prometheus lets a remote write set. */
export function checkRemoteWriteHeader(name: string): string | undefined {
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return `"${name}" is not an HTTP header name`;
  if (RESERVED_REMOTE_WRITE_HEADERS.includes(name.toLowerCase())) {
    return name.toLowerCase() === 'authorization' ? `"${name}" is set by Prometheus: use bearerToken or basicAuth (secret references) instead` : `"${name}" is set by Prometheus itself and cannot be overridden`;
  }
  return undefined;
}

const EMAIL = /^[^\s@<>(),;:"]+@[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)+$/;

/** One e-mail address, `user@example.com` (no display name). */
export function checkEmail(value: string): string | undefined {
  return EMAIL.test(value) ? undefined : 'must be an e-mail address such as alerts@example.com';
}

/**
 * An e-mail sender as Alertmanager v0.34 takes `email_configs[].from` (Go's `net/mail.ParseAddress`):
 * `alerts@example.com`, or with a display name, `Alertmanager <alerts@example.com>` or
 * `"Alerts, prod" <alerts@example.com>`.
 */
export function checkEmailSender(value: string): string | undefined {
  const named = /^(?:"[^"\\\r\n]*"|[^"<>\r\n,;:@]*?)\s*<([^<>]+)>$/.exec(value);
  if (named ? !EMAIL.test(named[1]!) : checkEmail(value)) {
    return 'must be an e-mail address such as alerts@example.com, or with a display name: Alertmanager <alerts@example.com>';
  }
  return undefined;
}

/** An SMTP smarthost, `host:port` (Alertmanager's `smarthost`). */
export function checkSmarthost(value: string): string | undefined {
  const m = /^([^:\s]+):(\d{1,5})$/.exec(value);
  if (!m || checkDnsSubdomain(m[1]!.toLowerCase()) || Number(m[2]) < 1 || Number(m[2]) > 65535) {
    return 'must be host:port, e.g. smtp.example.com:587';
  }
  return undefined;
}

/**
 * A Prometheus duration as `server.retention` takes it (prometheus 29.27.0 → `--storage.tsdb.retention.time`):
 * one or more `<number><unit>` with unit y, w, d, h, m, s or ms, e.g. `15d`, `1w3d`, `12h`.
 */
export function checkDuration(value: string): string | undefined {
  return /^(\d+(ms|y|w|d|h|m|s))+$/.test(value) && !/^0+[a-z]+$/.test(value)
    ? undefined
    : 'must be a Prometheus duration such as 15d, 12h or 1w (units: y, w, d, h, m, s, ms)';
}

/** A helm `--timeout` (a Go duration): `90s`, `10m`, `1.5h`, `1h30m`. */
export function checkHelmTimeout(value: string): string | undefined {
  return /^(\d+(\.\d+)?(ms|s|m|h))+$/.test(value) ? undefined : 'must be a duration such as 90s, 10m or 1h';
}

/** A Kubernetes storage quantity with a binary or decimal suffix, e.g. `50Gi`, `500Mi`, `1Ti`, `100G`. */
export function checkStorageSize(value: string): string | undefined {
  return /^[1-9]\d*(\.\d+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)$/.test(value)
    ? undefined
    : 'must be a Kubernetes quantity such as 50Gi, 500Mi or 1Ti';
}

/** A CPU quantity as Kubernetes takes it: millicores (`250m`) or cores (`1`, `0.5`). */
export function checkCpu(value: string): string | undefined {
  return /^(\d+m|\d+(\.\d{1,3})?)$/.test(value) && !/^0+(\.0*)?m?$/.test(value) ? undefined : 'must be a CPU quantity such as 250m, 0.5 or 2';
}

/** A memory quantity as Kubernetes takes it, with a binary or decimal suffix: `512Mi`, `2Gi`, `500M`. */
export function checkMemory(value: string): string | undefined {
  return /^[1-9]\d*(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)$/.test(value) ? undefined : 'must be a memory quantity such as 512Mi or 2Gi';
}

/** A size as Prometheus' `--storage.tsdb.retention.size` takes it (units B, KB, MB, GB, TB, PB, EB; powers of 1024). */
export function checkPrometheusSize(value: string): string | undefined {
  return /^[1-9]\d*(B|KB|MB|GB|TB|PB|EB)$/.test(value) ? undefined : 'must be a Prometheus size such as 45GB or 500MB (units B, KB, MB, GB, TB, PB, EB)';
}

/** A Prometheus label name: letters, digits and `_`, not starting with a digit, and not `__` (reserved). */
export function checkLabelName(value: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) return 'must be a label name such as cluster or region (letters, digits and _, not starting with a digit)';
  return value.startsWith('__') ? 'must not start with __ (Prometheus reserves those names)' : undefined;
}

/**
 * A Grafana plugin as grafana.com names it, `<org>-<name>-<type>` in lowercase, optionally pinned
 * with `@<version>` (the `id@version` form chart grafana 12.11.1 documents for `plugins`). Download
 * URLs are not taken: a plugin is code, so it comes from grafana.com by id.
 */
export function checkGrafanaPlugin(value: string): string | undefined {
  if (/^[a-z][a-z0-9]*(-[a-z0-9]+)+(@\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?)?$/.test(value)) return undefined;
  if (/:\/\//.test(value)) return 'must be a grafana.com plugin id, not a URL (e.g. grafana-clock-panel@2.1.8)';
  return 'must be a grafana.com plugin id such as grafana-clock-panel, optionally pinned: grafana-clock-panel@2.1.8';
}

/** A Slack channel, `#name` or `@user`. */
export function checkSlackChannel(value: string): string | undefined {
  return /^[#@][a-z0-9._-]{1,80}$/.test(value) ? undefined : 'must be a Slack channel such as #alerts (or @user)';
}

/**
 * A whole-number option such as `--context 5` or `--parallel 3`.
 * @throws UsageError naming the flag and the range when the value is not an integer in [min, max].
 */
export function parseCount(value: unknown, flag: string, min: number, max: number): number {
  const text = String(value);
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} "${text}": must be a whole number from ${min} to ${max}.`);
  return n;
}

/**
 * A duration such as `0s`, `90s`, `10m` or `1h30m` (helm's form) in seconds.
 * @throws UsageError naming the flag when the value is not one.
 */
export function parseDurationSeconds(value: string, flag: string): number {
  const problem = checkHelmTimeout(value);
  if (problem) throw new UsageError(`${flag} "${value}": ${problem}.`);
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
  let total = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * unit[m[2]!]!;
  return total;
}

/** What a receiver secret holds, by the receiver field that refers to it. */
export type SecretValueKind = 'url' | 'pagerdutyKey' | 'password';

/** The kind of each secret-bearing field (overlays/receivers.ts `receiverSecretFields`, overlays/remote-write.ts). A bearer token is judged like a password: anything on one line. */
export const SECRET_FIELD_KINDS: Record<string, SecretValueKind> = { webhookUrl: 'url', url: 'url', routingKey: 'pagerdutyKey', password: 'password', bearerToken: 'password' };

/**
 * A secret value once resolved (from `env:`, `file:`, `secret:` or typed in the wizard), judged
 * without ever echoing it. A `file:` value has had one trailing newline (LF or CRLF) removed
 * before this check; nothing else is trimmed, so any other leading or trailing white space, or a
 * line break inside, is an error here rather than a surprise when the first alert is sent.
 * - `url`: an absolute http(s) URL (Slack `api_url`, webhook `url` of Alertmanager v0.34);
 * - `pagerdutyKey`: a PagerDuty Events API v2 integration key, 32 letters and digits;
 * - `password`: anything on one line.
 * @returns the rule broken, or `undefined`.
 */
export function checkSecretValue(kind: SecretValueKind, value: string): string | undefined {
  if (value === '') return 'is empty';
  if (/[\r\n]/.test(value)) return 'has a line break inside (only one trailing newline of a file: is removed)';
  if (/^\s|\s$/.test(value)) return 'starts or ends with white space, which is kept as part of the value: remove it';
  if (kind === 'url' && checkHttpUrl(value)) return 'must be an absolute http:// or https:// URL (e.g. https://hooks.slack.com/services/…)';
  if (kind === 'pagerdutyKey' && !/^[A-Za-z0-9]{32}$/.test(value)) return 'must be a PagerDuty Events API v2 integration key: 32 letters and digits';
  return undefined;
}

/**
 * An Alertmanager matcher in its classic syntax (Alertmanager v0.34 `matchers`): a label name,
 * one of `=`, `!=`, `=~`, `!~`, and a value, quoted or bare (`severity="critical"`,
 * `namespace=~"shop|web"`). amtool check-config judges the rendered config in the tools tier.
 */
export function checkMatcher(value: string): string | undefined {
  const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/.exec(value);
  const example = 'such as severity="critical" or namespace=~"shop|web"';
  if (!m) return `must be an Alertmanager matcher: a label name, then =, !=, =~ or !~, then a value, ${example}`;
  const v = m[3]!;
  if (v.startsWith('"')) {
    if (!/^"(?:[^"\\]|\\.)*"$/.test(v)) return `has an unterminated quoted value; ${example}`;
  } else if (/[\s"{},]/.test(v)) return `has a value with spaces, quotes, braces or commas: quote it, ${example}`;
  if (m[2] === '=~' || m[2] === '!~') {
    try {
      const raw = v.startsWith('"') ? (JSON.parse(v) as string) : v;
      new RegExp(`^(?:${raw})$`);
    } catch {
      return `has a value that is not a regular expression; ${example}`;
    }
  }
  return undefined;
}
