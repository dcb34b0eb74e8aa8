/** Default config path, relative to the working directory. */
export const DEFAULT_CONFIG_PATH = 'monitor-stack.yaml';
