// Aspect-ratio grouped batches (mmdet GroupSampler / DistributedGroupSampler: group = w / h > 1, every batch
// from one group) over a rank's stream of samples. The shard reader hands each rank a disjoint share in a
// (seed, epoch)-shuffled order (data/shards share.ts + its seeded shuffle buffer); the grouper fills one bucket
// per group and emits a bucket when it holds samplesPerGpu samples, so batches come out in stream order and
// are a pure function of it. Every rank trains the same number of steps per epoch, mmdet's
// num_samples / samples_per_gpu = sum over groups of ceil(size / samples_per_gpu / world_size), counted from
// the dataset's annotations (epochSteps); the loader wraps a rank's share into a new pass when it runs short.
import type { LvisAnnotation, LvisImage } from '../../common/index.js';
import { aspectGroup, trainsOn } from './annotations.js';
import { DataOptionError } from './errors.js';

/** Collects items into same-group batches; `push` returns a full batch or undefined. */
export class AspectGrouper<T> {
  private readonly buckets: [T[], T[]] = [[], []];

  constructor(readonly samplesPerGpu: number) {
    if (!Number.isInteger(samplesPerGpu) || samplesPerGpu < 1) {
      throw new DataOptionError('data.samples_per_gpu', samplesPerGpu, 'a positive integer');
    }
  }

  push(item: T, group: 0 | 1): T[] | undefined {
    const bucket = this.buckets[group];
    bucket.push(item);
    if (bucket.length < this.samplesPerGpu) return undefined;
    this.buckets[group] = [];
    return bucket;
  }

  /** Items waiting in the two buckets (they go into the next pass's batches). */
  get pending(): number {
    return this.buckets[0].length + this.buckets[1].length;
  }
}

/** Training images per aspect group ([portrait-or-square, landscape]) after the filter (annotations.ts). */
export function trainingGroupSizes(
  images: readonly LvisImage[],
  annotations: readonly LvisAnnotation[],
  labels: ReadonlyMap<number, number>,
  minImageSide: number,
): [number, number] {
  const byImage = new Map<number, LvisAnnotation[]>();
  for (const annotation of annotations) {
    const list = byImage.get(annotation.image_id);
    if (list === undefined) byImage.set(annotation.image_id, [annotation]);
    else list.push(annotation);
  }
  const sizes: [number, number] = [0, 0];
  for (const image of images) {
    if (trainsOn(image, byImage.get(image.id) ?? [], labels, minImageSide)) sizes[aspectGroup(image)] += 1;
  }
  return sizes;
}

/** Steps per epoch on every rank: mmdet DistributedGroupSampler's num_samples / samples_per_gpu. */
export function epochSteps(groupSizes: readonly number[], worldSize: number, samplesPerGpu: number): number {
  if (!Number.isInteger(worldSize) || worldSize < 1) {
    throw new DataOptionError('worldSize', worldSize, 'a positive integer');
  }
  return groupSizes.reduce((sum, size) => sum + Math.ceil(size / samplesPerGpu / worldSize), 0);
}
