// Training throughput (issue #13 benchmarks): `baclctl run` of the tiny and small configs with 1 and 2 rank
// processes, on wasm and (where scripts/tf-native.sh installed it) the native backend, all in one run. Each run
// trains a short schedule of both stages from a fresh --out (the dataset is cached), so the figures are
// steady-state images/s per stage as the run summary reports them (all ranks together), the scaling efficiency
// ips(2 ranks) / (2 x ips(1 rank)) (goal >= 85% with a core per rank), and the share of step time rank 0 spent
// in the two all-reduces (which includes waiting for the slower rank) and waiting for data.
//
// BACL_BENCH_TRAIN_CONFIGS (default tiny,small), BACL_BENCH_TRAIN_BACKENDS (default wasm,tensorflow),
// BACL_BENCH_TRAIN_STEPS (stage-1 steps, default 60; stage 2 runs half) narrow or lengthen it.
import { join } from 'node:path';
import { runLocal, type LocalRunResult } from '../cli/internal.js';
import { makeWorkDir } from '../test/harness/workdir.js';
import { nativeInstall } from '../worker/internal.js';
import type { Benchmark, BenchFigure } from './benchmark.js';

const list = (value: string | undefined, fallback: string[]) => (value ? value.split(',') : fallback);

const benchmark: Benchmark = {
  title: 'Training throughput: baclctl run, 1 and 2 ranks, wasm and native',
  async run({ signal, log }) {
    const configs = list(process.env.BACL_BENCH_TRAIN_CONFIGS, ['tiny', 'small']);
    const backends = list(process.env.BACL_BENCH_TRAIN_BACKENDS, ['wasm', 'tensorflow']).filter(
      (backend) => backend !== 'tensorflow' || nativeInstall().installed,
    );
    const steps = Number(process.env.BACL_BENCH_TRAIN_STEPS ?? 60);
    const figures: BenchFigure[] = [];
    const rows: string[] = [];
    for (const config of configs) {
      for (const backend of backends) {
        const byWorkers = new Map<number, LocalRunResult>();
        for (const workers of [1, 2]) {
          const out = join(makeWorkDir(`bench-train-${config}`), 'out');
          const half = Math.max(1, Math.floor(steps / 2));
          const result = await runLocal(
            {
              config,
              workers,
              backend,
              out,
              fresh: true,
              sets: [
                `schedule.representation.iterations=${steps}`,
                `schedule.representation.warmup_iters=${Math.min(10, steps)}`,
                `schedule.representation.lr_steps=[${steps}]`,
                `schedule.classifier.iterations=${half}`,
                `schedule.classifier.lr_steps=[${half}]`,
                `checkpoint.every_steps=${steps}`,
              ],
            },
            { note: () => undefined, tty: false },
            signal,
          );
          byWorkers.set(workers, result);
          for (const stage of result.summary.stages) {
            if (stage.name === 'evaluate') continue;
            const row =
              `${config} ${backend} ${workers} rank(s) ${stage.name}: ${stage.imagesPerSecond.toFixed(2)} images/s, ` +
              `all-reduce ${(100 * stage.commShare).toFixed(1)}%, data ${(100 * stage.dataShare).toFixed(1)}% of step time`;
            rows.push(row);
            log(row);
            figures.push({
              name: `${config} ${backend} ${workers}r ${stage.name}`,
              value: stage.imagesPerSecond,
              unit: 'images/s',
            });
          }
        }
        const one = byWorkers.get(1)!.summary.stages;
        const two = byWorkers.get(2)!.summary.stages;
        for (const stage of ['representation', 'classifier']) {
          const a = one.find((s) => s.name === stage)!.imagesPerSecond;
          const b = two.find((s) => s.name === stage)!.imagesPerSecond;
          figures.push({
            name: `${config} ${backend} scaling ${stage}`,
            value: (100 * b) / (2 * a),
            unit: '% (2 ranks vs 2 x 1 rank)',
            ratio: { value: b / a, against: '1 rank' },
          });
        }
      }
    }
    log(JSON.stringify({ trainThroughput: rows }));
    return figures;
  },
};

export default benchmark;
