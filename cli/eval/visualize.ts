// `baclctl eval --visualize DIR`: writes DIR/per-category.json (this run's AP per category), DIR/ap-vs-frequency.svg
// (per-category AP against training images, with --compare the other run's points too) and DIR/images/<id>.png
// (predictions beside ground truth on the first --images val images by id). docs/adr/0032 has the choices.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { LvisDetection, LvisGroundTruth, LvisImage } from '../../common/index.js';
import {
  apVsFrequencySvg,
  formatPerCategoryFile,
  groundTruthToDraw,
  imageLocationKind,
  LVIS_METRIC_KEYS,
  perCategoryAp,
  perCategoryFileName,
  predictionsToDraw,
  readImages,
  renderDetectionPanels,
  VisualizeError,
  type LvisEvaluation,
  type LvisMetrics,
  type PlotRun,
} from '../../data/index.js';
import { loadComparedRun } from './compare-run.js';
import { trainCounts, trainFileFor } from './train-counts.js';

export interface VisualizeOptions {
  dir: string;
  gtFile: string;
  resultsFile: string;
  gt: LvisGroundTruth;
  results: readonly LvisDetection[];
  evaluation: Pick<LvisEvaluation, 'arrays' | 'categoryIds' | 'metrics'>;
  /** Val images drawn (the first by id). */
  images: number;
  scoreThreshold: number;
  /** Shards or images directory; undefined: next to --gt (see defaultImageLocation). */
  imagesFrom?: string;
  trainGt?: string;
  compare?: string;
  /** Made on demand for an s3:// image location. */
  s3?: () => S3Client;
  signal?: AbortSignal;
}

export interface VisualizeSummary {
  perCategory: string;
  plot: string;
  /** The PNGs written, in image id order, into imagesDir. */
  images: string[];
  imagesDir: string;
  /** Where the x values came from. */
  trainImagesFrom: string;
  trainCountsFromTrain: boolean;
  /** The other run's file, with --compare. */
  compared?: string;
}

/**
 * Where the pixels are when --images-from is not given: beside a shard dataset's annotations.json (the --gt
 * of `baclctl data prepare` output) or in `images/` beside the --gt file (the synthetic layout).
 */
export function defaultImageLocation(gtFile: string): string | undefined {
  const dir = dirname(gtFile);
  if (imageLocationKind(dir) === 'shards') return dir;
  const images = join(dir, 'images');
  return existsSync(images) ? images : undefined;
}

/** The first `count` images by id. */
export function chooseImages(gt: LvisGroundTruth, count: number): LvisImage[] {
  return [...gt.images].sort((a, b) => a.id - b.id).slice(0, count);
}

function groupBy<T extends { image_id: number }>(items: readonly T[]): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    let group = groups.get(item.image_id);
    if (group === undefined) groups.set(item.image_id, (group = []));
    group.push(item);
  }
  return groups;
}

function metricsRecord(metrics: LvisMetrics): Record<string, number> {
  return Object.fromEntries(LVIS_METRIC_KEYS.map((key) => [key, metrics[key]]));
}

const percent = (value: number | undefined) =>
  value === undefined || value === -1 ? '-' : (value * 100).toFixed(1);

/** A legend entry: the file and its AP, overall and by group. */
function runLabel(file: string, metrics: Readonly<Record<string, number>>): string {
  return `${file}: AP ${percent(metrics.AP)} (r ${percent(metrics.APr)} / c ${percent(metrics.APc)} / f ${percent(metrics.APf)})`;
}

/** The chosen images and their JPEGs, read before anything is written (a wrong location fails first). */
async function loadImages(
  options: VisualizeOptions,
): Promise<{ chosen: LvisImage[]; jpegs: Map<number, Buffer> }> {
  const chosen = chooseImages(options.gt, options.images);
  if (chosen.length === 0) return { chosen, jpegs: new Map() };
  const location = options.imagesFrom ?? defaultImageLocation(options.gtFile);
  if (location === undefined) {
    throw new VisualizeError(
      `--visualize: no val images beside ${options.gtFile} (no shards manifest, no images/ directory)`,
      'usage',
      'pass --images-from <shards dir | s3://bucket/prefix | images dir>, or --images 0 for the plot only',
    );
  }
  const s3 = location.startsWith('s3://') ? options.s3?.() : undefined;
  return { chosen, jpegs: await readImages(location, chosen, { s3, signal: options.signal }) };
}

async function drawImages(
  options: VisualizeOptions,
  { chosen, jpegs }: { chosen: LvisImage[]; jpegs: Map<number, Buffer> },
  names: Map<number, string>,
  outDir: string,
): Promise<string[]> {
  if (chosen.length === 0) return [];
  const detections = groupBy(options.results);
  const annotations = groupBy(options.gt.annotations);
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const image of chosen) {
    options.signal?.throwIfAborted();
    const predictions = predictionsToDraw(detections.get(image.id) ?? [], names, {
      scoreThreshold: options.scoreThreshold,
    });
    const truth = groundTruthToDraw(annotations.get(image.id) ?? [], names);
    const { png } = await renderDetectionPanels({
      imageId: image.id,
      jpeg: jpegs.get(image.id)!,
      width: image.width,
      height: image.height,
      predictions,
      groundTruth: truth,
      titles: [
        `predictions, score >= ${options.scoreThreshold} (${predictions.length})`,
        `ground truth (${truth.length})`,
      ],
    });
    const file = join(outDir, `${String(image.id).padStart(12, '0')}.png`);
    await writeFile(file, png);
    written.push(file);
  }
  return written;
}

/** Writes the pictures and per-category.json (see the file comment). */
export async function writeEvalVisuals(options: VisualizeOptions): Promise<VisualizeSummary> {
  const { gt, dir, signal } = options;
  // Every input first, so a wrong flag leaves nothing half-written.
  const other =
    options.compare === undefined ? undefined : await loadComparedRun(options.compare, gt, signal);
  const pictures = await loadImages(options);
  const counts = await trainCounts(gt, options.gtFile, trainFileFor(options.gtFile, options.trainGt), signal);
  await mkdir(dir, { recursive: true });
  const names = new Map(gt.categories.map((category) => [category.id, category.name]));
  const apById = new Map(perCategoryAp(options.evaluation).map(({ id, ap }) => [id, ap]));
  const categories = [...gt.categories]
    .sort((a, b) => a.id - b.id)
    .map((category) => ({
      id: category.id,
      name: category.name,
      frequency: category.frequency,
      trainImages: counts.counts.get(category.id) ?? 0,
      ap: apById.get(category.id) ?? -1,
    }));
  const perCategory = join(dir, perCategoryFileName);
  await writeFile(
    perCategory,
    formatPerCategoryFile({
      groundTruth: options.gtFile,
      results: options.resultsFile,
      trainImagesFrom: counts.source,
      metrics: metricsRecord(options.evaluation.metrics),
      categories,
    }),
  );

  const runs: PlotRun[] = [
    { label: runLabel(options.resultsFile, metricsRecord(options.evaluation.metrics)), ap: apById },
  ];
  if (other !== undefined) runs.push({ label: runLabel(other.file, other.metrics), ap: other.ap });
  const plot = join(dir, 'ap-vs-frequency.svg');
  const undefinedCount = categories.filter((category) => !(category.ap > -1)).length;
  await writeFile(
    plot,
    apVsFrequencySvg(categories, runs, {
      subtitle:
        `${categories.length - undefinedCount} of ${categories.length} categories with val ground truth; ` +
        `x: ${counts.fromTrain ? 'training images, from ' + counts.source : counts.source}`,
      xLabel: counts.fromTrain
        ? 'training images with the category (log scale)'
        : `images with the category in ${basename(options.gtFile)} (log scale; not training images)`,
    }),
  );
  const imagesDir = join(dir, 'images');
  const images = await drawImages(options, pictures, names, imagesDir);
  return {
    perCategory,
    plot,
    images,
    imagesDir,
    trainImagesFrom: counts.source,
    trainCountsFromTrain: counts.fromTrain,
    ...(other === undefined ? {} : { compared: other.file }),
  };
}
