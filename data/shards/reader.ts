// Streams a rank's share of a sharded dataset (share.ts) as decoded samples. Memory is bounded by `prefetch`
// samples in flight plus one tar member being read: shards are never buffered whole. Errors name the shard
// and key; with skipBad a bad record (or the rest of a damaged shard) is counted and skipped instead.
import type { S3Client } from '@aws-sdk/client-s3';
import { SeededRandom, type LvisAnnotation, type LvisImage } from '../../common/index.js';
import { decodeJpeg, type DecodedImage } from './decode.js';
import { ShardFormatError, ShardRecordError, type ShardError } from './errors.js';
import { readShardManifest, type ShardManifest } from './manifest.js';
import { parseRecordJson, readShardRecords, type ShardRecord } from './records.js';
import { planRankShare, type RankShareOptions, type ShardSlice } from './share.js';
import type { DatasetSource } from './dataset-io.js';
import { openDatasetSource } from './store.js';

export interface ShardReaderOptions extends Partial<RankShareOptions> {
  /** Decode JPEGs to RGB pixels. @default true */
  decode?: boolean;
  /** Count and skip bad records instead of throwing. @default false */
  skipBad?: boolean;
  /** Samples parsed and decoded ahead of the consumer. @default 4 */
  prefetch?: number;
  /**
   * Shuffle within the rank's share through a buffer of this many samples, seeded by (seed, epoch, rank); the
   * shard order is shuffled regardless. Memory grows with it. @default 0 (shard order)
   */
  shuffleBuffer?: number;
  signal?: AbortSignal;
  /** Called for every skipped record (skipBad). */
  onSkip?: (error: ShardError) => void;
}

export interface DatasetSample {
  shard: string;
  key: string;
  image: LvisImage;
  annotations: LvisAnnotation[];
  jpeg: Buffer;
  /** Present unless `decode: false`. */
  pixels?: DecodedImage;
}

/** A settled record: a sample, a bad record (skippable), or an unexpected failure (always thrown). */
type Outcome = { sample: DatasetSample } | { error: ShardError; count: number } | { failure: unknown };

export class ShardDatasetReader implements AsyncIterable<DatasetSample> {
  /** Records skipped so far (skipBad). */
  skipped = 0;
  /** This rank's slices of the shards. */
  readonly share: ShardSlice[];
  /** The dataset's category ids (manifest.json); a record naming another is from a different dataset. */
  private readonly categories: ReadonlySet<number>;

  constructor(
    readonly manifest: ShardManifest,
    private readonly source: DatasetSource,
    private readonly options: ShardReaderOptions = {},
  ) {
    this.share = planRankShare(manifest.shards, { rank: 0, worldSize: 1, ...options });
    this.categories = new Set(manifest.categories.map((category) => category.id));
  }

  /** Samples in this rank's share. */
  get size(): number {
    return this.share.reduce((sum, slice) => sum + slice.to - slice.from, 0);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<DatasetSample> {
    const size = this.options.shuffleBuffer ?? 0;
    if (size <= 1) {
      yield* this.inOrder();
      return;
    }
    // webdataset's shuffle buffer: a random one of the last `size` samples goes out as each new one comes in.
    const { seed = 0, epoch = 0, rank = 0 } = this.options;
    const random = SeededRandom.derive(seed, 'sample-shuffle', epoch, rank);
    const buffer: DatasetSample[] = [];
    for await (const sample of this.inOrder()) {
      if (buffer.length < size) {
        buffer.push(sample);
        continue;
      }
      const index = random.int(0, size - 1);
      yield buffer[index]!;
      buffer[index] = sample;
    }
    yield* random.shuffle(buffer);
  }

  /** The share's samples in shard order. */
  private async *inOrder(): AsyncGenerator<DatasetSample> {
    const prefetch = Math.max(1, this.options.prefetch ?? 4);
    const pending: Promise<Outcome>[] = [];
    for (const slice of this.share) {
      for await (const started of this.readSlice(slice)) {
        pending.push(started.outcome);
        if (pending.length >= prefetch) {
          const sample = this.settle(await pending.shift()!);
          if (sample !== undefined) yield sample;
        }
      }
    }
    while (pending.length > 0) {
      const sample = this.settle(await pending.shift()!);
      if (sample !== undefined) yield sample;
    }
  }

  private settle(outcome: Outcome): DatasetSample | undefined {
    if ('sample' in outcome) return outcome.sample;
    if ('failure' in outcome) throw outcome.failure;
    if (!this.options.skipBad) throw outcome.error;
    this.skipped += outcome.count;
    this.options.onSkip?.(outcome.error);
    return undefined;
  }

  /**
   * One promise per record of the slice, started at once so decoding overlaps reading. Wrapped in an object
   * because an async generator awaits a yielded promise, which would serialise the work again.
   */
  private async *readSlice(slice: ShardSlice): AsyncGenerator<{ outcome: Promise<Outcome> }> {
    const { signal } = this.options;
    const entry = this.manifest.shards.find((shard) => shard.name === slice.shard);
    const expected = entry?.samples ?? 0;
    const where = this.source.describe(slice.shard);
    let seen = 0;
    try {
      const stream = this.source.stream(slice.shard, signal);
      for await (const item of readShardRecords(slice.shard, stream, where)) {
        signal?.throwIfAborted();
        seen += 1;
        const index = item.ok ? item.record.index : item.index;
        const key = item.ok ? item.record.key : item.error.key;
        if (index === 0 && entry !== undefined && key !== entry.firstKey) {
          throw new ShardFormatError(
            slice.shard,
            `starts with record ${key}, the manifest says ${entry.firstKey}: the shard and manifest.json ` +
              'are from different datasets',
            undefined,
            { where },
          );
        }
        if (index < slice.from) continue;
        if (index >= slice.to) return;
        yield {
          outcome: item.ok ? this.process(item.record) : Promise.resolve({ error: item.error, count: 1 }),
        };
        if (index + 1 === slice.to && slice.to < expected) return;
      }
      if (seen !== expected) {
        throw new ShardFormatError(
          slice.shard,
          `holds ${seen} records, the manifest says ${expected}: the shard and manifest.json disagree`,
          undefined,
          { where },
        );
      }
    } catch (error) {
      if (!(error instanceof ShardFormatError)) throw error;
      // The rest of the slice is unreadable: one outcome standing for every record not yet delivered.
      const left = Math.max(1, slice.to - Math.max(slice.from, seen));
      yield { outcome: Promise.resolve({ error, count: left }) };
    }
  }

  private async process(record: ShardRecord): Promise<Outcome> {
    try {
      const { image, annotations } = parseRecordJson(record);
      const stray = annotations.findIndex((annotation) => !this.categories.has(annotation.category_id));
      // A manifest that lists no categories (hand-made, never by prepare) cannot tell, so it checks nothing.
      if (stray >= 0 && this.categories.size > 0) {
        throw new ShardRecordError(
          record.shard,
          record.key,
          `${record.key}.json annotations[${stray}].category_id: category ${annotations[stray]!.category_id} is ` +
            "not among the dataset's categories (manifest.json)",
          { where: record.where },
        );
      }
      const sample: DatasetSample = {
        shard: record.shard,
        key: record.key,
        image,
        annotations,
        jpeg: record.jpeg,
      };
      if (this.options.decode ?? true) {
        sample.pixels = await decodeJpeg(record.jpeg).catch((error: unknown) => {
          throw new ShardRecordError(record.shard, record.key, `${record.key}.jpg does not decode`, {
            cause: error,
            where: record.where,
          });
        });
        if (sample.pixels.width !== image.width || sample.pixels.height !== image.height) {
          throw new ShardRecordError(
            record.shard,
            record.key,
            `${record.key}.jpg is ${sample.pixels.width}x${sample.pixels.height}, its JSON says ${image.width}x${image.height}`,
            { where: record.where },
          );
        }
      }
      return { sample };
    } catch (error) {
      // Never a rejected promise: one abandoned in the prefetch window would be an unhandled rejection.
      if (error instanceof ShardRecordError) return { error, count: 1 };
      return { failure: error };
    }
  }
}

/** Opens a dataset (`s3://bucket/prefix` with `s3`, a local directory, or a source) for one rank. */
export async function openShardDataset(
  location: string | DatasetSource,
  options: ShardReaderOptions & { s3?: S3Client } = {},
): Promise<ShardDatasetReader> {
  const source = typeof location === 'string' ? openDatasetSource(location, options.s3) : location;
  return new ShardDatasetReader(await readShardManifest(source, options.signal), source, options);
}
