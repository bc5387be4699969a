// manifest.json: what a reader needs before opening a shard (names, sample counts, sizes) and what the
// sampler and FCBL need without reading the annotations (per-category image and instance counts, groups).
// It is written last, so its presence means the dataset is complete.
import { z } from 'zod';
import { lvisFrequencySchema } from '../../common/index.js';
import { ShardLocationError } from './errors.js';
import type { DatasetSource } from './dataset-io.js';

export const shardManifestName = 'manifest.json';
export const shardAnnotationsName = 'annotations.json';

const count = z.number().int().nonnegative();

export const shardEntrySchema = z.object({
  name: z.string().describe('shard-000000.tar, in the dataset directory'),
  samples: count.describe('Images (one <key>.jpg + <key>.json pair each)'),
  annotations: count,
  bytes: count.describe('Size of the tar file'),
  firstKey: z.string(),
  lastKey: z.string(),
});

export const shardManifestSchema = z.object({
  format: z.literal('bacl-shards'),
  version: z.literal(1),
  annotations: z.object({
    name: z.string().describe('The LVIS JSON this dataset was built from, copied beside the shards'),
    source: z.string().describe('Its file name when prepared'),
    bytes: count,
  }),
  keepSegmentation: z.boolean().describe('Whether the per-image JSON keeps polygons'),
  shards: z.array(shardEntrySchema),
  totals: z.object({ shards: count, samples: count, annotations: count, bytes: count, skipped: count }),
  categories: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      frequency: lvisFrequencySchema.describe('As the annotation file declares it (LVIS: from train)'),
      imageCount: count.describe('Images of this dataset with the category'),
      instanceCount: count,
    }),
  ),
  groups: z.object({
    r: z.array(z.number().int()),
    c: z.array(z.number().int()),
    f: z.array(z.number().int()),
  }),
});

export type ShardEntry = z.infer<typeof shardEntrySchema>;
export type ShardManifest = z.infer<typeof shardManifestSchema>;

/** Loads and checks a dataset's manifest. */
export async function readShardManifest(source: DatasetSource, signal?: AbortSignal): Promise<ShardManifest> {
  const where = source.describe(shardManifestName);
  const bytes = await source.read(shardManifestName, signal);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ShardLocationError(where, 'not JSON', 'prepare the dataset again', 'invalid', error);
  }
  const parsed = shardManifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ShardLocationError(
      where,
      `${issue.path.join('.') || '$'}: ${issue.message}`,
      'this is not a manifest written by `baclctl data prepare`',
      'invalid',
      parsed.error,
    );
  }
  return parsed.data;
}
