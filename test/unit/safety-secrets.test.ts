import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { storageClassChanges } from '../../src/safety.js';
import { redact, resolveSecretRefs } from '../../src/secrets.js';
import { UsageError } from '../../src/errors.js';
import { checkSecretValue } from '../../src/validate.js';
import { tempDir } from '../support/run.js';

describe('StorageClass changes on existing volumes', () => {
  const prom = (sc?: string, enabled = true) => ({ server: { persistentVolume: { enabled, ...(sc ? { storageClass: sc } : {}) } }, alertmanager: { persistence: { enabled: false } } });
  it('refuses a change of class on a volume that stays on', () => {
    expect(storageClassChanges('prometheus', 'p', prom('standard'), prom('fast'), 'standard')).toEqual([
      'release p: server.persistentVolume.storageClass would change from standard to fast, but the StorageClass of an existing volume cannot change.',
    ]);
  });
  it('an unset class means the cluster default', () => {
    expect(storageClassChanges('prometheus', 'p', prom(undefined), prom('standard'), 'standard')).toEqual([]);
    expect(storageClassChanges('grafana', 'g', { persistence: { enabled: true } }, { persistence: { enabled: true, storageClassName: 'fast' } }, 'standard')).toHaveLength(1);
  });
  it('allows it when the volume was off or goes off', () => {
    expect(storageClassChanges('prometheus', 'p', prom('standard', false), prom('fast'), 'standard')).toEqual([]);
    expect(storageClassChanges('prometheus', 'p', prom('standard'), prom('fast', false), 'standard')).toEqual([]);
  });
});

describe('secret references at upgrade time', () => {
  const dir = tempDir('ms-secrets-');
  writeFileSync(join(dir, 'pd-key'), 'PDKEY-123\n');
  writeFileSync(join(dir, 'empty'), '');
  it('reads env: and file: (relative to the config folder, trailing newline trimmed)', () => {
    const out = resolveSecretRefs(
      [
        { key: 'slack-webhook-url', ref: { kind: 'env', name: 'S' } },
        { key: 'pd', ref: { kind: 'file', path: 'pd-key' } },
      ],
      dir,
      { S: 'https://hooks.example.com/x' },
    );
    expect(out).toEqual({ 'slack-webhook-url': 'https://hooks.example.com/x', pd: 'PDKEY-123' });
  });
  it('lists every unresolvable reference, with no value', () => {
    try {
      resolveSecretRefs(
        [
          { key: 'a', ref: { kind: 'env', name: 'UNSET_VAR' } },
          { key: 'b', ref: { kind: 'env', name: 'EMPTY_VAR' } },
          { key: 'c', ref: { kind: 'file', path: 'missing' } },
          { key: 'd', ref: { kind: 'file', path: 'empty' } },
        ],
        dir,
        { EMPTY_VAR: '' },
      );
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).hints.slice(0, 4)).toEqual([
        '- env:UNSET_VAR: the environment variable UNSET_VAR is not set.',
        '- env:EMPTY_VAR: the environment variable EMPTY_VAR is empty.',
        `- file:missing: ${join(dir, 'missing')} does not exist.`,
        `- file:empty: ${join(dir, 'empty')} is empty.`,
      ]);
    }
  });
  it('redact replaces every occurrence of values of 4 characters or more', () => {
    expect(redact('a SECRET b SECRET', ['SECRET'])).toBe('a [REDACTED] b [REDACTED]');
    expect(redact('abc', ['ab'])).toBe('abc');
    expect(redact('abcd abc', ['abcd', 'abc'])).toBe('[REDACTED] abc');
  });
  it('trims one trailing newline (LF or CRLF) from a file, no more; a reference to a Secret is never read', () => {
    writeFileSync(join(dir, 'crlf'), 'v1\r\n');
    writeFileSync(join(dir, 'two'), 'v2\n\n');
    writeFileSync(join(dir, 'inner'), 'a\nb');
    expect(resolveSecretRefs([{ key: 'a', ref: { kind: 'file', path: 'crlf' } }, { key: 'b', ref: { kind: 'file', path: 'two' } }], dir, {})).toEqual({ a: 'v1', b: 'v2\n' });
    // An absolute path does not depend on the config folder.
    expect(resolveSecretRefs([{ key: 'c', ref: { kind: 'file', path: join(dir, 'inner') } }], '/elsewhere', {})).toEqual({ c: 'a\nb' });
    expect(() => resolveSecretRefs([{ key: 's', ref: { kind: 'secret', name: 'n', key: 'k' } }], dir, {})).toThrow('secret: references are mounted, not resolved');
  });
  it('says how to fix it and that nothing changed', () => {
    try {
      resolveSecretRefs([{ key: 'a', ref: { kind: 'env', name: 'UNSET_VAR' } }], dir, {});
      expect.unreachable();
    } catch (err) {
      expect((err as UsageError).message).toBe('secret references cannot be resolved:');
      expect((err as UsageError).hints).toEqual(['- env:UNSET_VAR: the environment variable UNSET_VAR is not set.', 'Fix: export the variables or create the files, then run again. Nothing was changed.']);
    }
  });
});

describe('resolved secret values are judged by the field they feed, and never shown', () => {
  const dir = tempDir('ms-values-');
  const CANARY = 'CANARY7';
  const problems = (entries: Parameters<typeof resolveSecretRefs>[0], env: Record<string, string>) => {
    try {
      resolveSecretRefs(entries, dir, env);
    } catch (err) {
      const text = [(err as UsageError).message, ...(err as UsageError).hints].join('\n');
      expect(text).not.toContain(CANARY);
      return (err as UsageError).hints.slice(0, -1);
    }
    return [];
  };
  it('checks each kind: URL, PagerDuty key, password', () => {
    writeFileSync(join(dir, 'hook'), `${CANARY}-not-a-url\n`);
    expect(
      problems(
        [
          { key: 'a', ref: { kind: 'env', name: 'SLACK' }, owner: 'receiver slack', field: 'webhookUrl' },
          { key: 'b', ref: { kind: 'file', path: 'hook' }, owner: 'receiver hook', field: 'url' },
          { key: 'c', ref: { kind: 'env', name: 'PD' }, owner: 'receiver pd', field: 'routingKey' },
          { key: 'd', ref: { kind: 'env', name: 'PW' }, owner: 'receiver mail', field: 'password' },
        ],
        { SLACK: `${CANARY}hooks.slack.com/x`, PD: `${CANARY}abc`, PW: `${CANARY} ` },
      ),
    ).toEqual([
      '- env:SLACK (receiver slack, webhookUrl): the value of SLACK must be an absolute http:// or https:// URL (e.g. https://hooks.slack.com/services/…); the value is not shown.',
      `- file:hook (receiver hook, url): the text of ${join(dir, 'hook')} must be an absolute http:// or https:// URL (e.g. https://hooks.slack.com/services/…); the value is not shown.`,
      '- env:PD (receiver pd, routingKey): the value of PD must be a PagerDuty Events API v2 integration key: 32 letters and digits; the value is not shown.',
      '- env:PW (receiver mail, password): the value of PW starts or ends with white space, which is kept as part of the value: remove it; the value is not shown.',
    ]);
  });
  it('accepts good values, a file keeping one trailing newline off', () => {
    writeFileSync(join(dir, 'pd'), `${'a1B2'.repeat(8)}\r\n`);
    expect(
      resolveSecretRefs(
        [
          { key: 'a', ref: { kind: 'env', name: 'U' }, owner: 'receiver s', field: 'webhookUrl' },
          { key: 'c', ref: { kind: 'file', path: 'pd' }, owner: 'receiver pd', field: 'routingKey' },
          { key: 'd', ref: { kind: 'env', name: 'PW' }, owner: 'receiver m', field: 'password' },
        ],
        dir,
        { U: 'https://hooks.slack.com/services/T/B/x', PW: 'p a s s' },
      ),
    ).toEqual({ a: 'https://hooks.slack.com/services/T/B/x', c: 'a1B2'.repeat(8), d: 'p a s s' });
  });
  it('a second trailing newline is a line break inside', () => {
    writeFileSync(join(dir, 'two'), `${CANARY}\n\n`);
    expect(problems([{ key: 'd', ref: { kind: 'file', path: 'two' }, owner: 'receiver m', field: 'password' }], {})).toEqual([
      `- file:two (receiver m, password): the text of ${join(dir, 'two')} has a line break inside (only one trailing newline of a file: is removed); the value is not shown.`,
    ]);
  });
});

describe('checkSecretValue', () => {
  it.each([
    ['url', '', 'is empty'],
    ['url', 'https://a.example.com/x\ny', 'has a line break inside (only one trailing newline of a file: is removed)'],
    ['url', 'https://a.example.com/x\r', 'has a line break inside (only one trailing newline of a file: is removed)'],
    ['url', ' https://a.example.com', 'starts or ends with white space, which is kept as part of the value: remove it'],
    ['password', 'pw\t', 'starts or ends with white space, which is kept as part of the value: remove it'],
    ['url', 'ftp://a.example.com', 'must be an absolute http:// or https:// URL (e.g. https://hooks.slack.com/services/…)'],
    ['url', 'token:abcd', 'must be an absolute http:// or https:// URL (e.g. https://hooks.slack.com/services/…)'],
    ['pagerdutyKey', 'a'.repeat(31), 'must be a PagerDuty Events API v2 integration key: 32 letters and digits'],
    ['pagerdutyKey', 'a'.repeat(33), 'must be a PagerDuty Events API v2 integration key: 32 letters and digits'],
    ['pagerdutyKey', `${'a'.repeat(31)}-`, 'must be a PagerDuty Events API v2 integration key: 32 letters and digits'],
    ['pagerdutyKey', 'r3FPuDvNOTEDyQYCc7trBkymIFcy2NkE', undefined],
    ['url', 'http://hook.example.com:8080/x?y=1', undefined],
    ['password', 'a b', undefined],
  ] as const)('%s %j → %s', (kind, value, expected) => {
    expect(checkSecretValue(kind, value)).toBe(expected);
  });
});

describe('StorageClass paths of every chart', () => {
  it('the Alertmanager volume of the prometheus release, and Grafana\'s, are checked too; promtail has none', () => {
    const am = (sc: string) => ({ server: { persistentVolume: { enabled: false } }, alertmanager: { persistence: { enabled: true, storageClass: sc } } });
    expect(storageClassChanges('prometheus', 'p', am('standard'), am('fast'), undefined)).toEqual([
      'release p: alertmanager.persistence.storageClass would change from standard to fast, but the StorageClass of an existing volume cannot change.',
    ]);
    expect(storageClassChanges('grafana', 'g', { persistence: { enabled: true, storageClassName: 'a' } }, { persistence: { enabled: true } }, undefined)).toEqual([
      'release g: persistence.storageClassName would change from a to (cluster default), but the StorageClass of an existing volume cannot change.',
    ]);
    expect(storageClassChanges('grafana', 'g', { persistence: { enabled: true } }, { persistence: { enabled: true, storageClassName: 'b' } }, undefined)).toEqual([
      'release g: persistence.storageClassName would change from (cluster default) to b, but the StorageClass of an existing volume cannot change.',
    ]);
    expect(storageClassChanges('promtail', 't', { a: 1 }, { a: 2 }, 'standard')).toEqual([]);
    // No values at all (a release installed with the chart's defaults): volumes count as on.
    expect(storageClassChanges('grafana', 'g', null, { persistence: { storageClassName: 'b' } }, 'standard')).toHaveLength(1);
    expect(storageClassChanges('grafana', 'g', { persistence: 'odd' }, { persistence: { storageClassName: 'standard' } }, 'standard')).toEqual([]);
  });
});
