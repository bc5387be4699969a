// Keys a config sets that its schema does not know. zod objects strip unknown keys silently, so a typo such as
// `model.nek.out_channels` would otherwise vanish and the run would train with the default; validateConfig
// refuses them instead. Pure: found by comparing what was written with what the schema returned (a key that
// parsing dropped is one the schema does not have), and the schema is read only to suggest the near miss.
import type { z } from 'zod';
import { isTree, type ConfigPath } from './paths.js';

/** Every path of `input` whose key parsing dropped from `output`, in document order. */
export function droppedKeys(input: unknown, output: unknown, path: ConfigPath = []): ConfigPath[] {
  if (Array.isArray(input) && Array.isArray(output)) {
    return input.flatMap((item, index) => droppedKeys(item, output[index], [...path, index]));
  }
  if (!isTree(input) || !isTree(output)) return [];
  return Object.keys(input).flatMap((key) =>
    key in output ? droppedKeys(input[key], output[key], [...path, key]) : [[...path, key]],
  );
}

/**
 * The first scalar under `path` in `tree` (the path itself when it holds one): the place that set an unknown
 * mapping is where its first value was written (`--set model.nek.out_channels=3`, not the file's `model:`).
 */
export function firstLeaf(tree: unknown, path: ConfigPath): ConfigPath {
  let value: unknown = tree;
  for (const segment of path) value = (value as Record<string | number, unknown>)[segment];
  const leaf = [...path];
  for (;;) {
    if (Array.isArray(value) && value.length > 0) {
      leaf.push(0);
      value = (value as unknown[])[0];
    } else if (isTree(value) && Object.keys(value).length > 0) {
      const key = Object.keys(value)[0]!;
      leaf.push(key);
      value = value[key];
    } else return leaf;
  }
}

type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; element?: z.ZodType; shape?: object };
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The field names the schema allows at `path` (an object's keys), or [] where it cannot tell. */
export function knownKeys(schema: z.ZodType, path: ConfigPath): string[] {
  let node: z.ZodType | undefined = schema;
  let index = 0;
  while (node !== undefined) {
    const def = defOf(node);
    if (def.innerType !== undefined) node = def.innerType;
    else if (def.type === 'pipe') node = def.in;
    else if (index === path.length) return def.type === 'object' ? Object.keys(def.shape ?? {}) : [];
    else if (def.type === 'array') [node, index] = [def.element, index + 1];
    else if (def.type === 'object') {
      node = (def.shape as Record<string, z.ZodType> | undefined)?.[String(path[index])];
      index += 1;
    } else return [];
  }
  return [];
}

/** The known key closest to `key` (at most two edits, or one a prefix of the other), if any. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    const close = distance <= 2 || candidate.startsWith(key) || key.startsWith(candidate);
    if (close && (best === undefined || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}
