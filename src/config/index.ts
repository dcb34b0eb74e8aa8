/**
 * Loading the settings of one environment: config file + presets + flags, merged in the one
 * precedence order (merge.ts). Throws UsageError for anything the user must fix.
 */
import { dirname, resolve } from 'node:path';
import { readRuleFiles } from '../alerts/rule-files.js';
import { CHART_IDS } from '../charts.js';
import { readDashboardFolder } from '../dashboards/files.js';
import { UsageError } from '../errors.js';
import { chartValuesProblems } from '../overlays/passthrough.js';
import { isEnabled } from '../plan.js';
import { loadUpstream } from '../upstream.js';
import { checkDnsLabel } from '../validate.js';
import { checkFlagValues, flagsToLayer, type FlagValues } from './flags.js';
import { capLines, readConfigFile, readPresets } from './load.js';
import { resolveSettings } from './merge.js';
import { layerSchema, type Settings } from './schema.js';

/**
 * Checks the environment name and the flags, reads `configPath`, and resolves the settings of `environment`.
 * @throws UsageError for a bad environment name, bad flags, a missing or invalid file, an
 *   undefined environment, or a `charts.<chart>.values` key the chart lacks or a setting manages.
 */
export function loadSettings(configPath: string, environment: string, flags: FlagValues): Settings {
  checkEnvironmentName(environment);
  checkFlagValues(flags);
  const file = readConfigFile(configPath);
  const flagLayer = flagsToLayer(flags);
  // Every flag value was checked above; this asserts that the mapping builds a valid layer.
  const { preset: _preset, ...layer } = flagLayer;
  layerSchema.parse(layer);
  const settings = resolveSettings({ file, fileName: configPath, environment, presets: readPresets(), flags: flagLayer });
  const configDir = dirname(resolve(configPath));
  if (settings.alerts.ruleFiles.length) settings.ruleGroups = readRuleFiles(settings.alerts.ruleFiles, configDir, `${configPath} (environment ${environment}): alerts.ruleFiles`);
  const { folder } = settings.grafana.dashboards;
  if (folder && settings.components.grafana) settings.dashboardFiles = readDashboardFolder(folder, configDir, { loki: Boolean(settings.loki.url), setting: `${configPath} (environment ${environment}): grafana.dashboards.folder` });
  const problems = chartValuesProblems(settings, CHART_IDS.filter((id) => isEnabled(settings, id)), loadUpstream);
  if (problems.length) {
    throw new UsageError(`${configPath} (environment ${environment}): ${problems.length === 1 ? problems[0] : 'chart values that cannot be passed:'}`, problems.length === 1 ? [] : capLines(problems).map((p) => `- ${p}`));
  }
  return settings;
}

/** Rejects an environment name that is not a DNS-1123 label. */
export function checkEnvironmentName(name: string): void {
  const problem = checkDnsLabel(name);
  if (problem) throw new UsageError(`--env "${name}": ${problem.replace('(e.g. monitoring)', '(e.g. dev, staging or prod)')}.`);
}
