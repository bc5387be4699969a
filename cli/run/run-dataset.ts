// The data a `baclctl run` trains and evaluates on, as prepared shards (what the ranks read):
// - a synthetic config (`data.synth`): generated once into $BACL_CACHE_DIR/datasets/synth-<recipe digest>/ and
//   prepared there into shards (train with polygons when stage 1 crops by masks), all reused by later runs;
// - an LVIS config: shards already prepared under `data_root` (train/ and val/, `baclctl data prepare`).
// Each preparation writes to a temporary directory renamed into place, so a killed run never leaves a
// half-prepared cache that a later run would trust.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { TrainingConfig } from '../../common/index.js';
import { ensureSynthDataset, prepareShards, synthOptionsFromConfig } from '../../data/index.js';
import { cliError } from '../errors.js';

export interface RunDataset {
  train: string;
  val: string;
  /** What was made this time (for the log), empty when everything was cached. */
  made: string[];
}

const manifest = (dir: string) => join(dir, 'manifest.json');

async function prepareOnce(
  dir: string,
  options: { annotations: string; images: string; keepSegmentation: boolean; signal?: AbortSignal },
): Promise<boolean> {
  if (existsSync(manifest(dir))) return false;
  const temporary = `${dir}.tmp-${process.pid}`;
  await rm(temporary, { recursive: true, force: true });
  await prepareShards({
    annotations: options.annotations,
    images: options.images,
    out: temporary,
    keepSegmentation: options.keepSegmentation,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  await rm(dir, { recursive: true, force: true });
  await rename(temporary, dir);
  return true;
}

export async function ensureRunDataset(
  config: TrainingConfig,
  cacheDir: string,
  signal?: AbortSignal,
): Promise<RunDataset> {
  const synth = config.data.synth;
  if (synth === undefined) {
    const root = resolve(config.data.data_root);
    const train = join(root, 'train');
    const val = join(root, 'val');
    const missing = [train, val].filter((dir) => !existsSync(manifest(dir)));
    if (missing.length > 0) {
      throw cliError(
        `no prepared shards at ${missing.join(' and ')} (data.data_root = ${config.data.data_root})`,
        {
          code: 'NOT_FOUND',
          tryThis:
            `baclctl data prepare --annotations <lvis train json> --images <images> --out ${train} ` +
            `--keep-segmentation (and the same for val into ${val}), or --set data.data_root=<dir with train/ and val/>`,
        },
      );
    }
    return { train, val, made: [] };
  }
  const options = synthOptionsFromConfig(synth);
  const key = createHash('sha256').update(JSON.stringify(options)).digest('hex').slice(0, 16);
  const dir = join(cacheDir, 'datasets', `synth-${key}`);
  await mkdir(dir, { recursive: true });
  const made: string[] = [];
  const raw = await ensureSynthDataset(join(dir, 'synth'), options);
  if (raw.created) made.push(`synthetic dataset ${raw.dir}`);
  const keepSegmentation = config.data.representation_pipeline !== undefined;
  const train = join(dir, keepSegmentation ? 'shards-train-masks' : 'shards-train');
  const val = join(dir, 'shards-val');
  const common = { images: raw.files.images, ...(signal === undefined ? {} : { signal }) };
  if (await prepareOnce(train, { ...common, annotations: raw.files.train, keepSegmentation }))
    made.push(`shards ${train}`);
  if (await prepareOnce(val, { ...common, annotations: raw.files.val, keepSegmentation: false }))
    made.push(`shards ${val}`);
  return { train, val, made };
}
