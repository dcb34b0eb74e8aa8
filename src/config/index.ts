/**
 * Loading the settings of one environment: config file + presets + flags, merged in the one
 * precedence order (merge.ts). Throws UsageError for anything the user must fix.
 */
import { UsageError } from '../errors.js';
import { checkFlagValues, flagsToLayer, type FlagValues } from './flags.js';
import { readConfigFile, readPresets, parseYamlWith } from './load.js';
import { resolveSettings } from './merge.js';
import { layerSchema, type ConfigFile, type Settings } from './schema.js';
import { stringify } from 'yaml';

export interface LoadedSettings {
  settings: Settings;
  file: ConfigFile;
}

/**
 * Reads `configPath`, checks the flags, and resolves the settings of `environment`.
 * @throws UsageError for a missing or invalid file, an undefined environment, or bad flags.
 */
export function loadSettings(configPath: string, environment: string, flags: FlagValues): LoadedSettings {
  checkFlagValues(flags);
  const file = readConfigFile(configPath);
  const flagLayer = flagsToLayer(flags);
  // The flag layer goes through the same schema as the file, so its values are judged alike.
  const { preset, ...rest } = flagLayer;
  parseYamlWith(stringify(rest), 'command-line flags', layerSchema);
  const settings = resolveSettings({
    file,
    fileName: configPath,
    environment,
    presets: readPresets(),
    flags: { ...rest, ...(preset ? { preset } : {}) },
  });
  return { settings, file };
}

/** Rejects an environment name that is not a DNS-1123 label. */
export function checkEnvironmentName(name: string): void {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
    throw new UsageError(`--env "${name}": must be a DNS-1123 label such as dev, staging or prod.`);
  }
}
