// Where the pictures' pixels come from: a shard dataset (`baclctl data prepare` output, a local directory or
// s3://bucket/prefix: read in shard order, JPEGs not decoded, stopping once every wanted image is found) or a
// directory of images in the LVIS layouts `data prepare` accepts (<dir>/val2017/<file>, <dir>/<file>).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { LvisImage } from '../../common/index.js';
import { shardManifestName } from '../shards/manifest.js';
import { parseShardLocation } from '../shards/location.js';
import { openShardDataset } from '../shards/reader.js';
import { readSourceImage } from '../shards/source-images.js';
import { VisualizeError } from './errors.js';

export type ImageLocationKind = 'shards' | 'images';

/** Shards when the location is s3:// or a directory holding manifest.json, else an images directory. */
export function imageLocationKind(location: string): ImageLocationKind {
  if (parseShardLocation(location).kind === 's3') return 'shards';
  return existsSync(join(location, shardManifestName)) ? 'shards' : 'images';
}

export interface ReadImagesOptions {
  /** Needed for an s3:// location. */
  s3?: S3Client;
  signal?: AbortSignal;
}

/** The JPEG bytes of each of `images` (by id), from `location`; every one must be found. */
export async function readImages(
  location: string,
  images: readonly LvisImage[],
  options: ReadImagesOptions = {},
): Promise<Map<number, Buffer>> {
  const found = new Map<number, Buffer>();
  if (images.length === 0) return found;
  if (imageLocationKind(location) === 'images') {
    if (!existsSync(location)) {
      throw new VisualizeError(
        `${location}: no such directory`,
        'not-found',
        'pass --images-from <images dir | shards dir | s3://bucket/prefix> holding the val images',
      );
    }
    for (const [index, image] of images.entries()) {
      options.signal?.throwIfAborted();
      found.set(image.id, await readSourceImage(image, index, location));
    }
    return found;
  }
  const wanted = new Set(images.map((image) => image.id));
  const reader = await openShardDataset(location, { decode: false, s3: options.s3, signal: options.signal });
  for await (const sample of reader) {
    if (wanted.has(sample.image.id)) found.set(sample.image.id, sample.jpeg);
    if (found.size === wanted.size) break;
  }
  const missing = [...wanted].filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new VisualizeError(
      `${location}: no image ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''} in the shards`,
      'not-found',
      'pass the shards (or images) of the split the --gt file describes',
    );
  }
  return found;
}
