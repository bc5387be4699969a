import { Args, Flags } from '@oclif/core';
import { formatLvisMetrics } from '../../data/index.js';
import { BaclCommand } from '../base-command.js';
import { runLocal, type LocalRunResult } from '../run/local-run.js';

export default class Run extends BaclCommand {
  static override summary = 'Train and evaluate a config on this machine, no cluster (the embedded default).';
  static override description =
    'The same training a BaclJob runs, on this machine: every stage of the config, then evaluation on its val ' +
    'split, with --workers data-parallel rank processes (one core each on wasm) over local sockets, or over ' +
    'NATS with --nats. A synthetic config (tiny, small) generates and caches its dataset first (under ' +
    '$BACL_CACHE_DIR, default ~/.cache/bacl). --out holds config.yaml, checkpoints/<stage>/, eval/detections.json ' +
    'and eval/metrics.json, tb/ and logs/; rerunning with the same --out resumes from the last checkpoint, ' +
    '--fresh starts over. Prints the LVIS AP table (AP, APr, APc, APf, ...), or one JSON object with -o json.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> tiny --workers 2',
    '<%= config.bin %> <%= command.id %> small --workers 2 --out runs/small -o json',
    '<%= config.bin %> <%= command.id %> tiny --set schedule.representation.iterations=200 --set schedule.representation.lr_steps=[160] --fresh',
  ];

  static override args = {
    config: Args.string({
      required: true,
      description: 'config name in configs/ (tiny, small, lvis_v1, ...) or path',
    }),
  };

  static override flags = {
    workers: Flags.integer({
      default: 1,
      min: 1,
      description: 'data-parallel rank processes on this machine',
    }),
    out: Flags.string({ description: 'run directory (default: bacl-runs/<config>)' }),
    backend: Flags.option({
      options: ['auto', 'tensorflow', 'wasm', 'cpu'] as const,
      description: 'tfjs backend of the ranks (default: BACL_TF_BACKEND, else auto)',
    })(),
    set: Flags.string({ multiple: true, default: [], description: 'config override a.b=c (repeatable)' }),
    nats: Flags.string({
      description: 'NATS URL: the ranks all-reduce over this server instead of local sockets',
    }),
    s3: Flags.string({
      description: 's3://bucket/prefix for checkpoints, eval/ and logs (AWS_* settings), instead of --out',
    }),
    fresh: Flags.boolean({
      default: false,
      description: "clear --out's checkpoints and results, start over",
    }),
    output: Flags.option({
      char: 'o',
      options: ['table', 'json'] as const,
      default: 'table',
      description: 'table (the AP table) or json ({backend, workers, stages, metrics, out})',
    })(),
  };

  async run(): Promise<Omit<LocalRunResult, 'summary'>> {
    const { args, flags } = await this.parse(Run);
    const result = await runLocal(
      {
        config: args.config,
        sets: flags.set,
        workers: flags.workers,
        out: flags.out ?? `bacl-runs/${args.config.replace(/^.*\//, '').replace(/\.ya?ml$/, '')}`,
        fresh: flags.fresh,
        ...(flags.backend === undefined ? {} : { backend: flags.backend }),
        ...(flags.nats === undefined ? {} : { nats: flags.nats }),
        ...(flags.s3 === undefined ? {} : { s3: flags.s3 }),
      },
      { note: (text) => process.stderr.write(text), tty: process.stderr.isTTY === true },
      this.interrupted,
    );
    const { summary: _summary, ...printed } = result;
    if (flags.output === 'json') this.log(JSON.stringify(printed));
    else {
      for (const stage of result.stages) {
        this.log(
          `${stage.name.padEnd(14)} ${String(stage.iterations).padStart(6)} steps  ${stage.seconds.toFixed(1).padStart(7)} s  ` +
            `${stage.imagesPerSecond.toFixed(2)} images/s`,
        );
      }
      this.log(formatLvisMetrics(result.metrics, 'table').trimEnd());
      this.log(`Run directory: ${result.out}`);
    }
    return printed;
  }
}
