/**
 * Loading the settings of one environment: config file + presets + flags, merged in the one
 * precedence order (merge.ts). Throws UsageError for anything the user must fix.
 */
import { UsageError } from '../errors.js';
import { checkDnsLabel } from '../validate.js';
import { checkFlagValues, flagsToLayer, type FlagValues } from './flags.js';
import { readConfigFile, readPresets } from './load.js';
import { resolveSettings } from './merge.js';
import { layerSchema, type Settings } from './schema.js';

/**
 * Checks the environment name and the flags, reads `configPath`, and resolves the settings of `environment`.
 * @throws UsageError for a bad environment name, bad flags, a missing or invalid file, or an undefined environment.
 */
export function loadSettings(configPath: string, environment: string, flags: FlagValues): Settings {
  checkEnvironmentName(environment);
  checkFlagValues(flags);
  const file = readConfigFile(configPath);
  const flagLayer = flagsToLayer(flags);
  // Every flag value was checked above; this asserts that the mapping builds a valid layer.
  const { preset: _preset, ...layer } = flagLayer;
  layerSchema.parse(layer);
  return resolveSettings({ file, fileName: configPath, environment, presets: readPresets(), flags: flagLayer });
}

/** Rejects an environment name that is not a DNS-1123 label. */
export function checkEnvironmentName(name: string): void {
  const problem = checkDnsLabel(name);
  if (problem) throw new UsageError(`--env "${name}": ${problem.replace('(e.g. monitoring)', '(e.g. dev, staging or prod)')}.`);
}
