import { parse } from 'yaml';
import { ConfigError, type ConfigOrigin } from './errors.js';
import { formatPath, isTree, type ConfigPath, type ConfigTree } from './paths.js';

/** One parsed `--set a.b=c` override. */
export interface ConfigOverride {
  text: string;
  path: ConfigPath;
  value: unknown;
  origin: ConfigOrigin;
}

/**
 * Parses `a.b.c=value`: the path splits on dots (an all-digit segment indexes a list), the value is read as
 * YAML (`3` is a number, `true` a boolean, `[1, 2]` a list, `'3'` a string), as mmdetection's --cfg-options.
 */
export function parseOverride(text: string): ConfigOverride {
  const origin: ConfigOrigin = { file: `--set ${text}`, line: 0, column: 0 };
  const equals = text.indexOf('=');
  const hint = 'write --set path.to.field=value, e.g. --set model.roi_head.num_classes=80';
  if (equals <= 0) throw new ConfigError('an override needs the form path=value', { origin, hint });
  const rawPath = text.slice(0, equals).trim();
  const segments = rawPath.split('.');
  if (segments.some((segment) => segment.length === 0)) {
    throw new ConfigError(`"${rawPath}" is not a field path (empty segment)`, { origin, hint });
  }
  let value: unknown;
  try {
    value = parse(text.slice(equals + 1));
  } catch (error) {
    throw new ConfigError(
      `the value is not valid YAML`,
      { origin, field: rawPath, hint: 'quote strings with special characters' },
      { cause: error },
    );
  }
  const path = segments.map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
  return { text, path, value: value ?? null, origin };
}

/** Applies one override to a copy of the tree; refuses to step into a scalar or past the end of a list. */
export function applyOverride(tree: ConfigTree, override: ConfigOverride): ConfigTree {
  const root = structuredClone(tree);
  let node: unknown = root;
  override.path.forEach((segment, depth) => {
    const last = depth === override.path.length - 1;
    const here = formatPath(override.path.slice(0, depth + 1));
    if (Array.isArray(node) && typeof segment === 'number') {
      if (segment >= node.length) {
        throw new ConfigError(`index ${segment} is past the end of a list of ${node.length}`, {
          origin: override.origin,
          field: here,
        });
      }
      if (last) node[segment] = override.value;
      else node = node[segment];
    } else if (isTree(node)) {
      const key = String(segment);
      if (last) node[key] = override.value;
      else {
        node[key] ??= {};
        node = node[key];
      }
    } else {
      throw new ConfigError(`cannot set a field inside a ${Array.isArray(node) ? 'list' : 'plain value'}`, {
        origin: override.origin,
        field: formatPath(override.path.slice(0, depth)),
        hint: 'check the path against `baclctl config show`',
      });
    }
  });
  return root;
}
