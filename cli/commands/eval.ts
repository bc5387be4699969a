import { S3Client } from '@aws-sdk/client-s3';
import { Flags } from '@oclif/core';
import { loadLvisGroundTruth, loadLvisResults } from '../../common/index.js';
import {
  evaluateLvis,
  formatLvisMetrics,
  resolveS3ClientConfig,
  type LvisMetrics,
} from '../../data/index.js';
import { BaclCommand } from '../base-command.js';
import { runDataTask } from '../data-task.js';
import { cliError } from '../errors.js';
import { writeEvalVisuals, type VisualizeSummary } from '../eval/visualize.js';

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

export default class Eval extends BaclCommand {
  static override summary = 'Compute LVIS box AP (APr, APc, APf, AR@300, ...) for a detections file.';
  static override description =
    'Federated LVIS evaluation exactly as the official lvis package computes it (300 detections per image, ' +
    '101 recall points, -1 where a metric is undefined). The results file is the LVIS/COCO results format: ' +
    'a JSON list of {image_id, category_id, bbox: [x, y, w, h], score}. With --visualize DIR it also draws ' +
    'predictions beside ground truth on the first --images val images and per-category AP against training images ' +
    '(rare / common / frequent shaded), with --compare another run beside it (docs/adr/0032).';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --gt lvis_v1_val.json --results detections.json',
    '<%= config.bin %> <%= command.id %> --gt val.json --results detections.json -o json',
    '<%= config.bin %> <%= command.id %> --gt tiny/val.json --results run/eval/detections.json --visualize viz --compare baseline/eval/metrics.json',
  ];

  static override flags = {
    gt: Flags.string({ required: true, description: 'LVIS ground-truth annotations (v0.5 or v1 JSON)' }),
    results: Flags.string({
      required: true,
      description: 'detections in the LVIS results format (JSON list)',
    }),
    output: Flags.option({
      char: 'o',
      options: ['table', 'json'] as const,
      default: 'table',
      description: 'table (percentages, r/c/f grouped) or json (one object, lvis-api key names)',
    })(),
    visualize: Flags.string({
      helpValue: 'DIR',
      description:
        'write pictures to DIR: images/<id>.png (predictions beside ground truth), ap-vs-frequency.svg, per-category.json',
      helpGroup: 'VISUALIZE',
    }),
    images: Flags.integer({
      helpValue: 'N',
      min: 0,
      default: 8,
      description: 'val images drawn, the first by image id (0: the plot only)',
      helpGroup: 'VISUALIZE',
    }),
    'score-thr': scoreThreshold({
      helpValue: 'T',
      default: 0.3,
      description: 'smallest prediction score drawn',
      helpGroup: 'VISUALIZE',
    }),
    'images-from': Flags.string({
      dependsOn: ['visualize'],
      description:
        'the val images: shards (a directory or s3://bucket/prefix; S3 settings from AWS_*) or an images directory ' +
        '[default: the shards or images/ beside --gt]',
      helpGroup: 'VISUALIZE',
    }),
    'train-gt': Flags.string({
      dependsOn: ['visualize'],
      description:
        "the train annotations, for the plot's x (training images per category) [default: train.json beside a val.json --gt, else --gt's image_count]",
      helpGroup: 'VISUALIZE',
    }),
    compare: Flags.string({
      dependsOn: ['visualize'],
      description:
        'another run to plot against: its per-category.json, detections.json, metrics.json (uses the detections.json beside it) or output directory',
      helpGroup: 'VISUALIZE',
    }),
  };

  async run(): Promise<LvisMetrics> {
    const { flags } = await this.parse(Eval);
    // One after the other: when both files are wrong, the error names --gt's every time (a race of the two
    // reads made it name either, and the CLI test flaky).
    const gt = await loadLvisGroundTruth(flags.gt);
    const results = await loadLvisResults(flags.results);
    const evaluation = evaluateLvis(gt, results);
    const { metrics } = evaluation;
    this.log(formatLvisMetrics(metrics, flags.output).trimEnd());
    if (flags.visualize !== undefined) {
      const dir = flags.visualize;
      const signal = this.interrupted;
      let s3: S3Client | undefined;
      try {
        const summary = await runDataTask(signal, () =>
          writeEvalVisuals({
            dir,
            gtFile: flags.gt,
            resultsFile: flags.results,
            gt,
            results,
            evaluation,
            images: flags.images,
            scoreThreshold: flags['score-thr'],
            imagesFrom: flags['images-from'],
            trainGt: flags['train-gt'],
            compare: flags.compare,
            s3: () => (s3 ??= new S3Client(resolveS3ClientConfig({}, process.env))),
            signal,
          }),
        );
        // With -o json, stdout stays the one metrics object.
        const say = (line: string) => (flags.output === 'json' ? this.logToStderr(line) : this.log(line));
        for (const line of visualizeReport(summary)) say(line);
      } finally {
        s3?.destroy();
      }
    }
    return metrics;
  }
}

/** Where the pictures went, one line each. */
function visualizeReport(summary: VisualizeSummary): string[] {
  const lines = [
    `Wrote ${summary.plot} (x: ${summary.trainImagesFrom}${summary.compared === undefined ? '' : `; compared with ${summary.compared}`})`,
    `Wrote ${summary.perCategory}`,
  ];
  if (summary.images.length > 0) {
    lines.push(`Wrote ${summary.images.length} images (predictions | ground truth) to ${summary.imagesDir}/`);
  }
  return lines;
}
