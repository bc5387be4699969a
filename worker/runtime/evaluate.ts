// The evaluate stage (issue #13 point 5; shared/design.md step 4): inference over the val split and the LVIS
// box metrics, written under the run prefix as `eval/detections.json` (the LVIS results format) and then
// `eval/metrics.json` (metrics-last: a metrics.json in place means its detections.json is complete). The
// metrics come from evaluateLvis, the evaluator `baclctl eval` runs, on exactly the rows written, so
// `baclctl eval --gt <val> --results eval/detections.json -o json` prints metrics.json's bytes.
// One rank: infer the share (all of val), merge, write. A group of ranks (issue #14 point 1, ADR 0029): every
// rank infers its disjoint share and streams it to the run prefix as chunks of `chunkImages` images
// (eval-parts.ts); after each chunk the ranks sum their image counts in one small all-reduce (a round: the
// group's progress, a lost or failed rank noticed within a round, the ranks never further apart than a chunk,
// so no wait reaches the collective's deadline), ranks out of chunks join the remaining rounds with their
// final count, and a barrier ends the inference. Rank 0 then reads every chunk, merges, writes both files and
// removes the parts; the other ranks return. The merge makes the files byte-identical whatever the world size
// (eval-merge.ts). A rank that fails aborts the group with its error; the others fail with EvaluateRankError
// naming it, and nobody writes metrics.
import {
  metricsObjectPath,
  readLvisGroundTruth,
  type LvisGroundTruth,
  type TrainingConfig,
} from '../../common/index.js';
import { evaluateLvis, type DatasetSource, type LvisMetrics, type ShardManifest } from '../../data/index.js';
import { CheckpointObjectMissingError, type CheckpointStore } from '../checkpoint/index.js';
import type { Collective } from '../collective/collective.js';
import { CollectiveAbortedError, CollectiveError, PeerLostError } from '../collective/errors.js';
import { testPipeline } from '../data/index.js';
import type { Detector } from '../model/index.js';
import { EvaluateMergeError, EvaluateOptionError, EvaluateRankError } from './eval-errors.js';
import { inferShare, type EvaluateProgress, type InferShareOptions } from './eval-infer.js';
import {
  detectionsJson,
  mergeRankDetections,
  type ImageDetections,
  type RankDetections,
} from './eval-merge.js';
import { metricsJson } from './eval-metrics.js';
import { parsePart, partDir, partJson, partName, partsPrefix, shareSizes } from './eval-parts.js';

/** Where the results file goes, relative to the run prefix (beside common/api's metricsObjectPath). */
export const detectionsObjectPath = 'eval/detections.json';

/** What the stage needs of the job's collective (worker/collective): the rounds, the barrier, the abort. */
export type EvaluateGroup = Pick<Collective, 'rank' | 'worldSize' | 'allReduceSum' | 'barrier' | 'abort'>;

export interface EvaluateStageOptions {
  /** The trained detector (its weights are only read). */
  detector: Detector;
  /** The run's effective config: `data.test_scale` and `data.size_divisor` make the test transform. */
  config: TrainingConfig;
  /** The val split's shards. */
  manifest: ShardManifest;
  source: DatasetSource;
  /** The val annotations (loadValGroundTruth reads the copy beside the shards). */
  groundTruth: LvisGroundTruth;
  /** Rooted at the run prefix (worker/checkpoint LocalCheckpointStore or S3CheckpointStore). */
  store: CheckpointStore;
  /** The ranks running the stage: the job's collective. @default one rank, no collective */
  group?: EvaluateGroup;
  /** Images per forward pass. @default 1 (mmdet's test batch; larger batches only group same-size images) */
  batchSize?: number;
  /**
   * Images per chunk of a rank's part, and so per round. @default 25 (LVIS v0.5 val on 8 ranks: 25 rounds,
   * each chunk about 0.7 MB at 300 detections an image; a report every 200 images)
   */
  chunkImages?: number;
  signal?: AbortSignal;
  /**
   * Images of the val split the group has inferred: after every batch on one rank, after every round on a
   * group (the same figures on every rank), and once with done = total when every rank is done.
   */
  onProgress?: (progress: EvaluateProgress) => void;
}

export interface EvaluateStageResult {
  /** The 13 metrics (rank 0; undefined on the other ranks). */
  metrics?: LvisMetrics;
  /** Images this rank inferred. */
  images: number;
  /** Locations written by this rank (store.locate). */
  written: string[];
}

/** The val annotations as prepared beside the shards (`annotations.json`, manifest.annotations.name). */
export async function loadValGroundTruth(
  manifest: ShardManifest,
  source: DatasetSource,
  signal?: AbortSignal,
): Promise<LvisGroundTruth> {
  const name = manifest.annotations.name;
  return readLvisGroundTruth(source.stream(name, signal), source.describe(name), { signal });
}

/** Detections and metrics from the merged parts, written detections first. */
async function writeEvaluation(
  options: EvaluateStageOptions,
  parts: readonly RankDetections[],
): Promise<{ metrics: LvisMetrics; written: string[] }> {
  const { store, signal } = options;
  const rows = mergeRankDetections(parts, options.manifest.totals.samples);
  const { metrics } = evaluateLvis(options.groundTruth, rows, { resultsSource: detectionsObjectPath });
  const metricsText = metricsJson(metrics);
  const encode = (text: string) => new TextEncoder().encode(text);
  await store.put(detectionsObjectPath, encode(detectionsJson(rows)), signal);
  await store.put(metricsObjectPath, encode(metricsText), signal);
  return { metrics, written: [store.locate(detectionsObjectPath), store.locate(metricsObjectPath)] };
}

function checkChunkImages(value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new EvaluateOptionError('chunkImages', value, 'a positive integer');
  }
  return value;
}

/** Runs the stage on one rank (see the header). */
export async function evaluateStage(options: EvaluateStageOptions): Promise<EvaluateStageResult> {
  const chunkImages = checkChunkImages(options.chunkImages ?? 25);
  const categoryIds = options.groundTruth.categories.map((c) => c.id).sort((a, b) => a - b);
  const infer = (rank: number, worldSize: number) => ({
    detector: options.detector,
    pipeline: testPipeline(options.config.data),
    manifest: options.manifest,
    source: options.source,
    categoryIds,
    rank,
    worldSize,
    batchSize: options.batchSize,
    signal: options.signal,
  });
  const group = options.group;
  if (group === undefined || group.worldSize === 1) {
    const images: ImageDetections[] = [];
    const count = await inferShare({
      ...infer(0, 1),
      onImages: (batch) => void images.push(...batch),
      onProgress: options.onProgress,
    });
    return { images: count, ...(await writeEvaluation(options, [{ rank: 0, worldSize: 1, images }])) };
  }
  return evaluateOnGroup(options, group, chunkImages, infer(group.rank, group.worldSize));
}

/** The first line of an error's message: the reason a failed rank gives the others. */
function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

/** A collective failure caused by another rank, as the EvaluateRankError naming it; anything else as is. */
function rankFailure(error: unknown, self: number): unknown {
  if (error instanceof PeerLostError && error.peer !== self) {
    return new EvaluateRankError(error.peer, error.reason, { cause: error });
  }
  if (error instanceof CollectiveAbortedError && error.abortedBy !== self) {
    return new EvaluateRankError(error.abortedBy, error.reason, { cause: error });
  }
  return error;
}

/**
 * Runs `work`; when it fails, tells the group (abort: the others fail at their next round naming this rank)
 * unless the group itself failed, and rethrows a failure of another rank as EvaluateRankError.
 */
async function asGroup<T>(group: EvaluateGroup, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof CollectiveError)) group.abort(firstLine(error));
    throw rankFailure(error, group.rank);
  }
}

/** Several ranks (see the header). */
async function evaluateOnGroup(
  options: EvaluateStageOptions,
  group: EvaluateGroup,
  chunkImages: number,
  infer: Omit<InferShareOptions, 'onImages'>,
): Promise<EvaluateStageResult> {
  const { store, signal, manifest } = options;
  const { rank, worldSize } = group;
  const call = signal === undefined ? {} : { signal };
  const total = manifest.totals.samples;
  const sizes = shareSizes(manifest, options.source, worldSize);
  const chunks = sizes.map((size) => Math.ceil(size / chunkImages));
  const rounds = Math.max(0, ...chunks);
  let done = 0;
  let chunk = 0;
  let roundsDone = 0;
  let pending: ImageDetections[] = [];
  // One round: the chunk is in place, then the group's count (exact in float32 below 2^24 images).
  const round = async (images: ImageDetections[] | undefined) => {
    if (images !== undefined) {
      const name = partName(rank, worldSize, chunk);
      await store.put(name, new TextEncoder().encode(partJson({ rank, worldSize, chunk, images })), signal);
      done += images.length;
      chunk += 1;
    }
    const [sum] = await group.allReduceSum(new Float32Array([done]), { ...call, wire: 'fp32' });
    roundsDone += 1;
    options.onProgress?.({ done: sum!, total });
  };
  await asGroup(group, async () => {
    // An earlier attempt's chunks of this rank would only confuse whoever lists eval/parts/.
    await store.remove(await store.list(partDir(rank, worldSize), signal), signal);
    options.onProgress?.({ done: 0, total });
    await inferShare({
      ...infer,
      onImages: async (images) => {
        pending.push(...images);
        while (pending.length >= chunkImages) {
          const full = pending.slice(0, chunkImages);
          pending = pending.slice(chunkImages);
          await round(full);
        }
      },
    });
    if (pending.length > 0) await round(pending);
    pending = [];
    // A rank out of chunks joins the rounds the others still have, with its final count.
    while (roundsDone < rounds) await round(undefined);
    await group.barrier(call);
  });
  const own = store.locate(partDir(rank, worldSize));
  if (rank !== 0) return { images: done, written: [own] };
  options.onProgress?.({ done: total, total });
  // The other ranks are past the barrier and leaving: a failure from here on is rank 0's alone.
  const parts: RankDetections[] = [];
  for (let r = 0; r < worldSize; r++) {
    const names = Array.from({ length: chunks[r]! }, (_, c) => partName(r, worldSize, c));
    const read = await Promise.all(names.map((name, c) => readChunk(store, name, r, c, signal)));
    parts.push({ rank: r, worldSize, images: read.flatMap((part) => part.images) });
  }
  const result = await writeEvaluation(options, parts);
  await store.remove(await store.list(partsPrefix, signal), signal);
  return { images: done, ...result };
}

/** Chunk `chunk` of rank `rank`, or the EvaluateMergeError naming that rank when it is missing or damaged. */
async function readChunk(
  store: CheckpointStore,
  name: string,
  rank: number,
  chunk: number,
  signal: AbortSignal | undefined,
) {
  const bytes = await store.get(name, signal).catch((error: unknown) => {
    if (!(error instanceof CheckpointObjectMissingError)) throw error;
    throw new EvaluateMergeError(rank, `${store.locate(name)} is missing`, 'the rank failed: see its log', {
      cause: error,
    });
  });
  return parsePart(new TextDecoder().decode(bytes), store.locate(name), rank, chunk);
}
