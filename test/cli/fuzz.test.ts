/**
 * Generated bad input (fast-check): flag values, config files that are valid YAML of the wrong
 * shape, and byte noise. The rule for all of them: a clear UsageError (exit 2) or success (exit 0),
 * never an unexpected error, never a stack trace, never a partial file, at most 64 KiB of output.
 *
 * In-process, thousands of cases run through the same functions the commands call (with
 * shrinking to the smallest failing input); through the built bin, a fixed-seed sample of them
 * runs as a user would meet it. Each block prints how many cases it ran.
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/index.js';
import { SETTING_FLAGS, type FlagValues } from '../../src/config/flags.js';
import { errorLines, UsageError } from '../../src/errors.js';
import { planReleases } from '../../src/plan.js';
import { recordedCalls, runCli, tempDir, writeHelmRecorder } from '../support/run.js';

const SEED = 20261122;
const counts: Record<string, number> = {};
afterAll(() => {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  process.stdout.write(`generated cases run: ${total} (${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')})\n`);
});

// ---- generators ------------------------------------------------------------------------------

/** Strings a user might type, from plausible to hostile: URLs, references, unicode, control bytes. */
const typed = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', 'env:', 'env:X', 'file:', 'file:/etc/shadow', 'secret:a/b', 'https://x', 'http://', '#alerts', 'a@b.c', 'smtp:25', '15d', '50Gi', '-1', '0', '1e9', 'a'.repeat(300), 'grafana.example.com', 'null', '~', '[]', '{}', '\u0000', '\u202e'),
  fc.webUrl(),
  fc.emailAddress(),
  fc.domain(),
);

/** Given setting flags: any subset, each with a typed value. */
const flagValues: fc.Arbitrary<FlagValues> = fc
  .subarray(SETTING_FLAGS.filter((f) => f.attr !== 'tls'), { maxLength: 8 })
  .chain((flags) => fc.tuple(fc.constant(flags), fc.array(typed, { minLength: flags.length, maxLength: flags.length }), fc.boolean()))
  .map(([flags, vals, noTls]) => {
    const values: Record<string, unknown> = Object.fromEntries(flags.map((f, i) => [f.attr, vals[i]]));
    const given = new Set(flags.map((f) => f.attr));
    if (noTls) {
      values.tls = false;
      given.add('tls');
    }
    return { values, given };
  });

/** Paths of a config where a wrong shape is most likely to slip through. */
const PATHS = [
  [], ['namespace'], ['preset'], ['storageClass'], ['ingress'], ['ingress', 'hosts'], ['ingress', 'hosts', 'grafana'], ['tls'], ['tls', 'clusterIssuer'],
  ['components'], ['components', 'promtail'], ['prometheus'], ['prometheus', 'replicas'], ['prometheus', 'retention'], ['prometheus', 'storageSize'],
  ['alertmanager'], ['alertmanager', 'receivers'], ['alertmanager', 'receivers', 0], ['alertmanager', 'receivers', 0, 'type'], ['alertmanager', 'route'],
  ['grafana'], ['grafana', 'adminSecret'], ['loki'], ['loki', 'url'], ['charts'], ['charts', 'grafana'], ['charts', 'grafana', 'version'], ['charts', 'prometheus', 'source'],
  ['highAvailability'], ['environments'], ['environments', 'dev'], ['environments', 'dev', 'prometheus'], ['environments', 'dev', 'alertmanager', 'receivers'],
] as (string | number)[][];

const BASE = {
  charts: { prometheus: { source: 'http://127.0.0.1:9/charts' } },
  environments: { dev: { storageClass: 'standard', alertmanager: { receivers: [{ name: 'slack', type: 'slack', webhookUrl: 'env:SLACK_URL' }] } } },
};

/** A valid config with one path set to any JSON value (or YAML-only scalars): wrong shapes, mostly. */
const wrongShape = fc.tuple(fc.constantFrom(...PATHS), fc.oneof(fc.jsonValue({ maxDepth: 3 }), typed, fc.integer(), fc.double(), fc.constant(null))).map(([path, value]) => {
  const doc = structuredClone(BASE) as Record<string, unknown>;
  if (path.length === 0) return stringify(value);
  let node: Record<string | number, unknown> = doc;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = typeof path[path.indexOf(key) + 1] === 'number' ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  }
  node[path.at(-1)!] = value;
  return stringify(doc);
});

/** YAML source text mangled: cut, with bytes inserted, or whole noise. */
const noise = fc.oneof(
  fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
  fc.tuple(wrongShape, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([text, at, bytes]) => {
    const buf = Buffer.from(text);
    const i = at % (buf.length + 1);
    return Buffer.concat([buf.subarray(0, i), Buffer.from(bytes), buf.subarray(i)]);
  }),
  fc.tuple(wrongShape, fc.nat()).map(([text, at]) => Buffer.from(text.slice(0, at % (text.length + 1)))),
  fc.string({ unit: 'grapheme', maxLength: 200 }).map((s) => Buffer.from(s)),
  fc.constantFrom('- a\n- b\n', '"x"', '---\n---\n', '!!binary aGVsbG8=', 'a: !!js/function "x"', 'a: &x\n  b: *x\n', '? [a]\n: b\n', '{a: 1, a: 2}', '%YAML 1.1\n---\na: 1', '<<: {a: 1}').map((s) => Buffer.from(s)),
);

// ---- in-process: the functions the commands call ------------------------------------------------

/** Runs `load` and `planReleases`; fails unless it succeeds or throws a UsageError of sane size. */
function judged(run: () => void): 'ok' | 'usage' {
  try {
    run();
    return 'ok';
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    const { message, hints } = errorLines(err); // what main prints
    const text = [message, ...hints].join('\n');
    expect(text.length).toBeLessThan(64 * 1024);
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/); // no raw control bytes
    return 'usage';
  }
}

describe('in-process: any generated input is a UsageError or valid', () => {
  const dir = tempDir('ms-fuzz-');
  const file = join(dir, 'monitor-stack.yaml');
  const load = (bytes: Buffer | string, flags: FlagValues = { values: {}, given: new Set() }) => {
    writeFileSync(file, bytes);
    return () => planReleases(loadSettings(file, 'dev', flags));
  };

  it('flag values', () => {
    writeFileSync(file, stringify(BASE));
    const seen = { ok: 0, usage: 0 };
    fc.assert(
      fc.property(flagValues, (flags) => {
        seen[judged(() => planReleases(loadSettings(file, 'dev', flags)))]++;
      }),
      { seed: SEED, numRuns: 1500 },
    );
    counts['flag sets'] = 1500;
    // The generator reaches both sides of the rule, not only refusals.
    expect(seen.ok).toBeGreaterThan(50);
    expect(seen.usage).toBeGreaterThan(50);
  });
  it('config files of the wrong shape', () => {
    const seen = { ok: 0, usage: 0 };
    fc.assert(fc.property(wrongShape, (text) => void seen[judged(load(text))]++), { seed: SEED, numRuns: 1500 });
    counts['wrong-shape configs'] = 1500;
    expect(seen.ok).toBeGreaterThan(20);
    expect(seen.usage).toBeGreaterThan(500);
  });
  it('config files of byte noise', () => {
    fc.assert(fc.property(noise, (bytes) => void judged(load(bytes))), { seed: SEED, numRuns: 1500 });
    counts['noise configs'] = 1500;
  });
});

// ---- through the built bin ----------------------------------------------------------------------

const FLAG_NAMES = new Map(SETTING_FLAGS.map((f) => [f.attr, f.flags.split(' ')[0]!]));
const argvOf = (flags: FlagValues) => [...flags.given].flatMap((attr) => (attr === 'tls' ? ['--no-tls'] : [`${FLAG_NAMES.get(attr)}=${String(flags.values[attr])}`]));

describe('through the bin: exit 0 or 2, no stack trace, at most 64 KiB, no partial file', () => {
  const check = async (args: string[], config: Buffer | string | null) => {
    const dir = tempDir('ms-fuzzbin-');
    const log = join(dir, 'helm-calls.log');
    const helm = writeHelmRecorder(join(dir, 'helm'), log);
    const path = join(dir, 'monitor-stack.yaml');
    if (config !== null) writeFileSync(path, config);
    const hash = config === null ? null : createHash('sha256').update(config).digest('hex');
    const r = await runCli(args, { cwd: dir, env: { MONITOR_STACK_HELM: helm, KUBECONFIG: join(dir, 'none') } });
    const label = `${args.join(' ')}\n${r.stderr.slice(0, 2000)}`;
    expect([0, 2], label).toContain(r.exitCode);
    expect(r.stderr, label).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(r.stderr, label).not.toContain('This is unexpected');
    expect(Buffer.byteLength(r.stdout) + Buffer.byteLength(r.stderr), label).toBeLessThanOrEqual(64 * 1024);
    expect(recordedCalls(log)).toEqual([]);
    // No partial file: the config is untouched, or (init) a whole file that loads.
    const left = readdirSync(dir).filter((f) => !['helm', 'helm-calls.log', 'monitor-stack.yaml', 'out'].includes(f));
    expect(left, label).toEqual([]);
    if (existsSync(path) && (r.exitCode !== 0 || args[0] !== 'init')) {
      if (hash) expect(createHash('sha256').update(readFileSync(path)).digest('hex'), label).toBe(hash);
    }
    if (args[0] === 'init' && r.exitCode === 0 && existsSync(path)) {
      expect((await runCli(['render', '--env', 'dev', '--out', join(dir, 'out')], { cwd: dir, env: { KUBECONFIG: join(dir, 'none') } })).exitCode, label).toBe(0);
    }
    if (args[0] === 'render' && r.exitCode !== 0) expect(existsSync(join(dir, 'out')), label).toBe(false);
    return r.exitCode;
  };
  const runAll = async (cases: [string[], Buffer | string | null][]) => {
    const codes: number[] = [];
    for (let i = 0; i < cases.length; i += 8) codes.push(...(await Promise.all(cases.slice(i, i + 8).map(([a, c]) => check(a, c)))));
    return codes;
  };

  it('render with generated configs', async () => {
    const configs = [...fc.sample(wrongShape, { seed: SEED, numRuns: 40 }), ...fc.sample(noise, { seed: SEED, numRuns: 40 })];
    const codes = await runAll(configs.map((c) => [['render', '--env', 'dev'], c]));
    counts['bin render runs'] = codes.length;
    expect(codes).toContain(2);
  }, 300_000);
  it('init with generated flag values', async () => {
    const sets = fc.sample(flagValues, { seed: SEED, numRuns: 60 });
    const codes = await runAll(sets.map((f) => [['init', '--non-interactive', '--env', 'dev', '--storage-class', 'standard', '--no-tls', ...argvOf(f).filter((a) => a !== '--no-tls')], null]));
    counts['bin init runs'] = codes.length;
    expect(codes).toContain(2);
  }, 300_000);
});
