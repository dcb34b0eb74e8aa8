import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { storageClassChanges } from '../../src/safety.js';
import { redact, resolveSecretRefs } from '../../src/secrets.js';
import { UsageError } from '../../src/errors.js';
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
        `- file:missing: cannot read ${join(dir, 'missing')} (ENOENT).`,
        `- file:empty: ${join(dir, 'empty')} is empty.`,
      ]);
    }
  });
  it('redact replaces every occurrence', () => {
    expect(redact('a SECRET b SECRET', ['SECRET'])).toBe('a [REDACTED] b [REDACTED]');
    expect(redact('abc', ['ab'])).toBe('abc');
  });
});
