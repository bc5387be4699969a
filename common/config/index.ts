// mmdetection-style configs: `_base_` inheritance, `--set` overrides, validation that points at file:line:col.
export {
  ConfigError,
  ConfigNotFoundError,
  ConfigValidationError,
  formatOrigin,
  type ConfigOrigin,
} from './errors.js';
export { DELETE_KEY, mergeConfig } from './merge.js';
export { applyOverride, parseOverride, type ConfigOverride } from './overrides.js';
export { formatPath, type ConfigPath, type ConfigTree } from './paths.js';
export {
  BASE_KEY,
  listConfigNames,
  locateConfig,
  resolveConfig,
  type ResolveOptions,
  type ResolvedConfig,
} from './resolve.js';
export { validateConfig } from './validate.js';
export { parseConfigText, readConfigFile, type ConfigFile } from './yaml-file.js';
