import { describe, expect, it } from 'vitest';
import { formatSecretRef, parseSecretRef } from '../../src/refs.js';
import { checkDnsLabel, checkDnsSubdomain, checkDuration, checkEmail, checkHttpUrl, checkSlackChannel, checkSmarthost, checkStorageSize } from '../../src/validate.js';

describe('secret references', () => {
  it.each([
    ['env:SLACK_URL', { kind: 'env', name: 'SLACK_URL' }],
    ['file:/run/secrets/x', { kind: 'file', path: '/run/secrets/x' }],
    ['file:relative/x', { kind: 'file', path: 'relative/x' }],
    ['secret:alerting/pd-key', { kind: 'secret', name: 'alerting', key: 'pd-key' }],
    ['secret:a.b/k_1.txt', { kind: 'secret', name: 'a.b', key: 'k_1.txt' }],
  ])('%s parses and formats back', (text, ref) => {
    expect(parseSecretRef(text)).toEqual(ref);
    expect(formatSecretRef(ref as never)).toBe(text);
  });

  it.each(['https://hooks.slack.com/services/SECRET', 'SECRET-TOKEN', 'env:', 'env:1BAD', 'file:', 'secret:nokey', 'secret:Bad_Name/k', 'secret:a/'])('%s is refused without being echoed', (text) => {
    const problem = parseSecretRef(text);
    expect(typeof problem).toBe('string');
    if (text.length > 8) expect(problem).not.toContain(text);
  });
});

describe('validators', () => {
  const ok = (f: (v: string) => string | undefined, v: string) => expect(f(v), v).toBeUndefined();
  const bad = (f: (v: string) => string | undefined, v: string) => expect(f(v), v).toBeTypeOf('string');
  it('DNS names', () => {
    ['a', 'grafana.example.com', 'x-1.y-2'].forEach((v) => ok(checkDnsSubdomain, v));
    ['', 'A.example.com', '-a', 'a-', 'a..b', 'a_b', 'a'.repeat(64), `${'a.'.repeat(127)}a`].forEach((v) => bad(checkDnsSubdomain, v));
    ok(checkDnsLabel, 'monitoring');
    ['mon.itoring', 'Monitoring', ''].forEach((v) => bad(checkDnsLabel, v));
  });
  it('URLs, e-mail, smarthost, Slack channel', () => {
    ['http://loki-gateway/loki/api/v1/push', 'https://a.example.com:3100/x'].forEach((v) => ok(checkHttpUrl, v));
    ['loki-gateway', 'ftp://a/b', 'http://'].forEach((v) => bad(checkHttpUrl, v));
    ok(checkEmail, 'oncall@example.com');
    ['oncall', 'a@b', 'a b@example.com', '@example.com'].forEach((v) => bad(checkEmail, v));
    ok(checkSmarthost, 'smtp.example.com:587');
    ['smtp.example.com', 'smtp.example.com:0', 'smtp.example.com:70000', ':25'].forEach((v) => bad(checkSmarthost, v));
    ['#alerts', '@me'].forEach((v) => ok(checkSlackChannel, v));
    ['alerts', '#Alerts!'].forEach((v) => bad(checkSlackChannel, v));
  });
  it('durations and sizes', () => {
    ['15d', '1w3d', '12h', '90m', '1y', '500ms'].forEach((v) => ok(checkDuration, v));
    ['15', '15 days', 'd', '0d', '1.5d', '-1d'].forEach((v) => bad(checkDuration, v));
    ['50Gi', '500Mi', '1Ti', '100G', '1.5Gi'].forEach((v) => ok(checkStorageSize, v));
    ['50', '50gb', '0Gi', 'Gi', '-5Gi'].forEach((v) => bad(checkStorageSize, v));
  });
});
