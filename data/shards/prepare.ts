// prepare: an LVIS annotation file + its images -> tar shards + annotations.json + manifest.json, in a local
// directory or under an S3 prefix. The manifest goes last; on any failure (abort included) everything
// written is removed, so a destination holds a whole dataset or nothing.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  computeLvisCategoryStatistics,
  loadLvisGroundTruth,
  type LvisAnnotation,
  type LvisGroundTruth,
} from '../../common/index.js';
import { ShardError, SourceImageError } from './errors.js';
import { shardAnnotationsName, type ShardManifest } from './manifest.js';
import { ShardPacker } from './shard-packer.js';
import { readSourceImage } from './source-images.js';
import { openDatasetSink } from './store.js';

export interface PrepareShardsOptions {
  /** An LVIS v0.5 or v1 annotation file. */
  annotations: string;
  /** The images directory (see source-images.ts for the layouts found). */
  images: string;
  /** `s3://bucket/prefix` or a local directory; must be empty or absent. */
  out: string;
  /** Needed when `out` is an S3 location. */
  s3?: S3Client;
  /** Target shard size in bytes. @default 64 MiB */
  shardBytes?: number;
  /** Skip (and count) missing or unreadable images instead of failing. @default false */
  skipBad?: boolean;
  /** Keep annotation polygons in the per-image JSON. @default false (bbox training never reads them) */
  keepSegmentation?: boolean;
  signal?: AbortSignal;
  /** Called after each shard is written. */
  onShard?: (name: string) => void;
}

export interface PrepareShardsResult {
  manifest: ShardManifest;
  /** The images skipped with skipBad, each naming the image and path. */
  skipped: SourceImageError[];
}

export const defaultShardBytes = 64 * 1024 * 1024;

/** The webdataset key of an image: its id, zero-padded like COCO file names so keys sort numerically. */
export function sampleKey(imageId: number): string {
  return String(imageId).padStart(12, '0');
}

function annotationsByImage(gt: LvisGroundTruth): Map<number, LvisAnnotation[]> {
  const byImage = new Map<number, LvisAnnotation[]>();
  for (const annotation of gt.annotations) {
    const list = byImage.get(annotation.image_id);
    if (list === undefined) byImage.set(annotation.image_id, [annotation]);
    else list.push(annotation);
  }
  return byImage;
}

/** Builds a sharded dataset from an LVIS file and its images (see the file comment). */
export async function prepareShards(options: PrepareShardsOptions): Promise<PrepareShardsResult> {
  const { signal } = options;
  const keepSegmentation = options.keepSegmentation ?? false;
  const gt = await loadLvisGroundTruth(options.annotations, { signal, keepSegmentation });
  const sink = await openDatasetSink(options.out, options.s3, signal);
  try {
    const byImage = annotationsByImage(gt);
    const packer = new ShardPacker(options.shardBytes ?? defaultShardBytes, async (name, body) => {
      await sink.write(name, body, signal);
      options.onShard?.(name);
    });
    const skipped: SourceImageError[] = [];
    const included: LvisAnnotation[] = [];
    for (const [index, image] of gt.images.entries()) {
      signal?.throwIfAborted();
      let jpeg: Buffer;
      try {
        jpeg = await readSourceImage(image, index, options.images, options.annotations);
      } catch (error) {
        if (!(options.skipBad && error instanceof SourceImageError)) throw error;
        skipped.push(error);
        continue;
      }
      const annotations = byImage.get(image.id) ?? [];
      included.push(...annotations);
      const json = Buffer.from(JSON.stringify({ image, annotations }));
      await packer.add({ key: sampleKey(image.id), jpeg, json, annotations: annotations.length });
    }
    await packer.finish();
    if (packer.shards.length === 0) {
      throw new ShardError(
        `${options.annotations}: no usable images (${gt.images.length} listed, ${skipped.length} skipped)`,
        'invalid',
        'check --images and the annotation file',
      );
    }
    await sink.copyFile(shardAnnotationsName, options.annotations, signal);
    const manifest = buildManifest(gt, included, packer, skipped.length, {
      source: basename(options.annotations),
      bytes: (await stat(options.annotations)).size,
      keepSegmentation,
    });
    signal?.throwIfAborted();
    await sink.commit(Buffer.from(JSON.stringify(manifest, null, 1)), signal);
    return { manifest, skipped };
  } catch (error) {
    await sink.abort();
    throw error;
  }
}

function buildManifest(
  gt: LvisGroundTruth,
  included: readonly LvisAnnotation[],
  packer: ShardPacker,
  skipped: number,
  source: { source: string; bytes: number; keepSegmentation: boolean },
): ShardManifest {
  const stats = computeLvisCategoryStatistics(gt.categories, included);
  const names = new Map(gt.categories.map((category) => [category.id, category.name]));
  const shards = packer.shards;
  return {
    format: 'bacl-shards',
    version: 1,
    annotations: { name: shardAnnotationsName, source: source.source, bytes: source.bytes },
    keepSegmentation: source.keepSegmentation,
    shards,
    totals: {
      shards: shards.length,
      samples: shards.reduce((sum, shard) => sum + shard.samples, 0),
      annotations: included.length,
      bytes: shards.reduce((sum, shard) => sum + shard.bytes, 0),
      skipped,
    },
    categories: stats.categories.map((stat) => ({
      id: stat.id,
      name: names.get(stat.id) ?? '',
      frequency: stat.declaredFrequency,
      imageCount: stat.imageCount,
      instanceCount: stat.instanceCount,
    })),
    groups: stats.declaredGroups,
  };
}
