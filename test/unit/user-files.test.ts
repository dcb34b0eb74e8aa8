import { chmodSync, chownSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYamlWith, capLines, MAX_LISTED } from '../../src/config/load.js';
import { printable } from '../../src/text.js';
import { configFileSchema } from '../../src/config/schema.js';
import { checkWritable, readTextFile, writeTextFile } from '../../src/user-files.js';
import { tempDir } from '../support/run.js';

const fails = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    return `${(err as Error).message}\n${((err as { hints?: string[] }).hints ?? []).join('\n')}`;
  }
  throw new Error('expected an error');
};

describe('readTextFile', () => {
  const at = (bytes: Buffer): string => {
    const file = join(tempDir('ms-read-'), 'f.yaml');
    writeFileSync(file, bytes);
    return fails(() => readTextFile(file, { label: 'f.yaml' }));
  };

  it('points at the lead byte of a broken UTF-8 sequence, by byte and line', () => {
    expect(at(Buffer.from('namespace: caf\xe9\n', 'latin1'))).toMatch(/^f\.yaml is not UTF-8 text \(an invalid byte at byte 15, line 1\)\./);
    expect(at(Buffer.from('a: 1\nb: caf\xe9', 'latin1'))).toMatch(/^f\.yaml is not UTF-8 text \(an invalid byte at byte 12, line 2\)\./);
  });
  it('does not blame a complete sequence before the bad byte', () => {
    // "a: é" is 5 bytes (é = C3 A9); 0xFF is byte 6.
    expect(at(Buffer.concat([Buffer.from('a: é'), Buffer.from([0xff, 0x0a])]))).toMatch(/at byte 6, line 1/);
  });
  it('finds a stray continuation byte', () => {
    expect(at(Buffer.from([0x61, 0x0a, 0x0a, 0x80, 0x61]))).toMatch(/at byte 4, line 3/);
  });
  it('calls a file with a NUL byte binary, and prints none of its bytes', () => {
    const msg = at(Buffer.from([0x61, 0x62, 0x00, 0xfe, 0x41, 0x42, 0x43]));
    expect(msg).toMatch(/^f\.yaml is a binary file, not text \(a NUL byte at byte 3\)\./);
    expect(msg).not.toContain('ABC');
  });
  it('drops a byte-order mark and reads UTF-8', () => {
    const file = join(tempDir('ms-read-'), 'f.yaml');
    writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('name: café\n')]));
    expect(readTextFile(file)).toBe('name: café\n');
  });
  it('refuses a file one byte over the limit, and reads one at the limit', () => {
    const dir = tempDir('ms-read-');
    writeFileSync(join(dir, 'at'), 'a'.repeat(100));
    writeFileSync(join(dir, 'over'), 'a'.repeat(101));
    expect(readTextFile(join(dir, 'at'), { maxBytes: 100 })).toHaveLength(100);
    expect(fails(() => readTextFile(join(dir, 'over'), { maxBytes: 100, label: 'over' }))).toMatch(/^over is larger than 100 bytes, the limit for this file\./);
    expect(fails(() => readTextFile('/dev/zero', { maxBytes: 2048 }))).toMatch(/^\/dev\/zero is larger than 2 KiB/);
  });
  it('names a folder, a missing file and a path through a file', () => {
    const dir = tempDir('ms-read-');
    writeFileSync(join(dir, 'file'), 'x');
    expect(fails(() => readTextFile(dir, { label: 'cfg', exampleName: 'monitor-stack.yaml' }))).toBe(`cfg is a folder, not a file.\nFix: give the path of a file, e.g. ${join(dir, 'monitor-stack.yaml')}.`);
    expect(fails(() => readTextFile(join(dir, 'nope'), { label: 'cfg' }))).toBe('cfg does not exist.\nFix: check the path.');
    expect(fails(() => readTextFile(join(dir, 'nope'), { missingMessage: 'no config.', missingHints: ['run init'] }))).toBe('no config.\nrun init');
    expect(fails(() => readTextFile(join(dir, 'file', 'x'), { label: 'cfg' }))).toMatch(/^cfg cannot be read: a part of its path is a file, not a folder\./);
  });
  it('names a symbolic link loop', () => {
    const dir = tempDir('ms-read-');
    symlinkSync(join(dir, 'b'), join(dir, 'a'));
    symlinkSync(join(dir, 'a'), join(dir, 'b'));
    expect(fails(() => readTextFile(join(dir, 'a'), { label: 'a' }))).toMatch(/^a cannot be read: its symbolic links form a loop\./);
  });
});

describe('writeTextFile and checkWritable', () => {
  it('keeps the mode of an existing file, and gives a new one 0644', () => {
    const dir = tempDir('ms-write-');
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'old');
    chmodSync(file, 0o640);
    writeTextFile(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(statSync(file).mode & 0o777).toBe(0o640);
    writeTextFile(join(dir, 'fresh.yaml'), 'x');
    expect(statSync(join(dir, 'fresh.yaml')).mode & 0o777).toBe(0o644 & ~process.umask());
    expect(readdirSync(dir).sort()).toEqual(['c.yaml', 'fresh.yaml']);
  });
  it('keeps owner and group when it may (root), else rewrites in place', () => {
    const dir = tempDir('ms-write-');
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'old');
    if (process.getuid?.() === 0) chownSync(file, 65534, 65534);
    const before = statSync(file);
    writeTextFile(file, 'new');
    const after = statSync(file);
    expect([after.uid, after.gid]).toEqual([before.uid, before.gid]);
    expect(readFileSync(file, 'utf8')).toBe('new');
  });
  it('refuses a read-only file and leaves it as it was', () => {
    const dir = tempDir('ms-write-');
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'old');
    chmodSync(file, 0o444);
    expect(fails(() => writeTextFile(file, 'new', { label: 'c.yaml' }))).toBe(
      `c.yaml is read-only (mode 0444); it was left as it is.\nFix: make it writable (chmod u+w ${file}) if you mean to change it, or give another path with --config.`,
    );
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['c.yaml']);
  });
  it('replaces the target of a symbolic link, and the link stays a link', () => {
    const dir = tempDir('ms-write-');
    writeFileSync(join(dir, 'real.yaml'), 'old');
    symlinkSync(join(dir, 'real.yaml'), join(dir, 'link.yaml'));
    writeTextFile(join(dir, 'link.yaml'), 'new');
    expect(lstatSync(join(dir, 'link.yaml')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'real.yaml'), 'utf8')).toBe('new');
  });
  it('refuses a folder, and a path through a file', () => {
    const dir = tempDir('ms-write-');
    writeFileSync(join(dir, 'file'), 'x');
    mkdirSync(join(dir, 'sub'));
    expect(fails(() => checkWritable(join(dir, 'sub'), 'sub'))).toMatch(/^sub is a folder, not a file\./);
    expect(fails(() => checkWritable(join(dir, 'file', 'c.yaml'), 'c'))).toMatch(/^c cannot be written: a part of its path is a file, not a folder\./);
    expect(fails(() => checkWritable(join(dir, 'file', 'deeper', 'c.yaml'), 'c'))).toMatch(/^c cannot be written: a part of its path is a file, not a folder\./);
  });
  it('creates missing folders', () => {
    const dir = tempDir('ms-write-');
    writeTextFile(join(dir, 'a', 'b', 'c.yaml'), 'x');
    expect(readFileSync(join(dir, 'a', 'b', 'c.yaml'), 'utf8')).toBe('x');
  });
});

describe('parseYamlWith on hostile YAML', () => {
  const parse = (text: string) => fails(() => parseYamlWith(text, 'f.yaml', configFileSchema));
  it('refuses an alias bomb without expanding it', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1, prev = 'a'; i < 9; i++, prev = `b${i - 1}`) lines.push(`b${i}: &b${i} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    expect(parse(lines.join('\n'))).toMatch(/^f\.yaml uses YAML aliases \(\*name\) that expand too far: more than 100 uses/);
  });
  it('accepts a few aliases', () => {
    expect(parseYamlWith('x: &ns monitoring\nnamespace: *ns\n'.replace('x: &ns monitoring\n', 'kubeContext: &ns monitoring\n'), 'f.yaml', configFileSchema)).toMatchObject({ namespace: 'monitoring' });
  });
  it('refuses nesting deeper than 64 levels, with the line, and accepts 64', () => {
    expect(parse(`a:\n  b: ${'['.repeat(70)}${']'.repeat(70)}`)).toMatch(/^f\.yaml:2: nested more than 64 levels deep; its own keys need at most 6 and chart values \(charts\.<chart>\.values\) seldom more than 12\./);
    expect(parse(`a: ${'['.repeat(5000)}${']'.repeat(5000)}`)).toMatch(/^f\.yaml(:\d+)?: nested more than 64 levels deep/);
    expect(parse(`a: ${'['.repeat(63)}${']'.repeat(63)}`)).toMatch(/a: unknown key/);
  });
  it('caps a long list of problems and says how many more', () => {
    const msg = parse(Array.from({ length: 50 }, (_, i) => `k${i}: 1`).join('\n'));
    expect(msg.split('\n')[0]).toBe('f.yaml has 50 errors:');
    expect(msg).toContain(`… and ${50 - MAX_LISTED} more (fix these first).`);
    expect(msg.split('\n')).toHaveLength(1 + MAX_LISTED + 1);
  });
  it('escapes control characters and cuts long lines', () => {
    expect(printable('a\u0007b\u202ec\tz')).toBe('a\\u{7}b\\u{202e}c z');
    expect(printable('x'.repeat(500))).toHaveLength(400);
    expect(capLines(['a', 'b'])).toEqual(['a', 'b']);
  });
});
