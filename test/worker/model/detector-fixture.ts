// Shared set-up of the detector tests: the tiny config, a synthetic LVIS subset written to a temp dir by
// data/synth, and its train images decoded into SourceImages (classes = category ids in ascending order).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadTrainingConfig, type LvisGroundTruth, type TrainingConfig } from '../../../common/internal.js';
import { decodeJpeg, synthImagePath, writeSynthDataset } from '../../../data/internal.js';
import { classifierForStages, Detector, type SourceImage } from '../../../worker/internal.js';

export const tinyConfig = (sets: string[] = []): TrainingConfig =>
  loadTrainingConfig('tiny', { sets }).config;

/** The tiny config's detector (both stages' classifier), its weights drawn from `seed`. */
export function tinyDetector(seed: number): Detector {
  const config = tinyConfig();
  return new Detector({
    model: config.model,
    losses: config.losses,
    seed,
    classifier: classifierForStages(config.stages),
  });
}

export interface SynthImages {
  gt: LvisGroundTruth;
  images: SourceImage[];
  imageIds: number[];
  categoryIds: number[];
}

/** Writes a small synthetic subset into `dir` and decodes its train split. */
export async function synthTrainImages(
  dir: string,
  options: { images: number; categories: number; seed: number },
): Promise<SynthImages> {
  const summary = await writeSynthDataset(join(dir, 'synth'), {
    categories: options.categories,
    trainImages: options.images,
    valImages: 0,
    seed: options.seed,
    minImageSize: 96,
    maxImageSize: 128,
    maxCategoriesPerImage: 2,
  });
  const { gt, images } = await decodeSynthSplit(summary.files.train, summary.files.images, 'train');
  const categoryIds = gt.categories.map((c) => c.id).sort((a, b) => a - b);
  return { gt, images, imageIds: summary.plan.train.map((p) => p.id), categoryIds };
}

/**
 * A synthetic split's annotations and its images decoded into SourceImages, in the JSON's image order (the
 * generator's plan order); classes are category ids in ascending order.
 */
export async function decodeSynthSplit(
  annotationsPath: string,
  imagesDir: string,
  split: 'train' | 'val',
): Promise<{ gt: LvisGroundTruth; images: SourceImage[] }> {
  const gt = JSON.parse(await readFile(annotationsPath, 'utf8')) as LvisGroundTruth;
  const classOf = new Map(
    gt.categories
      .map((c) => c.id)
      .sort((a, b) => a - b)
      .map((id, index) => [id, index]),
  );
  const images = await Promise.all(
    gt.images.map(async (image) => {
      const decoded = await decodeJpeg(
        await readFile(join(imagesDir, synthImagePath({ id: image.id, split }))),
      );
      const annotations = gt.annotations.filter((a) => a.image_id === image.id);
      return {
        data: new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength),
        width: decoded.width,
        height: decoded.height,
        gtBoxes: Float32Array.from(annotations.flatMap(({ bbox: [x, y, w, h] }) => [x, y, x + w, y + h])),
        gtLabels: Int32Array.from(annotations.map((a) => classOf.get(a.category_id) ?? -1)),
      };
    }),
  );
  return { gt, images };
}
