import { Flags } from '@oclif/core';
import { loadLvisGroundTruth, loadLvisResults } from '../../common/index.js';
import { evaluateLvis, formatLvisMetrics, type LvisMetrics } from '../../data/index.js';
import { BaclCommand } from '../base-command.js';
import { visualizeFlags, visualizeFromFlags } from '../eval/visualize-flags.js';

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
    ...visualizeFlags,
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
    await visualizeFromFlags(
      flags,
      { gt, results, evaluation },
      {
        signal: () => this.interrupted,
        // With -o json, stdout stays the one metrics object.
        say: (line) => (flags.output === 'json' ? this.logToStderr(line) : this.log(line)),
      },
    );
    return metrics;
  }
}
