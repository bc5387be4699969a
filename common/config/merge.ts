import { isTree, type ConfigTree } from './paths.js';

/** The mmdetection marker: a mapping with `_delete_: true` replaces its base instead of merging into it. */
export const DELETE_KEY = '_delete_';

/**
 * Merges `child` over `base` the way mmdetection configs inherit: mappings merge key by key (recursively),
 * everything else (lists included) is replaced by the child's value, and a child mapping that says
 * `_delete_: true` replaces the base mapping whole. Returns a new tree; neither input is changed.
 */
export function mergeConfig(base: ConfigTree, child: ConfigTree): ConfigTree {
  const merged: ConfigTree = { ...base };
  for (const [key, value] of Object.entries(child)) {
    const baseValue = base[key];
    if (isTree(value) && value[DELETE_KEY] === true) {
      merged[key] = stripDeleteMarkers(value);
    } else if (isTree(value) && isTree(baseValue)) {
      merged[key] = mergeConfig(baseValue, value);
    } else {
      merged[key] = isTree(value) ? stripDeleteMarkers(value) : value;
    }
  }
  return merged;
}

/** Removes `_delete_` keys at every depth (they only steer merging and never reach the effective config). */
export function stripDeleteMarkers(tree: ConfigTree): ConfigTree {
  const clean: ConfigTree = {};
  for (const [key, value] of Object.entries(tree)) {
    if (key === DELETE_KEY) continue;
    clean[key] = isTree(value) ? stripDeleteMarkers(value) : value;
  }
  return clean;
}
