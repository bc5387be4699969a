// The weights an evaluate-only run evaluates when BACL_WEIGHTS names them (issue #14 point 3, `baclctl eval
// --weights`): an mmdetection state dict saved as safetensors, a local path or an s3:// URI, read whole by every
// rank (so any world size evaluates the same model) and assigned to the whole detector
// (model/detector-mmdet.ts). Without BACL_WEIGHTS the evaluate-only path reads the last training stage's
// checkpoint instead (run-rank.ts).
import { basename, dirname } from 'node:path';
import { readLvisGroundTruth, type LvisGroundTruth } from '../../common/index.js';
import type { DatasetSource } from '../../data/index.js';
import { loadMmdetDetector, type Detector } from '../model/index.js';
import { readSafetensors, type ImportReport } from '../model/weights/index.js';
import { RankStateError } from './errors.js';
import { readWeightsFile } from './pretrained.js';

export interface LoadEvalWeightsOptions {
  /** Reads S3 locations; a local path needs none. */
  openSource?: (location: string) => DatasetSource;
  signal?: AbortSignal;
}

/** Reads `location` and assigns the whole detector from it; throws before assigning anything if it does not fit. */
export async function loadEvalWeights(
  detector: Detector,
  location: string,
  options: LoadEvalWeightsOptions = {},
): Promise<ImportReport & { location: string }> {
  const bytes = await readWeightsFile(
    location,
    options,
    (why, error) =>
      new RankStateError(
        `BACL_WEIGHTS ${location}: cannot read it (${why}). Try this: name a .safetensors file every rank can ` +
          'read (a path on this machine or an s3:// URI)',
        { cause: error },
      ),
  );
  const report = loadMmdetDetector(detector, readSafetensors(bytes, location));
  return { ...report, location };
}

/** One log line: what was loaded, and each kind of tensor skipped on purpose with why. */
export function describeLoaded(loaded: ImportReport & { location: string }): string {
  const reasons = new Map<string, number>();
  for (const { reason } of loaded.ignored) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  const skipped = [...reasons].map(([reason, count]) => `${count} ignored: ${reason}`);
  return `Loaded ${loaded.loaded.length} tensors from ${loaded.location}${skipped.map((s) => `; ${s}`).join('')}`;
}

/** Ground truth from a file named by BACL_EVAL_GT (a path or s3:// URI) instead of the copy beside the shards. */
export async function readGroundTruthFile(
  openSource: (location: string) => DatasetSource,
  location: string,
  signal?: AbortSignal,
): Promise<LvisGroundTruth> {
  const source = openSource(dirname(location));
  const name = basename(location);
  return readLvisGroundTruth(source.stream(name, signal), source.describe(name), { signal });
}
