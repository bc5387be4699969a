// The evaluate stage (issue #13 point 5; shared/design.md step 4): inference over the val split and the LVIS
// box metrics, written under the run prefix as `eval/detections.json` (the LVIS results format) and then
// `eval/metrics.json` (metrics-last: a metrics.json in place means its detections.json is complete). The
// metrics come from evaluateLvis, the evaluator `baclctl eval` runs, on exactly the rows written, so
// `baclctl eval --gt <val> --results eval/detections.json -o json` prints metrics.json's bytes.
// One rank: infer the share (all of val), merge, write. Several ranks (issue #14 point 1): each infers its
// disjoint share and writes its part (eval-parts.ts); after `barrier` (every rank's part is in place: the
// collective's barrier, to come with #14) rank 0 reads the parts, merges them, writes both files and removes
// the parts. The merge makes the files byte-identical whatever the world size (eval-merge.ts).
import {
  metricsObjectPath,
  readLvisGroundTruth,
  type LvisGroundTruth,
  type TrainingConfig,
} from '../../common/index.js';
import { evaluateLvis, type DatasetSource, type LvisMetrics, type ShardManifest } from '../../data/index.js';
import { CheckpointObjectMissingError, type CheckpointStore } from '../checkpoint/index.js';
import { testPipeline } from '../data/index.js';
import type { Detector } from '../model/index.js';
import { EvaluateMergeError, EvaluateOptionError } from './eval-errors.js';
import { inferShare, type EvaluateProgress } from './eval-infer.js';
import { detectionsJson, mergeRankDetections, type RankDetections } from './eval-merge.js';
import { metricsJson } from './eval-metrics.js';
import { parsePart, partJson, partName } from './eval-parts.js';

/** Where the results file goes, relative to the run prefix (beside common/api's metricsObjectPath). */
export const detectionsObjectPath = 'eval/detections.json';

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
  /** @default 0 */
  rank?: number;
  /** @default 1 */
  worldSize?: number;
  /** Images per forward pass. @default 1 (mmdet's test batch; larger batches only group same-size images) */
  batchSize?: number;
  /** Resolves once every rank has written its part; required when worldSize > 1. */
  barrier?: (signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
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

/** Runs the stage on one rank (see the header). */
export async function evaluateStage(options: EvaluateStageOptions): Promise<EvaluateStageResult> {
  const { store, signal, rank = 0, worldSize = 1 } = options;
  if (worldSize > 1 && options.barrier === undefined) {
    throw new EvaluateOptionError(
      'barrier',
      undefined,
      `a barrier across the ${worldSize} ranks (worldSize > 1)`,
    );
  }
  const categoryIds = options.groundTruth.categories.map((c) => c.id).sort((a, b) => a - b);
  const share = await inferShare({
    detector: options.detector,
    pipeline: testPipeline(options.config.data),
    manifest: options.manifest,
    source: options.source,
    categoryIds,
    rank,
    worldSize,
    batchSize: options.batchSize,
    signal,
    onProgress: options.onProgress,
  });
  if (worldSize === 1) {
    return { images: share.images.length, ...(await writeEvaluation(options, [share])) };
  }
  const own = partName(rank, worldSize);
  await store.put(own, new TextEncoder().encode(partJson(share)), signal);
  await options.barrier!(signal);
  if (rank !== 0) return { images: share.images.length, written: [store.locate(own)] };
  const names = Array.from({ length: worldSize }, (_, r) => partName(r, worldSize));
  const parts = await Promise.all(
    names.map(async (name, r) => {
      const bytes = await store.get(name, signal).catch((error: unknown) => {
        if (!(error instanceof CheckpointObjectMissingError)) throw error;
        throw new EvaluateMergeError(r, `${store.locate(name)} is missing`, 'the rank failed: see its log', {
          cause: error,
        });
      });
      return parsePart(new TextDecoder().decode(bytes), store.locate(name), r);
    }),
  );
  const result = await writeEvaluation(options, parts);
  await store.remove(names, signal);
  return { images: share.images.length, ...result };
}
