/**
 * Reading `monitor-stack.yaml` and the presets from disk. Every failure is a {@link UsageError}
 * naming the file, the line, the key path and what was expected.
 */
import { readFileSync } from 'node:fs';
import { isMap, isPair, isSeq, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { printable } from '../text.js';
import { readTextFile } from '../user-files.js';
import { configFileSchema, layerSchema, presetSchema, PRESET_NAMES, type ConfigFile, type Layer, type PresetName } from './schema.js';

/** Folder of the preset files shipped in the package. */
export const PRESETS_DIR = new URL('../../presets/', import.meta.url);

/**
 * Parses YAML text and validates it with `schema`.
 * @param fileName used in messages only.
 * @throws UsageError listing every problem as `file:line: key.path: message`.
 */
export function parseYamlWith<S extends z.ZodType>(text: string, fileName: string, schema: S): z.infer<S> {
  const lineCounter = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    throw err instanceof RangeError ? tooDeep(fileName) : new UsageError(`${fileName} cannot be read as YAML: ${printable((err as Error).message.split('\n')[0]!)}`);
  }
  if (doc.errors.some((e) => /call stack/i.test(e.message))) throw tooDeep(fileName);
  if (doc.errors.length) {
    const lines = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      return `${fileName}${pos ? `:${pos.line}:${pos.col}` : ''}: ${printable(e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''))}`;
    });
    throw new UsageError(`${fileName} is not valid YAML.`, capLines(lines));
  }
  const deep = depthOver(doc.contents, MAX_DEPTH);
  if (deep) throw tooDeep(fileName, deep.range ? lineCounter.linePos(deep.range[0]).line : undefined);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (err) {
    if (err instanceof RangeError) throw tooDeep(fileName);
    if (/alias/i.test((err as Error).message)) {
      throw new UsageError(`${fileName} uses YAML aliases (*name) that expand too far: more than ${MAX_ALIAS_COUNT} uses, as an "alias bomb" does.`, [
        'Fix: write the values out, or use fewer aliases. Nothing was changed.',
      ]);
    }
    throw new UsageError(`${fileName} cannot be read as YAML: ${printable((err as Error).message.split('\n')[0]!)}`);
  }
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const lineOf = (path: PropertyKey[]): string => {
    const node = doc.getIn(path as (string | number)[], true) as { range?: [number, number, number] } | undefined;
    const offset = node?.range?.[0];
    return offset === undefined ? '' : `:${lineCounter.linePos(offset).line}`;
  };
  const lines = result.error.issues.map((issue) => {
    const path = issue.path;
    if (issue.code === 'unrecognized_keys') {
      const expected = keysAt(schema, path);
      return issue.keys
        .map(
          (key) =>
            `${fileName}${lineOf([...path, key])}: ${formatPath([...path, key])}: unknown key.` +
            (expected.length ? ` Expected one of: ${expected.join(', ')}.` : ''),
        )
        .join('\n');
    }
    // zod reports a bad record key with the key check's own issues inside; an environment name
    // gets examples of environment names rather than the label check's.
    const message =
      issue.code !== 'invalid_key'
        ? issue.message
        : path[0] === 'environments' && path.length <= 2
          ? 'must be a DNS-1123 label such as dev, staging or prod (lowercase letters, digits and "-")'
          : (issue.issues[0]?.message ?? issue.message);
    return `${fileName}${lineOf(path)}: ${formatPath(path) || '(top level)'}: ${message}`;
  });
  const flat = lines.flatMap((l) => l.split('\n'));
  throw new UsageError(`${fileName} has ${flat.length === 1 ? 'an error' : `${flat.length} errors`}:`, capLines(flat.map((l) => printable(l))).map((l) => `  ${l}`));
}

/** Deepest nesting a config may have: its own keys need 6 levels and chart values seldom 12; 64 leaves room and keeps parsing cheap. */
export const MAX_DEPTH = 64;
/** Most alias uses a config may make (`*name`); yaml's own default is 100 too. */
export const MAX_ALIAS_COUNT = 100;
/** Most problems listed at once; the rest are counted. */
export const MAX_LISTED = 20;

function tooDeep(fileName: string, line?: number): UsageError {
  return new UsageError(`${fileName}${line ? `:${line}` : ''}: nested more than ${MAX_DEPTH} levels deep; its own keys need at most 6 and chart values (charts.<chart>.values) seldom more than 12.`, [
    'Fix: check that it is the right file. Nothing was changed.',
  ]);
}

/** The first node deeper than `max` levels of maps and lists, if any. */
function depthOver(node: unknown, max: number): { range?: [number, number, number] } | undefined {
  const stack: [unknown, number][] = [[node, 0]];
  while (stack.length) {
    const [n, depth] = stack.pop()!;
    if (isMap(n) || isSeq(n)) {
      if (depth >= max) return n as { range?: [number, number, number] };
      for (const item of n.items as unknown[]) {
        if (isPair(item)) {
          stack.push([item.key, depth + 1], [item.value, depth + 1]);
        } else stack.push([item, depth + 1]);
      }
    }
  }
  return undefined;
}

/** The first {@link MAX_LISTED} lines, then how many more there are. */
export function capLines(lines: string[]): string[] {
  return lines.length <= MAX_LISTED ? lines : [...lines.slice(0, MAX_LISTED), `… and ${lines.length - MAX_LISTED} more (fix these first).`];
}

/** `a.b[0].c` from a zod issue path. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

/** The keys an object schema accepts at `path`, for "expected one of" hints. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: z.ZodType | undefined = schema;
  const unwrap = (n: z.ZodType): z.ZodType => {
    while (n instanceof z.ZodOptional || n instanceof z.ZodNullable) n = n.unwrap() as z.ZodType;
    return n;
  };
  for (const part of path) {
    if (!node) return [];
    node = unwrap(node);
    if (node instanceof z.ZodObject) node = (node.shape as Record<string, z.ZodType>)[String(part)];
    else if (node instanceof z.ZodArray) node = node.element as z.ZodType;
    else if (node instanceof z.ZodRecord) node = node.valueType as z.ZodType;
    else return [];
  }
  node = node && unwrap(node);
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

/**
 * Reads and validates a config file.
 * @throws UsageError when the file is missing, unreadable, not YAML or not valid.
 */
export function readConfigFile(path: string): ConfigFile {
  const text = readTextFile(path, {
    missingMessage: `no config file at ${path}.`,
    missingHints: ['Fix: run `monitor-stack init` to write one, or pass --config <path>.'],
    exampleName: 'monitor-stack.yaml',
  });
  return parseYamlWith(text, path, configFileSchema);
}

/** Reads every preset shipped in `presets/`. A broken preset is a bug in the package. */
export function readPresets(): Record<PresetName, Layer> {
  const out = {} as Record<PresetName, Layer>;
  for (const name of PRESET_NAMES) {
    const url = new URL(`${name}.yaml`, PRESETS_DIR);
    const { description: _d, ...layer } = parseYamlWith(readFileSync(url, 'utf8'), `presets/${name}.yaml`, presetSchema);
    out[name] = layerSchema.parse(layer);
  }
  return out;
}
