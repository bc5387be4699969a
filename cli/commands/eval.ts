import { Flags } from '@oclif/core';
import { loadLvisGroundTruth, loadLvisResults } from '../../common/index.js';
import {
  defaultEvalThreads,
  evaluateLvisFiles,
  formatLvisMetrics,
  type LvisEvaluation,
  type LvisMetrics,
} from '../../data/index.js';
import { BaclCommand } from '../base-command.js';
import { evalRequest } from '../eval/eval-request.js';
import { visualizeFlags, visualizeFromFlags } from '../eval/visualize-flags.js';

export default class Eval extends BaclCommand {
  static override summary =
    'Compute LVIS box AP (APr, APc, APf, AR@300, ...) for a detections file or an mmdetection checkpoint.';
  static override description =
    'Federated LVIS evaluation exactly as the official lvis package computes it (300 detections per image, ' +
    '101 recall points, -1 where a metric is undefined). The results file is the LVIS/COCO results format: ' +
    'a JSON list of {image_id, category_id, bbox: [x, y, w, h], score}, read as a stream. Detections on images ' +
    'or categories not in the ground truth are refused; boxes reaching past their image are evaluated as ' +
    'given and counted in a warning. Peak memory stays under 320 MiB + 1 KiB per image + 512 B per ' +
    'annotation + 160 B per detection + 32 KiB per category + 96 MiB per thread beyond the first + 128 B ' +
    'per detection of the largest category per thread (docs/adr/0030): about 0.7 GB for 5,000 images x 300 ' +
    'detections on 2 threads. With --weights, a published ' +
    'mmdetection checkpoint (its state_dict saved as safetensors) is loaded into the detector --config ' +
    'describes and run over the val shards of --data by --workers rank processes first; --out keeps ' +
    'eval/detections.json and eval/metrics.json. With --visualize DIR it also draws ' +
    'predictions beside ground truth on the first --images val images and per-category AP against training images ' +
    '(rare / common / frequent shaded), with --compare another run beside it (docs/adr/0032).';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --gt lvis_v1_val.json --results detections.json',
    '<%= config.bin %> <%= command.id %> --gt val.json --results detections.json -o json',
    '<%= config.bin %> <%= command.id %> --config lvis_v1 --weights bacl_r50_lvis_v1.safetensors --data data/lvis_v1/val --workers 2',
    '<%= config.bin %> <%= command.id %> --gt val.json --results detections.json --threads 1',
    '<%= config.bin %> <%= command.id %> --gt tiny/val.json --results run/eval/detections.json --visualize viz --compare baseline/eval/metrics.json',
  ];

  static override flags = {
    gt: Flags.string({
      description:
        'LVIS ground-truth annotations (v0.5 or v1 JSON); with --weights, default: the copy beside the shards',
    }),
    results: Flags.string({ description: 'detections in the LVIS results format (JSON list)' }),
    weights: Flags.string({
      description: 'an mmdetection checkpoint state_dict as .safetensors (path or s3:// URI) to evaluate',
    }),
    config: Flags.string({ description: 'with --weights: the config it was trained with (name or path)' }),
    data: Flags.string({
      description:
        'with --weights: the val shards (`baclctl data prepare` output: directory or s3:// prefix)',
    }),
    workers: Flags.integer({
      min: 1,
      description: 'with --weights: data-parallel rank processes (default 1)',
    }),
    out: Flags.string({
      description: 'with --weights: where eval/ and logs/ go (default: bacl-runs/eval-<weights name>)',
    }),
    threads: Flags.integer({
      min: 1,
      default: () => Promise.resolve(defaultEvalThreads()),
      defaultHelp: () => Promise.resolve('the cores available'),
      description:
        'threads for reading the results and the per-category work (the metrics are identical for every count)',
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
    const request = evalRequest(flags);
    let metrics: LvisMetrics;
    let evaluation: LvisEvaluation | undefined;
    if (request.kind === 'weights') {
      const { kind: _kind, ...options } = request;
      const io = { note: (text: string) => process.stderr.write(text), tty: process.stderr.isTTY === true };
      // Loaded only for --weights: the rank launcher and the run layout are half a second of start-up that a
      // plain results evaluation does not need (docs/adr/0039).
      const { evaluateWeights } = await import('../eval/weights-eval.js');
      const result = await evaluateWeights(options, io, this.interrupted);
      metrics = result.metrics;
      io.note(`Detections and metrics: ${result.out}/eval/\n`);
    } else {
      // One after the other: when both files are wrong, the error names --gt's every time (a race of the two
      // reads made it name either, and the CLI test flaky).
      const evaluated = await evaluateLvisFiles(request.gt, request.results, { threads: flags.threads });
      metrics = evaluated.metrics;
      evaluation = evaluated;
      const { outsideImage } = evaluated;
      if (outsideImage.count > 0) {
        this.warn(
          `${outsideImage.count} detections have a box reaching past their image (the first: ${request.results} ` +
            `[${outsideImage.first}]); evaluated as given, as the official package does. Boxes in the resized ` +
            "input's pixels rather than the original image's look like this.",
        );
      }
    }
    this.log(formatLvisMetrics(metrics, flags.output).trimEnd());
    if (flags.visualize !== undefined && evaluation !== undefined && request.kind === 'results') {
      // The pictures draw detections as objects: read once more, only when asked for (the evaluation above
      // streamed them into columns).
      const gt = await loadLvisGroundTruth(request.gt);
      const results = await loadLvisResults(request.results);
      await visualizeFromFlags(
        { ...flags, gt: request.gt, results: request.results },
        { gt, results, evaluation },
        {
          signal: () => this.interrupted,
          // With -o json, stdout stays the one metrics object.
          say: (line) => (flags.output === 'json' ? this.logToStderr(line) : this.log(line)),
        },
      );
    }
    return metrics;
  }
}
