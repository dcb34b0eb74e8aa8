/**
 * Every validator at its boundaries: the last value accepted and the first refused, each anchor of
 * its pattern, and the exact sentence the user reads. (refs-validate.test.ts has the typical cases.)
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseSecretRef } from '../../src/refs.js';
import {
  checkChartSource,
  checkDnsLabel,
  checkDnsSubdomain,
  checkDuration,
  checkEmail,
  checkEmailSender,
  checkHelmTimeout,
  checkHttpUrl,
  checkMatcher,
  checkSlackChannel,
  checkSmarthost,
  checkStorageSize,
  parseCount,
  parseDurationSeconds,
} from '../../src/validate.js';

const DNS_NAME = 'must be a DNS-1123 name: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit (e.g. grafana.example.com)';
const DNS_LABEL = 'must be a DNS-1123 label: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit (e.g. monitoring)';

/** Runs `check` on each value; the result is `ok` or the sentence. */
const judge = (check: (v: string) => string | undefined, values: string[]) => Object.fromEntries(values.map((v) => [v, check(v) ?? 'ok']));

describe('DNS names', () => {
  const label63 = 'a'.repeat(63);
  const name253 = `${label63}.${label63}.${label63}.${'b'.repeat(61)}`;

  it('subdomain: 253 characters and 63 per label at most, each label alphanumeric at both ends', () => {
    expect(name253).toHaveLength(253);
    expect(judge(checkDnsSubdomain, ['', name253, `${name253}b`, label63, `${label63}a`, 'a-b.c', '-a.b', 'a-.b', 'a..b', '.a', 'a.', 'A.b', 'a_b.c'])).toEqual({
      '': 'must not be empty',
      [name253]: 'ok',
      [`${name253}b`]: 'must be at most 253 characters (a DNS-1123 subdomain); it has 254',
      [label63]: 'ok',
      [`${label63}a`]: 'each label between dots must be at most 63 characters (DNS-1123); "aaaaaaaaaaaa…" has 64',
      'a-b.c': 'ok',
      '-a.b': DNS_NAME,
      'a-.b': DNS_NAME,
      'a..b': 'must not have an empty label: no dot at either end, no ".." (e.g. grafana.example.com)',
      '.a': 'must not have an empty label: no dot at either end, no ".." (e.g. grafana.example.com)',
      'a.': 'must not have an empty label: no dot at either end, no ".." (e.g. grafana.example.com)',
      'A.b': 'must be lowercase: a.b',
      'a_b.c': DNS_NAME,
    });
  });

  it('subdomain: names what was pasted with a host, and the fix', () => {
    expect(judge((v) => checkDnsSubdomain(v, 'prometheus.example.com'), ['https://p.example.com', 'HTTP://P.example.com/x', 'p.example.com:443', 'p.example.com:', 'p.example.com/prom', '*.example.com', 'prométhée.example.com', 'P_X.example.com'])).toEqual({
      'https://p.example.com': 'must be a name without a scheme: drop "https://" (e.g. prometheus.example.com)',
      'HTTP://P.example.com/x': 'must be a name without a scheme: drop "HTTP://" (e.g. prometheus.example.com)',
      'p.example.com:443': 'must be a name without a port: drop ":443" (e.g. prometheus.example.com)',
      'p.example.com:': 'must be a name without a port: drop ":" (e.g. prometheus.example.com)',
      'p.example.com/prom': 'must be a name without a path (e.g. prometheus.example.com)',
      '*.example.com': 'must be one name, not a wildcard (e.g. prometheus.example.com)',
      'prométhée.example.com': 'must be ASCII: write a non-ASCII name in punycode (xn--…; idn2 converts it), e.g. prometheus.example.com',
      // capitals that are not the only fault get the general rule
      'P_X.example.com': 'must be a DNS-1123 name: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit (e.g. prometheus.example.com)',
    });
  });

  it('label: 63 characters at most, no dot', () => {
    expect(judge(checkDnsLabel, ['', label63, `${label63}a`, 'a.b', 'a-1', '1a', 'Mon', 'a_b', '-a'])).toEqual({
      '': 'must not be empty',
      [label63]: 'ok',
      [`${label63}a`]: 'must be at most 63 characters (a DNS-1123 label); it has 64',
      'a.b': 'must be a single label, without dots (e.g. monitoring)',
      'a-1': 'ok',
      '1a': 'ok',
      Mon: 'must be lowercase: mon',
      a_b: DNS_LABEL,
      '-a': DNS_LABEL,
    });
    expect(checkDnsLabel('A.b', 'prod')).toBe('must be a single label, without dots (e.g. prod)');
  });
});

describe('URLs, addresses, hosts and channels', () => {
  it('http(s) URLs only', () => {
    expect(judge(checkHttpUrl, ['http://loki/push', 'https://x.example.com', 'loki/push', 'ftp://x.example.com', 'file:///etc/passwd'])).toEqual({
      'http://loki/push': 'ok',
      'https://x.example.com': 'ok',
      'loki/push': 'must be an absolute http:// or https:// URL (e.g. http://loki-gateway/loki/api/v1/push)',
      'ftp://x.example.com': 'must use http:// or https://, not ftp://',
      'file:///etc/passwd': 'must use http:// or https://, not file://',
    });
  });

  it('e-mail: one address, a dotted domain whose labels may be one character, no hyphen at a label edge', () => {
    const bad = 'must be an e-mail address such as alerts@example.com';
    expect(judge(checkEmail, ['a@b.c', 'ops@mail.example.com', 'ops@my-mail.example.com', 'a@bc', ' a@b.com', 'a@b.com ', 'a b@c.com', 'a@-b.com', 'a@b-.com', 'a@b.c-', 'a@b.-c', '<a@b.com>'])).toEqual({
      'a@b.c': 'ok',
      'ops@mail.example.com': 'ok',
      'ops@my-mail.example.com': 'ok',
      'a@bc': bad,
      ' a@b.com': bad,
      'a@b.com ': bad,
      'a b@c.com': bad,
      'a@-b.com': bad,
      'a@b-.com': bad,
      'a@b.c-': bad,
      'a@b.-c': bad,
      '<a@b.com>': bad,
    });
  });

  it('e-mail sender: an address, or a display name and the address in angle brackets, as Alertmanager takes from', () => {
    const bad = 'must be an e-mail address such as alerts@example.com, or with a display name: Alertmanager <alerts@example.com>';
    expect(judge(checkEmailSender, ['am@example.com', 'Alertmanager <am@example.com>', '"Alerts, prod" <am@example.com>', '<am@example.com>', 'Alertmanager<am@example.com>', 'Alertmanager <am@example>', 'Alertmanager <am@example.com', 'Alertmanager am@example.com', 'a, b <am@example.com>', 'a <b> <am@example.com>', '"open <am@example.com>'])).toEqual({
      'am@example.com': 'ok',
      'Alertmanager <am@example.com>': 'ok',
      '"Alerts, prod" <am@example.com>': 'ok',
      '<am@example.com>': 'ok',
      'Alertmanager<am@example.com>': 'ok',
      'Alertmanager <am@example>': bad,
      'Alertmanager <am@example.com': bad,
      'Alertmanager am@example.com': bad,
      'a, b <am@example.com>': bad,
      'a <b> <am@example.com>': bad,
      '"open <am@example.com>': bad,
    });
  });

  it('smarthost: host:port, port 1 to 65535, the whole value', () => {
    const bad = 'must be host:port, e.g. smtp.example.com:587';
    expect(judge(checkSmarthost, ['smtp.example.com:587', 'SMTP.Example.com:25', 'smtp:1', 'smtp:65535', 'smtp:0', 'smtp:65536', 'smtp:587x', 'x smtp:587', 'smtp', 'smtp_1:25'])).toEqual({
      'smtp.example.com:587': 'ok',
      'SMTP.Example.com:25': 'ok',
      'smtp:1': 'ok',
      'smtp:65535': 'ok',
      'smtp:0': bad,
      'smtp:65536': bad,
      'smtp:587x': bad,
      'x smtp:587': bad,
      smtp: bad,
      'smtp_1:25': bad,
    });
  });

  it('Slack channel: #name or @user, the whole value', () => {
    const bad = 'must be a Slack channel such as #alerts (or @user)';
    expect(judge(checkSlackChannel, ['#alerts', '@oncall', '#a', 'alerts', 'x#alerts', '#alerts x', '#Alerts', '#', `#${'a'.repeat(80)}`, `#${'a'.repeat(81)}`])).toEqual({
      '#alerts': 'ok',
      '@oncall': 'ok',
      '#a': 'ok',
      alerts: bad,
      'x#alerts': bad,
      '#alerts x': bad,
      '#Alerts': bad,
      '#': bad,
      [`#${'a'.repeat(80)}`]: 'ok',
      [`#${'a'.repeat(81)}`]: bad,
    });
  });
});

describe('durations, sizes and counts', () => {
  it('Prometheus durations: units y w d h m s ms, several parts, never zero', () => {
    const bad = 'must be a Prometheus duration such as 15d, 12h or 1w (units: y, w, d, h, m, s, ms)';
    expect(judge(checkDuration, ['15d', '1w3d', '10d', '100ms', '1y', '0d1h', '0d', '00d', '0ms', 'x15d', '15dx', '15', 'd', '1.5d'])).toEqual({
      '15d': 'ok',
      '1w3d': 'ok',
      '10d': 'ok',
      '100ms': 'ok',
      '1y': 'ok',
      '0d1h': 'ok',
      '0d': bad,
      '00d': bad,
      '0ms': bad,
      'x15d': bad,
      '15dx': bad,
      '15': bad,
      d: bad,
      '1.5d': bad,
    });
  });

  it('helm timeouts (Go durations), and their value in seconds', () => {
    const bad = 'must be a duration such as 90s, 10m or 1h';
    expect(judge(checkHelmTimeout, ['90s', '1h30m', '1.5h', '1.25h', '0s', 'x10m', '10mx', '1.h', '10d'])).toEqual({
      '90s': 'ok',
      '1h30m': 'ok',
      '1.5h': 'ok',
      '1.25h': 'ok',
      '0s': 'ok',
      'x10m': bad,
      '10mx': bad,
      '1.h': bad,
      '10d': bad,
    });
    expect(['0s', '90s', '10m', '1h30m', '1.5h', '1.25h', '500ms'].map((v) => parseDurationSeconds(v, '--timeout'))).toEqual([0, 90, 600, 5400, 5400, 4500, 0.5]);
    expect(() => parseDurationSeconds('10d', '--timeout')).toThrow(new UsageError('--timeout "10d": must be a duration such as 90s, 10m or 1h.'));
  });

  it('storage sizes: a positive quantity with a suffix', () => {
    const bad = 'must be a Kubernetes quantity such as 50Gi, 500Mi or 1Ti';
    expect(judge(checkStorageSize, ['50Gi', '1.5Gi', '1.25Ti', '100G', '050Gi', '0Gi', '50', '50Gix', 'x50Gi', '50gi'])).toEqual({
      '50Gi': 'ok',
      '1.5Gi': 'ok',
      '1.25Ti': 'ok',
      '100G': 'ok',
      '050Gi': bad,
      '0Gi': bad,
      '50': bad,
      '50Gix': bad,
      'x50Gi': bad,
      '50gi': bad,
    });
  });

  it('counts: whole numbers from min to max, both included', () => {
    expect([1, 5, 10].map((n) => parseCount(String(n), '--parallel', 1, 10))).toEqual([1, 5, 10]);
    for (const v of ['0', '11', '1.5', '5x', 'x5', '', '-1', ' 5', '5 ', '1e1']) {
      expect(() => parseCount(v, '--parallel', 1, 10), v).toThrow(new UsageError(`--parallel "${v}": must be a whole number from 1 to 10.`));
    }
  });
});

describe('secret references', () => {
  const LITERAL = 'takes a reference, not a literal value, so that the secret stays out of shell history, process lists and monitor-stack.yaml. Use one of: env:NAME, file:PATH, secret:NAME/KEY';
  const ENV = 'env: must be followed by a variable name such as env:SLACK_WEBHOOK_URL';
  const SECRET = 'secret: must be followed by NAME/KEY of a Kubernetes Secret, such as secret:alertmanager-receivers/slack-url';
  it('each form, and each way to get it wrong, with the sentence (never the value)', () => {
    expect(
      Object.fromEntries(
        ['env:SLACK_URL', 'env:_X1', 'env:', 'env:1X', 'env:A-B', 'env:A B', ':env', 'https://hooks.example.com/T0/B0', 'envX', 'fileX', 'secretX', 'file:/run/s', 'file:', 'secret:am/slack-url', 'secret:am/a.b_c', 'secret:/k', 'secret:am', 'secret:am/', 'secret:am/k k', 'secret:AM/k', 'secret:am/ k'].map((v) => {
          const r = parseSecretRef(v);
          return [v, typeof r === 'string' ? r : r];
        }),
      ),
    ).toEqual({
      'env:SLACK_URL': { kind: 'env', name: 'SLACK_URL' },
      'env:_X1': { kind: 'env', name: '_X1' },
      'env:': ENV,
      'env:1X': ENV,
      'env:A-B': ENV,
      'env:A B': ENV,
      ':env': LITERAL,
      'https://hooks.example.com/T0/B0': LITERAL,
      // A scheme name without its colon is a literal, not a reference.
      envX: LITERAL,
      fileX: LITERAL,
      secretX: LITERAL,
      'file:/run/s': { kind: 'file', path: '/run/s' },
      'file:': 'file: must be followed by a path such as file:/run/secrets/slack-url',
      'secret:am/slack-url': { kind: 'secret', name: 'am', key: 'slack-url' },
      'secret:am/a.b_c': { kind: 'secret', name: 'am', key: 'a.b_c' },
      'secret:/k': SECRET,
      'secret:am': SECRET,
      'secret:am/': SECRET,
      'secret:am/k k': SECRET,
      'secret:AM/k': SECRET,
      'secret:am/ k': SECRET,
    });
  });
});

describe('checkChartSource', () => {
  it('takes an http(s) repository, an oci:// reference and a local folder, in any case of scheme', () => {
    for (const ok of ['https://charts.example.com', 'HTTPS://charts.example.com/sub', 'http://127.0.0.1:8080', 'oci://registry.example.com/charts/grafana', 'OCI://r/c', './charts/grafana', '/srv/charts/grafana', 'charts', 'c:\\charts'])
      expect(checkChartSource(ok), ok).toBeUndefined();
  });

  it('refuses an empty or blank source', () => {
    expect(checkChartSource('')).toBe('must not be empty');
    expect(checkChartSource('  ')).toBe('must not be empty');
  });

  it('refuses another scheme, naming it, where it would be taken for a folder', () => {
    expect(checkChartSource('ftp://charts.example.com')).toBe('must be an https:// chart repository, an oci:// reference or a local folder, not ftp:// (e.g. https://charts.example.com)');
    expect(checkChartSource('git+ssh://h/r')).toContain('not git+ssh://');
    expect(checkChartSource('s3://bucket/charts')).toContain('not s3://');
    // only at the start: a folder whose name holds "x://" further on is a folder
    expect(checkChartSource('./ftp://x')).toBeUndefined();
    expect(checkChartSource('1ftp://x')).toBeUndefined();
  });

  it('judges an http(s) source as a URL (a host is needed)', () => {
    expect(checkChartSource('https://')).toBe(checkHttpUrl('https://'));
    expect(checkChartSource('https://')).toBeDefined();
  });
});

describe('checkMatcher (Alertmanager matchers)', () => {
  it('takes each operator, quoted and bare values, spaces around the operator', () => {
    for (const ok of ['severity="critical"', 'severity=critical', 'namespace!="kube-system"', 'namespace=~"shop|web"', 'alertname!~"Watchdog|InfoInhibitor"', ' team = "a b" ', 'x=""', 'msg="say \\"hi\\""'])
      expect(checkMatcher(ok), ok).toBeUndefined();
  });

  it('refuses a missing operator or label, an unterminated quote, a bare value with spaces, a bad regular expression', () => {
    expect(checkMatcher('severity')).toMatch(/^must be an Alertmanager matcher: a label name, then =, !=, =~ or !~, then a value, such as severity="critical"/);
    expect(checkMatcher('="x"')).toMatch(/^must be an Alertmanager matcher/);
    expect(checkMatcher('1abc="x"')).toMatch(/^must be an Alertmanager matcher/);
    expect(checkMatcher('severity="critical')).toMatch(/^has an unterminated quoted value/);
    expect(checkMatcher('team=a b')).toMatch(/^has a value with spaces, quotes, braces or commas: quote it/);
    expect(checkMatcher('ns=~"shop("')).toMatch(/^has a value that is not a regular expression/);
    expect(checkMatcher('ns=~shop(')).toMatch(/^has a value that is not a regular expression/);
    expect(checkMatcher('ns="shop("')).toBeUndefined(); // = takes any text
  });
});
