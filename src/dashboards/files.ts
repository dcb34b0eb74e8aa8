/**
 * `grafana.dashboards.folder`: the team's dashboard JSON files, read from a folder next to the
 * config (for air-gapped clusters and the team's own dashboards), checked, bound to the provisioned
 * datasources, and rendered into chart grafana 12.11.1's `dashboards.<provider>.<name>.json`, so
 * they are part of the release: diff shows a change, rollback restores the previous revision's.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { UsageError } from '../errors.js';
import { readTextFile } from '../user-files.js';

/** One dashboard file, ready for the chart: its key (`<name>.json` in the ConfigMap) and JSON text. */
export interface DashboardFile {
  name: string;
  json: string;
}

/**
 * Largest total of one provider's dashboards, in bytes: they become one ConfigMap, and the API
 * server refuses a ConfigMap over 1 MiB (1,048,576 bytes of data); 64 KiB are left for the rest.
 */
export const MAX_PROVIDER_BYTES = 1024 * 1024 - 64 * 1024;

const KEY = /^[a-zA-Z0-9][-._a-zA-Z0-9]*$/;
const UID = /^[a-zA-Z0-9_-]{1,40}$/;

/** What each `__inputs` datasource plugin is bound to: the UIDs grafana.ts provisions. */
const DATASOURCE_UIDS: Record<string, (loki: boolean) => string | undefined> = {
  prometheus: () => 'prometheus',
  loki: (loki) => (loki ? 'loki' : undefined),
};

/**
 * Checks one dashboard's JSON text and binds it to the provisioned datasources. Pure.
 * A dashboard exported "for sharing externally" names its datasources in `__inputs`
 * (`${DS_PROMETHEUS}`); file provisioning does not resolve those, so each is replaced by the UID
 * of the datasource of that plugin (`prometheus`, `loki`). `id` is dropped (Grafana assigns it).
 * @returns the dashboard's uid (when it has one) and its JSON (2-space indented), or the problems.
 */
export function checkDashboard(text: string, file: string, o: { loki: boolean }): { uid?: string; json?: string; problems: string[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    // V8's message names a position, or quotes the text (which is never shown): the quote is cut.
    // Without a position, the YAML parser (JSON is YAML) usually finds the line.
    const message = (err as Error).message;
    const m = /position (\d+)/.exec(message);
    const line = m ? text.slice(0, Number(m[1])).split('\n').length : parseDocument(text, { lineCounter: new LineCounter(), prettyErrors: true }).errors[0]?.linePos?.[0].line;
    return { problems: [`${line ? `${file}:${line}` : file}: not JSON: ${message.replace(/ in JSON at position \d+[\s\S]*$/, '').replace(/, (\.\.\.)?"[\s\S]*$/, '')}`] };
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { problems: [`${file}: must be a dashboard (a JSON object with a title and panels)`] };
  let d = doc as Record<string, unknown>;
  if (d.dashboard && typeof d.dashboard === 'object' && d.title === undefined) return { problems: [`${file}: is the HTTP API's wrapper ({"dashboard": …, "meta": …}); save the value of "dashboard" alone`] };
  const problems: string[] = [];
  if (typeof d.title !== 'string' || !d.title.trim()) problems.push(`${file}: needs a "title" (a string)`);
  if (d.panels !== undefined && !Array.isArray(d.panels)) problems.push(`${file}: "panels" must be a list`);
  if (d.uid !== undefined && d.uid !== null && (typeof d.uid !== 'string' || !UID.test(d.uid))) problems.push(`${file}: "uid" must be 1 to 40 letters, digits, - or _ (Grafana's limit)`);
  else if (typeof d.uid === 'string' && d.uid.startsWith('monitor-stack-')) problems.push(`${file}: uid "${d.uid}": uids starting "monitor-stack-" are the default dashboards'; choose another`);
  let json = JSON.stringify(d);
  const inputs = Array.isArray(d.__inputs) ? (d.__inputs as Record<string, unknown>[]) : [];
  for (const input of inputs) {
    if (input?.type !== 'datasource') continue;
    const plugin = String(input.pluginId ?? '');
    const uid = DATASOURCE_UIDS[plugin]?.(o.loki);
    if (!uid) {
      problems.push(`${file}: input ${String(input.name)} needs a ${plugin || 'unnamed'} datasource; monitor-stack provisions Prometheus${o.loki ? ' and Loki' : ' (and Loki when loki.url is set)'}`);
      continue;
    }
    json = json.split(`\${${String(input.name)}}`).join(uid);
  }
  if (problems.length) return { problems };
  d = JSON.parse(json) as Record<string, unknown>;
  delete d.__inputs;
  delete d.id;
  return { ...(typeof d.uid === 'string' ? { uid: d.uid } : {}), json: JSON.stringify(d, null, 2), problems: [] };
}

/**
 * Reads every `*.json` file of the folder (not its subfolders), in name order, and checks each.
 * @param baseDir folder a relative path is taken from (the config file's folder).
 * @returns one entry per file, keyed by the file name without `.json`.
 * @throws UsageError listing every problem: a missing folder, no JSON file, a file that is not a
 *   dashboard (file:line for JSON errors), a uid used twice, a total over {@link MAX_PROVIDER_BYTES}.
 */
export function readDashboardFolder(folder: string, baseDir: string, o: { loki: boolean; setting?: string }): DashboardFile[] {
  const setting = o.setting ?? 'grafana.dashboards.folder';
  const path = isAbsolute(folder) ? folder : resolve(baseDir, folder);
  const fail = (message: string, hints: string[]) => {
    throw new UsageError(`${setting}: ${message}`, hints);
  };
  let entries: string[] = [];
  try {
    if (!statSync(path).isDirectory()) fail(`${folder} is a file, not a folder.`, ['Fix: give the folder that holds the dashboard .json files.']);
    // Not statSync per entry: a dangling link would read as "the folder does not exist"; readTextFile names it instead.
    entries = readdirSync(path, { withFileTypes: true }).filter((e) => e.name.endsWith('.json') && !e.isDirectory()).map((e) => e.name).sort();
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    fail(code === 'ENOENT' ? `${folder} does not exist.` : `${folder} cannot be read (${code}).`, [`Fix: create it next to the config and put dashboard JSON files in it, or remove grafana.dashboards.folder.`]);
  }
  if (!entries.length) fail(`${folder} holds no .json file.`, ['Fix: export dashboards from Grafana (Share > Export > Save to file) into it, or remove grafana.dashboards.folder.']);
  const problems: string[] = [];
  const files: DashboardFile[] = [];
  const uids = new Map<string, string>();
  let total = 0;
  for (const name of entries) {
    const label = `${folder.replace(/\/$/, '')}/${name}`;
    const key = basename(name, '.json');
    if (!KEY.test(key)) {
      problems.push(`${label}: the file name becomes a ConfigMap key; use letters, digits, -, _ and . only`);
      continue;
    }
    let text: string;
    try {
      text = readTextFile(join(path, name), { label });
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      problems.push(err.message);
      continue;
    }
    const r = checkDashboard(text, label, o);
    problems.push(...r.problems);
    if (!r.json) continue;
    if (r.uid) {
      const other = uids.get(r.uid);
      if (other) problems.push(`${label}: uid "${r.uid}" is also the uid of ${other}; Grafana keeps one of them`);
      uids.set(r.uid, label);
    }
    total += Buffer.byteLength(r.json);
    files.push({ name: key, json: r.json });
  }
  if (total > MAX_PROVIDER_BYTES) problems.push(`${folder}: the dashboards total ${Math.ceil(total / 1024)} KiB; they become one ConfigMap, and the API server refuses one over 1 MiB: keep them under ${MAX_PROVIDER_BYTES / 1024} KiB`);
  if (problems.length) throw new UsageError(`${setting}: ${problems.length === 1 ? problems[0] : `${problems.length} problems in the dashboard files:`}`, problems.length === 1 ? ['Fix the file, then run again. Nothing was changed.'] : [...problems.map((p) => `- ${p}`), 'Fix the files, then run again. Nothing was changed.']);
  return files;
}
