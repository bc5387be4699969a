// One rank's inference over its share of the val shards (issue #13 point 5; issue #14 point 1's per-rank
// share): the shard reader's disjoint share (data/shards share.ts) decoded, each image through the test
// transform (eval-transform.ts), batched, the detector's inference (worker/model detector-inference.ts, boxes
// back in original pixels) and the LVIS rows of each image, handed to `onImages` batch by batch as they are
// inferred (the stage streams them into its part, evaluate.ts), so a rank holds no more than it must.
// Batches hold images of one padded size only: mmdet pads a batch to its largest image, and that padding
// reaches the features near the bottom and right edges, so an image's detections would depend on which
// images shared its batch, hence on the world size. Keyed by padded size, an image is padded to its own
// size whoever it shares a batch with. A batch goes when it is full; the rest go at the end of the share, in
// the order their size first came. Batch size 1 (mmdet's test default) needs no grouping.
import * as tf from '@tensorflow/tfjs';
import { ShardDatasetReader, type DatasetSource, type ShardManifest } from '../../data/index.js';
import { collateBatch, type AnnotatedImage, type StandardPipeline } from '../data/index.js';
import { detectBatch, type Detector, type PreparedBatch } from '../model/index.js';
import { toLvisDetections } from '../model/inference/index.js';
import { EvaluateOptionError } from './eval-errors.js';
import type { ImageDetections } from './eval-merge.js';
import { testSample, testTransform, type TestTransform } from './eval-transform.js';

export interface EvaluateProgress {
  /** Images of this rank's share inferred so far. */
  done: number;
  /** Images in this rank's share. */
  total: number;
}

export interface InferShareOptions {
  detector: Detector;
  /** worker/data testPipeline(config.data): one scale, no flip. */
  pipeline: StandardPipeline;
  /** The val split. */
  manifest: ShardManifest;
  source: DatasetSource;
  /** `categoryIds[c]` is the LVIS id of class c (the sorted category ids the detector was trained with). */
  categoryIds: readonly number[];
  /** @default 0 */
  rank?: number;
  /** @default 1 */
  worldSize?: number;
  /** Images per forward pass (of one padded size, see the header). @default 1 */
  batchSize?: number;
  signal?: AbortSignal;
  /** Each batch's images, in the order inferred; awaited before the next batch. */
  onImages: (images: ImageDetections[]) => void | Promise<void>;
  /** Called after every batch (and once with done 0 before the first). */
  onProgress?: (progress: EvaluateProgress) => void;
}

interface Pending {
  imageId: number;
  transform: TestTransform;
  sample: AnnotatedImage;
}

function check(options: InferShareOptions): { rank: number; worldSize: number; batchSize: number } {
  const { rank = 0, worldSize = 1, batchSize = 1 } = options;
  if (!Number.isInteger(worldSize) || worldSize < 1) {
    throw new EvaluateOptionError('worldSize', worldSize, 'a positive integer');
  }
  if (!Number.isInteger(rank) || rank < 0 || rank >= worldSize) {
    throw new EvaluateOptionError('rank', rank, `an integer in [0, ${worldSize})`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new EvaluateOptionError('batchSize', batchSize, 'a positive integer');
  }
  const classes = options.detector.config.model.roi_head.num_classes;
  if (options.categoryIds.length !== classes) {
    throw new EvaluateOptionError(
      'categoryIds',
      `${options.categoryIds.length} ids`,
      `one per class of the detector (${classes}): the val annotations must list the training categories`,
    );
  }
  return { rank, worldSize, batchSize };
}

/** Detections of one batch, per image, in original-image pixels, as LVIS rows. */
function inferBatch(options: InferShareOptions, batch: readonly Pending[]): ImageDetections[] {
  const collated = collateBatch(
    batch.map((p) => p.sample),
    options.pipeline.sizeDivisor,
  );
  try {
    const prepared: PreparedBatch = {
      ...collated,
      testImages: batch.map(({ transform }) => ({
        imageShape: transform.imageShape,
        scaleFactor: transform.scaleFactor,
      })),
    };
    const detections = detectBatch(options.detector, prepared);
    return batch.map(({ imageId }, b) => ({
      imageId,
      detections: toLvisDetections(detections[b]!, imageId, options.categoryIds),
    }));
  } finally {
    tf.dispose(collated.images);
  }
}

/** This rank's share inferred (see the header); resolves with the number of images in it. */
export async function inferShare(options: InferShareOptions): Promise<number> {
  const { rank, worldSize, batchSize } = check(options);
  const { signal, pipeline } = options;
  signal?.throwIfAborted();
  const reader = new ShardDatasetReader(options.manifest, options.source, {
    rank,
    worldSize,
    decode: true,
    signal,
  });
  const total = reader.size;
  let done = 0;
  const report = () => options.onProgress?.({ done, total });
  const run = async (batch: readonly Pending[]) => {
    signal?.throwIfAborted();
    const images = inferBatch(options, batch);
    done += images.length;
    await options.onImages(images);
    report();
  };
  report();
  const open = new Map<string, Pending[]>();
  try {
    for await (const record of reader) {
      const pixels = record.pixels!;
      const data = new Uint8Array(pixels.data.buffer, pixels.data.byteOffset, pixels.data.length);
      const transform = testTransform(record.image.width, record.image.height, pipeline);
      const pending = {
        imageId: record.image.id,
        transform,
        sample: testSample({ data, ...transform.original }, transform),
      };
      const key = `${transform.padded.width}x${transform.padded.height}`;
      const batch = open.get(key) ?? [];
      batch.push(pending);
      if (batch.length < batchSize) {
        open.set(key, batch);
        continue;
      }
      open.delete(key);
      await run(batch);
    }
    for (const batch of open.values()) await run(batch);
  } catch (error) {
    // The reader's streams reject with a generic AbortError; the caller gets the reason it aborted with.
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
  return total;
}
