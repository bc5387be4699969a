// Stage 1's ImageNet initialisation (spec 1.2: `pretrained: torchvision://resnet50`) when a config names one.
// mmdet downloads torchvision's .pth; bacl reads the same tensors as safetensors (no pickle, no torch):
//
//   torchvision://resnet50  ->  $BACL_CACHE_DIR/pretrained/resnet50.safetensors (default ~/.cache/bacl)
//   /path/to/file.safetensors or s3://bucket/key.safetensors  ->  that object
//
// Every rank reads the same object, so every rank starts from the same weights (the trainer checks it).
// `pretrainedHint` is the two lines of Python that make the cached file from torchvision.
import { basename, dirname, join } from 'node:path';
import { baclCacheDir } from '../../common/index.js';
import { openDatasetSource, type DatasetSource } from '../../data/index.js';
import type { Detector } from '../model/detector.js';
import { importTorchvisionResNet, readSafetensors, type ImportReport } from '../model/weights/index.js';
import { RankStateError } from './errors.js';

const TORCHVISION = 'torchvision://';

/** Where `pretrained` is read from: a local path or an s3:// URI. */
export function pretrainedLocation(pretrained: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!pretrained.startsWith(TORCHVISION)) return pretrained;
  const arch = pretrained.slice(TORCHVISION.length);
  if (!/^resnet(50|101)$/.test(arch)) {
    throw new RankStateError(
      `model.backbone.pretrained ${pretrained}: only torchvision://resnet50 and torchvision://resnet101 are known. ` +
        'Try this: name a .safetensors file (a path or an s3:// URI) instead',
    );
  }
  return join(baclCacheDir(env), 'pretrained', `${arch}.safetensors`);
}

/** How to make the cached file on a machine with torchvision. */
export function pretrainedHint(pretrained: string, location: string): string {
  const arch = pretrained.startsWith(TORCHVISION) ? pretrained.slice(TORCHVISION.length) : 'resnet50';
  return (
    `Try this (on any machine with torch, torchvision and safetensors; then copy the file to ${location}):\n` +
    `  python -c "import torchvision, safetensors.torch as st; ` +
    `st.save_file(torchvision.models.${arch}(weights='IMAGENET1K_V1').state_dict(), '${basename(location)}')"`
  );
}

/**
 * Reads a whole weights file (a local path, or an s3:// URI through `openSource`); a failure other than an abort
 * becomes `failure(why, error)`, the caller's error naming what the file was for.
 */
export async function readWeightsFile(
  location: string,
  options: { openSource?: (location: string) => DatasetSource; signal?: AbortSignal },
  failure: (why: string, error: unknown) => Error,
): Promise<Uint8Array> {
  const source = (options.openSource ?? ((dir: string) => openDatasetSource(dir)))(dirname(location));
  try {
    return await source.read(basename(location), options.signal);
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') throw error;
    throw failure(error instanceof Error ? error.message : String(error), error);
  }
}

export interface LoadPretrainedOptions {
  /** Reads S3 locations; a local path needs none. */
  openSource?: (location: string) => DatasetSource;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

/** Assigns the backbone's weights from `pretrained`; everything else keeps its seeded initialisation. */
export async function loadPretrainedBackbone(
  detector: Detector,
  pretrained: string,
  options: LoadPretrainedOptions = {},
): Promise<ImportReport & { location: string }> {
  const location = pretrainedLocation(pretrained, options.env);
  const bytes = await readWeightsFile(
    location,
    options,
    (why, error) =>
      new RankStateError(
        `model.backbone.pretrained ${pretrained}: cannot read ${location} (${why}).\n${pretrainedHint(pretrained, location)}`,
        { cause: error },
      ),
  );
  const report = importTorchvisionResNet(detector.weightTargets(), readSafetensors(bytes, location));
  return { ...report, location };
}
