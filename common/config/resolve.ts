import { existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import { ConfigError, ConfigNotFoundError, type ConfigOrigin } from './errors.js';
import { mergeConfig } from './merge.js';
import { applyOverride, parseOverride } from './overrides.js';
import { pathKey, type ConfigTree } from './paths.js';
import { readConfigFile, type ConfigFile } from './yaml-file.js';

/** The mmdetection key naming the file(s) a config inherits from, relative to it. */
export const BASE_KEY = '_base_';

/** An effective config and where every value in it came from. */
export interface ResolvedConfig {
  /** The file the user named, absolute. */
  entry: string;
  config: ConfigTree;
  /** Every file read, entry last, bases before the files that name them. */
  files: string[];
  /** The place that defined `path` (or its nearest defined ancestor). */
  originOf(path: readonly (string | number)[]): ConfigOrigin | undefined;
}

export interface ResolveOptions {
  /** Where named configs live (`<configDir>/<name>.yaml`). */
  configDir: string;
  /** `a.b=c` overrides, applied in order after inheritance. */
  sets?: readonly string[];
}

/**
 * Resolves a config name (`lvis_v1` -> `<configDir>/lvis_v1.yaml`) or a path: `_base_` inheritance (child
 * wins, lists replaced, `_delete_` honoured, cycles refused), then `--set` overrides.
 */
export function resolveConfig(source: string, options: ResolveOptions): ResolvedConfig {
  const entry = locateConfig(source, options.configDir);
  const layers: OriginLayer[] = [];
  const files: string[] = [];
  let config = loadWithBases(entry, [], layers, files);
  for (const text of options.sets ?? []) {
    const override = parseOverride(text);
    config = applyOverride(config, override);
    // An override owns its path and everything under it (a list or mapping given as the value).
    layers.push((path) => (isPrefix(override.path, path) ? override.origin : undefined));
  }
  return { entry, config, files, originOf: (path) => lookupOrigin(layers, path) };
}

/** A name or a path -> an absolute file path; a miss lists what exists. */
export function locateConfig(source: string, configDir: string): string {
  const looksLikePath = source.includes('/') || /\.ya?ml$/.test(source);
  const candidates = looksLikePath
    ? [isAbsolute(source) ? source : resolvePath(source)]
    : [join(configDir, `${source}.yaml`), join(configDir, `${source}.yml`)];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found) return resolvePath(found);
  const known = listConfigNames(configDir);
  const where = looksLikePath ? '' : ` in ${configDir}`;
  throw new ConfigNotFoundError(`no config ${looksLikePath ? 'file' : 'named'} "${source}"${where}`, {
    hint:
      known.length > 0
        ? `one of: ${known.join(', ')}; or a path to a .yaml file`
        : 'give a path to a .yaml file',
  });
}

export function listConfigNames(configDir: string): string[] {
  if (!existsSync(configDir)) return [];
  return readdirSync(configDir)
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => name.replace(/\.ya?ml$/, ''))
    .sort();
}

function loadWithBases(path: string, chain: string[], layers: OriginLayer[], files: string[]): ConfigTree {
  if (chain.includes(path)) {
    throw new ConfigError(`_base_ inheritance loops: ${[...chain, path].join(' -> ')}`, {
      origin: { file: chain[chain.length - 1] ?? path, line: 0, column: 0 },
      field: BASE_KEY,
      hint: 'remove one of the _base_ references in that cycle',
    });
  }
  const file = readConfigFile(path);
  const baseNames = baseList(file);
  let merged: ConfigTree = {};
  const definedBy = new Map<string, string>();
  for (const [index, baseName] of baseNames.entries()) {
    const basePath = resolvePath(dirname(path), baseName);
    if (!existsSync(basePath)) {
      throw new ConfigError(`_base_ file ${basePath} does not exist`, {
        origin: file.origins.get(pathKey([BASE_KEY, index])) ?? file.origins.get(pathKey([BASE_KEY])),
        field: BASE_KEY,
        hint: '_base_ paths are relative to the file that names them',
      });
    }
    const base = loadWithBases(basePath, [...chain, path], layers, files);
    // As in mmdetection, sibling bases must not both define a top-level key: which one wins would be an accident.
    for (const key of Object.keys(base)) {
      const other = definedBy.get(key);
      if (other !== undefined) {
        throw new ConfigError(`"${key}" is defined by two _base_ files: ${other} and ${basePath}`, {
          origin: file.origins.get(pathKey([BASE_KEY])),
          field: key,
          hint: 'move the key into one base, or override it in this file',
        });
      }
      definedBy.set(key, basePath);
    }
    merged = mergeConfig(merged, base);
  }
  const own = { ...file.tree };
  delete own[BASE_KEY];
  files.push(path);
  layers.push((at) => file.origins.get(pathKey(at)));
  return mergeConfig(merged, own);
}

function baseList(file: ConfigFile): string[] {
  const value = file.tree[BASE_KEY];
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  throw new ConfigError('_base_ must be a file name or a list of file names', {
    origin: file.origins.get(pathKey([BASE_KEY])),
    field: BASE_KEY,
  });
}

/** Says where a path was defined in one layer (a file, or an override), or undefined. */
type OriginLayer = (path: readonly (string | number)[]) => ConfigOrigin | undefined;

function isPrefix(prefix: readonly (string | number)[], path: readonly (string | number)[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => segment === path[index]);
}

/** The most-derived layer that defined the path, else the nearest ancestor that some layer defined. */
function lookupOrigin(layers: OriginLayer[], path: readonly (string | number)[]): ConfigOrigin | undefined {
  for (let length = path.length; length >= 0; length -= 1) {
    const prefix = path.slice(0, length);
    for (let layer = layers.length - 1; layer >= 0; layer -= 1) {
      const origin = layers[layer]?.(prefix);
      if (origin) return origin;
    }
  }
  return undefined;
}
