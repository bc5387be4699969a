// One epoch of a rank's training batches from the shards (issue #13 point 1), ready for collateBatch:
// 1. the rank reads its disjoint share (ShardDatasetReader: shard order by (seed, epoch), shuffle buffer by
//    (seed, epoch, rank)) without decoding; a share that runs out before `steps` batches starts again as a
//    new pass (a new share seed, still disjoint across ranks);
// 2. records that do not train (annotations.ts) are skipped; the rest get a stream position and go to the
//    aspect grouper (group-batches.ts), which emits same-group batches;
// 3. from the cursor's step on, each batch is decoded and augmented (train-transforms.ts, copy-paste.ts),
//    every draw from SeededRandom.derive(seed, purpose, epoch, rank, position, attempt), so a resumed run
//    (cursor {epoch, step}) replays the same stream without decoding the skipped batches and then produces
//    bit-identical batches;
// 4. prefetch.ts keeps `prefetch` batches in preparation while the caller trains.
// Stage 1 draws its Copy-Paste source from the last `copyPastePool` training records of the stream (mmdet
// draws it from the whole dataset; a streaming rank only holds what it read). When no instance survives the
// crop (mmdet: `_rand_another`, another image of the same group), the image is tried again with new draws,
// then a same-group image of the pool; failures are errors naming the shard, key and step.
import { hash32, SeededRandom } from '../../common/index.js';
import {
  decodeJpeg,
  ShardDatasetReader,
  type DatasetSample,
  type DatasetSource,
  type ShardManifest,
} from '../../data/index.js';
import { aspectGroup, trainsOn } from './annotations.js';
import { copyPaste } from './copy-paste.js';
import { DataOptionError, DataSampleError } from './errors.js';
import type { AnnotatedImage } from './geometry.js';
import { AspectGrouper } from './group-batches.js';
import type { FilterOptions, TrainPipeline } from './pipeline-options.js';
import { prefetch } from './prefetch.js';
import { annotate, representationLoad, standardTransform } from './train-transforms.js';

/** Where the data stream stands: the next batch to train is `step` of `epoch`. Checkpointed with the model. */
export interface DataCursor {
  epoch: number;
  step: number;
}

export interface TrainLoaderOptions {
  manifest: ShardManifest;
  source: DatasetSource;
  pipeline: TrainPipeline;
  filter: FilterOptions;
  /** Category id -> label (annotations.ts labelMap). */
  labels: ReadonlyMap<number, number>;
  samplesPerGpu: number;
  seed: number;
  rank: number;
  worldSize: number;
  /** Batches every rank delivers this epoch (group-batches.ts epochSteps). */
  steps: number;
  /** The epoch and the first step to deliver (a checkpoint's cursor). */
  cursor: DataCursor;
  /** Batches prepared ahead of the caller. @default 2 */
  prefetch?: number;
  /** The shard reader's shuffle buffer, in samples. @default 64 */
  shuffleBuffer?: number;
  /** Recent training records a Copy-Paste source is drawn from. @default 16 */
  copyPastePool?: number;
  /** Count and skip records the shard reader cannot parse (data/shards skipBad). @default false */
  skipBad?: boolean;
  /** Called for every skipped record. */
  onSkip?: (error: Error) => void;
  /** Draws before a stage-1 image with no instance left after the crop is an error. @default 10 */
  cropAttempts?: number;
  signal?: AbortSignal;
}

export interface TrainBatch {
  /** This batch's place in the stream. */
  cursor: DataCursor;
  /** The cursor to checkpoint once this batch has trained. */
  next: DataCursor;
  samples: AnnotatedImage[];
  /** Where each sample came from (the Copy-Paste destination). */
  keys: Array<{ shard: string; key: string }>;
}

interface Member {
  record: DatasetSample;
  position: number;
  group: 0 | 1;
}

interface PlannedBatch {
  step: number;
  members: Member[];
  /** The Copy-Paste pool as it stood when the batch was complete. */
  pool: Member[];
}

/** The rank's batches for `cursor.epoch`, from `cursor.step` to `steps - 1`. */
export function trainBatches(options: TrainLoaderOptions): AsyncIterable<TrainBatch> {
  check(options);
  return {
    [Symbol.asyncIterator]: () => prefetch(prepared(options), options.prefetch ?? 2, options.signal),
  };
}

function check(options: TrainLoaderOptions): void {
  const { rank, worldSize, steps, cursor } = options;
  if (!Number.isInteger(worldSize) || worldSize < 1)
    throw new DataOptionError('worldSize', worldSize, '>= 1');
  if (!Number.isInteger(rank) || rank < 0 || rank >= worldSize) {
    throw new DataOptionError('rank', rank, `an integer in [0, ${worldSize})`);
  }
  if (options.pipeline.kind === 'representation' && !options.manifest.keepSegmentation) {
    throw new DataOptionError(
      `${options.source.describe('manifest.json')} keepSegmentation`,
      false,
      'true: stage 1 (Copy-Paste, crop) needs masks; prepare the shards with `baclctl data prepare --keep-segmentation`',
    );
  }
  if (!Number.isInteger(steps) || steps < 1) throw new DataOptionError('steps', steps, 'a positive integer');
  if (!Number.isInteger(cursor.step) || cursor.step < 0 || cursor.step > steps) {
    throw new DataOptionError('cursor.step', cursor.step, `an integer in [0, ${steps}]`);
  }
}

/** Step 1 and 2: the grouped record stream, no pixels touched. */
async function* plannedBatches(options: TrainLoaderOptions): AsyncGenerator<PlannedBatch> {
  const { seed, rank, worldSize, steps, signal } = options;
  const { epoch } = options.cursor;
  const grouper = new AspectGrouper<Member>(options.samplesPerGpu);
  const poolSize = Math.max(1, options.copyPastePool ?? 16);
  const pool: Member[] = [];
  let position = 0;
  let step = 0;
  for (let pass = 0; step < steps; pass++) {
    const reader = new ShardDatasetReader(options.manifest, options.source, {
      rank,
      worldSize,
      seed: pass === 0 ? seed : hash32(seed, 'pass', pass),
      epoch,
      decode: false,
      shuffleBuffer: options.shuffleBuffer ?? 64,
      skipBad: options.skipBad ?? false,
      onSkip: options.onSkip,
      signal,
    });
    let trained = 0;
    for await (const record of reader) {
      position += 1;
      if (!trainsOn(record.image, record.annotations, options.labels, options.filter.minImageSide)) continue;
      trained += 1;
      const member: Member = { record, position, group: aspectGroup(record.image) };
      pool.push(member);
      if (pool.length > poolSize) pool.shift();
      const members = grouper.push(member, member.group);
      if (members === undefined) continue;
      yield { step, members, pool: [...pool] };
      step += 1;
      if (step === steps) return;
    }
    if (trained === 0) {
      throw new DataOptionError(
        `rank ${rank} share of ${options.source.describe('')} (epoch ${epoch}, pass ${pass})`,
        reader.size,
        'at least one training image: use fewer ranks or a larger dataset',
      );
    }
  }
}

/** Step 3: the batches from the cursor's step on, decoded and augmented. */
async function* prepared(options: TrainLoaderOptions): AsyncGenerator<TrainBatch> {
  const { epoch, step: first } = options.cursor;
  if (first >= options.steps) return;
  for await (const batch of plannedBatches(options)) {
    if (batch.step < first) continue;
    const samples = await Promise.all(
      batch.members.map((member) =>
        prepareMember(member, batch, options).catch(wrap(member.record, batch.step)),
      ),
    );
    const last = batch.step + 1 === options.steps;
    yield {
      cursor: { epoch, step: batch.step },
      next: last ? { epoch: epoch + 1, step: 0 } : { epoch, step: batch.step + 1 },
      samples,
      keys: batch.members.map(({ record }) => ({ shard: record.shard, key: record.key })),
    };
  }
}

function wrap(record: DatasetSample, step: number) {
  return (error: unknown): never => {
    if (error instanceof DataSampleError || (error instanceof Error && error.name === 'AbortError'))
      throw error;
    const problem = error instanceof Error ? error.message : String(error);
    throw new DataSampleError(record.shard, record.key, step, problem, { cause: error });
  };
}

/** A record decoded and annotated; its own failures name its shard and key (it may be a pool image). */
async function loadAnnotated(
  record: DatasetSample,
  options: TrainLoaderOptions,
  step: number,
): Promise<AnnotatedImage> {
  try {
    const pixels = await decodeJpeg(record.jpeg);
    const { width, height } = record.image;
    if (pixels.width !== width || pixels.height !== height) {
      throw new Error(
        `${record.key}.jpg is ${pixels.width}x${pixels.height}, its JSON says ${width}x${height}`,
      );
    }
    const data = new Uint8Array(pixels.data.buffer, pixels.data.byteOffset, pixels.data.length);
    const withMasks = options.pipeline.kind === 'representation';
    return annotate(record.image, record.annotations, { data, width, height }, options.labels, withMasks);
  } catch (error) {
    return wrap(record, step)(error);
  }
}

async function prepareMember(
  member: Member,
  batch: PlannedBatch,
  options: TrainLoaderOptions,
): Promise<AnnotatedImage> {
  const { seed, rank, pipeline } = options;
  const { epoch } = options.cursor;
  const stream = (purpose: string, attempt = 0) =>
    SeededRandom.derive(seed, purpose, epoch, rank, member.position, attempt);
  if (pipeline.kind === 'standard') {
    return standardTransform(
      await loadAnnotated(member.record, options, batch.step),
      stream('augment'),
      pipeline,
    );
  }
  const attempts = Math.max(1, options.cropAttempts ?? 10);
  const load = async (
    candidates: readonly Member[],
    purpose: string,
  ): Promise<AnnotatedImage | undefined> => {
    for (let attempt = 0; attempt < attempts; attempt++) {
      // The first three draws use the image itself, the rest a random candidate (mmdet `_rand_another`).
      const pick = attempt < 3 ? 0 : stream(`${purpose}-pick`, attempt).int(0, candidates.length - 1);
      const loaded = representationLoad(
        await loadAnnotated(candidates[pick]!.record, options, batch.step),
        stream(purpose, attempt),
        pipeline,
      );
      if (loaded !== undefined) return loaded;
    }
    return undefined;
  };
  const sameGroup = [member, ...batch.pool.filter((m) => m.group === member.group && m !== member)];
  const destination = await load(sameGroup, 'augment');
  if (destination === undefined) {
    throw new Error(`no instance survives the ${pipeline.cropSize} crop in ${attempts} draws`);
  }
  if (pipeline.copyPaste.maxPasted === 0) return destination;
  const picked = batch.pool[stream('copy-paste-source').int(0, batch.pool.length - 1)]!;
  const source = await load([picked], 'copy-paste-load');
  if (source === undefined) return destination;
  return copyPaste(destination, source, stream('copy-paste'), pipeline.copyPaste);
}
