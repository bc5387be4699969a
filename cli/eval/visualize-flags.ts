// The `--visualize` flags of `baclctl eval` and what the command does with them, kept here so the command file
// only spreads the flags and makes one call (docs/adr/0032).
import type { S3Client } from '@aws-sdk/client-s3';
import { Flags } from '@oclif/core';
import type { LvisDetection, LvisGroundTruth } from '../../common/index.js';
import { resolveS3ClientConfig, type LvisEvaluation } from '../../data/index.js';
import { cliError } from '../errors.js';
import type { VisualizeSummary } from './visualize.js';

/** A score threshold in [0, 1]. */
const scoreThreshold = Flags.custom<number>({
  // oclif awaits whatever parse returns; a plain function keeps the validation synchronous.
  parse: (text) => {
    const value = Number(text);
    if (text.trim() === '' || !(value >= 0 && value <= 1)) {
      throw cliError(`--score-thr ${text}: not a number in [0, 1]`, {
        code: 'USAGE',
        tryThis: 'e.g. --score-thr 0.3 (predictions scoring lower are not drawn)',
      });
    }
    return Promise.resolve(value);
  },
});

const helpGroup = 'VISUALIZE';

export const visualizeFlags = {
  visualize: Flags.string({
    helpValue: 'DIR',
    description:
      'write pictures to DIR: images/<id>.png (predictions beside ground truth), ap-vs-frequency.svg, per-category.json',
    helpGroup,
  }),
  images: Flags.integer({
    helpValue: 'N',
    min: 0,
    default: 8,
    description: 'val images drawn, the first by image id (0: the plot only)',
    helpGroup,
  }),
  'score-thr': scoreThreshold({
    helpValue: 'T',
    default: 0.3,
    description: 'smallest prediction score drawn',
    helpGroup,
  }),
  'images-from': Flags.string({
    dependsOn: ['visualize'],
    description:
      'the val images: shards (a directory or s3://bucket/prefix; S3 settings from AWS_*) or an images directory ' +
      '[default: the shards or images/ beside --gt]',
    helpGroup,
  }),
  'train-gt': Flags.string({
    dependsOn: ['visualize'],
    description:
      "the train annotations, for the plot's x (training images per category) [default: train.json beside a val.json --gt, else --gt's image_count]",
    helpGroup,
  }),
  compare: Flags.string({
    dependsOn: ['visualize'],
    description:
      'another run to plot against: its per-category.json, detections.json, metrics.json (uses the detections.json beside it) or output directory',
    helpGroup,
  }),
};

export interface VisualizeFlagValues {
  gt: string;
  results: string;
  visualize?: string;
  images: number;
  'score-thr': number;
  'images-from'?: string;
  'train-gt'?: string;
  compare?: string;
}

export interface EvaluatedRun {
  gt: LvisGroundTruth;
  results: readonly LvisDetection[];
  evaluation: LvisEvaluation;
}

/** Where the pictures went, one line each. */
export function visualizeReport(summary: VisualizeSummary): string[] {
  const lines = [
    `Wrote ${summary.plot} (x: ${summary.trainImagesFrom}${summary.compared === undefined ? '' : `; compared with ${summary.compared}`})`,
    `Wrote ${summary.perCategory}`,
  ];
  if (summary.images.length > 0) {
    lines.push(`Wrote ${summary.images.length} images (predictions | ground truth) to ${summary.imagesDir}/`);
  }
  return lines;
}

/**
 * Does what --visualize asks (nothing without it) and reports each file through `say`. `signal` is asked for
 * only then: the command's interrupt handlers are installed on first use.
 */
export async function visualizeFromFlags(
  flags: VisualizeFlagValues,
  run: EvaluatedRun,
  io: { signal: () => AbortSignal; say: (line: string) => void },
): Promise<VisualizeSummary | undefined> {
  if (flags.visualize === undefined) return undefined;
  const dir = flags.visualize;
  const signal = io.signal();
  // Loaded only when asked for: the drawing code, the S3 client and the task wrapper cost every plain
  // `baclctl eval` start-up time otherwise (docs/adr/0039).
  const [{ S3Client }, { runDataTask }, { writeEvalVisuals }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('../data-task.js'),
    import('./visualize.js'),
  ]);
  let s3: S3Client | undefined;
  try {
    const summary = await runDataTask(signal, () =>
      writeEvalVisuals({
        dir,
        gtFile: flags.gt,
        resultsFile: flags.results,
        ...run,
        images: flags.images,
        scoreThreshold: flags['score-thr'],
        imagesFrom: flags['images-from'],
        trainGt: flags['train-gt'],
        compare: flags.compare,
        s3: () => (s3 ??= new S3Client(resolveS3ClientConfig({}, process.env))),
        signal,
      }),
    );
    for (const line of visualizeReport(summary)) io.say(line);
    return summary;
  } finally {
    s3?.destroy();
  }
}
