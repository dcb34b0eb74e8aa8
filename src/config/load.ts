/**
 * Reading `monitor-stack.yaml` and the presets from disk. Every failure is a {@link UsageError}
 * naming the file, the line, the key path and what was expected.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../errors.js';
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
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const lines = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      return `${fileName}${pos ? `:${pos.line}:${pos.col}` : ''}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
    });
    throw new UsageError(`${fileName} is not valid YAML.`, lines);
  }
  const data = doc.toJS() ?? {};
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
    // zod reports a bad record key (an environment name) without the refinement's sentence.
    const message = issue.code === 'invalid_key' ? 'must be a DNS-1123 label such as dev, staging or prod (lowercase letters, digits and "-")' : issue.message;
    return `${fileName}${lineOf(path)}: ${formatPath(path) || '(top level)'}: ${message}`;
  });
  throw new UsageError(
    `${fileName} has ${lines.length === 1 ? 'an error' : `${lines.length} errors`}:`,
    lines.flatMap((l) => l.split('\n')).map((l) => `  ${l}`),
  );
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
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UsageError(`no config file at ${path}.`, ['Fix: run `monitor-stack init` to write one, or pass --config <path>.']);
    }
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
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
