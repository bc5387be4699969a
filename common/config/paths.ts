/** A path into a config tree: keys for mappings, numbers for list indexes. */
export type ConfigPath = (string | number)[];

/** `model.roi_head.num_classes`, `data.train.pipeline[2].size` */
export function formatPath(path: readonly (string | number)[]): string {
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`,
    )
    .join('');
}

export function pathKey(path: readonly (string | number)[]): string {
  return JSON.stringify(path);
}

export type ConfigTree = { [key: string]: unknown };

export function isTree(value: unknown): value is ConfigTree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
