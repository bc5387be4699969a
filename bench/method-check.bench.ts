// The method check (issue #13, `npm run bench:method`): on the small config (48 long-tailed synthetic
// categories), the same seeds and the same total steps for three recipes, each trained and evaluated by
// `baclctl run --workers 2`:
//   baseline  softmax CE, one stage of 2600 steps (configs/small_baseline.yaml, spec 1.5);
//   stage 1   BCE representation learning alone, 2600 steps (spec 1.3, then evaluated as it is);
//   BACL      stage 1 (2000 steps) then stage 2 with FCBL and FHM (600 steps): small.yaml.
// It prints AP, APr, APc and APf per recipe as mean and standard deviation over the seeds, as the markdown
// table docs/benchmarks.md holds. The paper's claim: BACL lifts APr the most.
//
// BACL_BENCH_METHOD_SEEDS (default 0,1,2) and BACL_BENCH_METHOD_SCALE (a fraction of every schedule, default 1;
// a smaller one is a quick look, not the check) change it; BACL_BENCH_METHOD_BACKEND picks the backend.
import { join } from 'node:path';
import { runLocal } from '../cli/internal.js';
import { makeWorkDir } from '../test/harness/workdir.js';
import type { Benchmark, BenchFigure } from './benchmark.js';

const KEYS = ['AP', 'AP50', 'APr', 'APc', 'APf'] as const;

function steps(total: number, scale: number): string[] {
  return [
    String(Math.max(1, Math.round(total * scale))),
    String(Math.max(1, Math.round(total * scale * 0.8))),
  ];
}

function recipes(scale: number): Array<{ name: string; config: string; sets: string[] }> {
  const [long, longStep] = steps(2600, scale);
  const [rep, repStep] = steps(2000, scale);
  const [cls, clsStep] = steps(600, scale);
  const warmup = String(Math.max(1, Math.round(100 * Math.min(1, scale))));
  return [
    {
      name: 'baseline (softmax CE)',
      config: 'small_baseline',
      sets: [
        `schedule.baseline.iterations=${long}`,
        `schedule.baseline.lr_steps=[${longStep}]`,
        `schedule.baseline.warmup_iters=${warmup}`,
      ],
    },
    {
      name: 'stage 1 alone (BCE)',
      config: 'small',
      sets: [
        'stages=[representation]',
        `schedule.representation.iterations=${long}`,
        `schedule.representation.lr_steps=[${longStep}]`,
        `schedule.representation.warmup_iters=${warmup}`,
      ],
    },
    {
      name: 'BACL (FCBL + FHM)',
      config: 'small',
      sets: [
        `schedule.representation.iterations=${rep}`,
        `schedule.representation.lr_steps=[${repStep}]`,
        `schedule.representation.warmup_iters=${warmup}`,
        `schedule.classifier.iterations=${cls}`,
        `schedule.classifier.lr_steps=[${clsStep}]`,
      ],
    },
  ];
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const std = (values: number[]) => {
  const m = mean(values);
  return Math.sqrt(values.reduce((sum, value) => sum + (value - m) ** 2, 0) / Math.max(1, values.length - 1));
};

const benchmark: Benchmark = {
  title: 'Method check: baseline vs stage 1 alone vs BACL on the small config (baclctl run, 2 ranks)',
  async run({ signal, log }) {
    const seeds = (process.env.BACL_BENCH_METHOD_SEEDS ?? '0,1,2').split(',').map(Number);
    const scale = Number(process.env.BACL_BENCH_METHOD_SCALE ?? 1);
    const backend = process.env.BACL_BENCH_METHOD_BACKEND;
    const figures: BenchFigure[] = [];
    const table = [`| recipe | ${KEYS.join(' | ')} |`, `|---|${KEYS.map(() => '---').join('|')}|`];
    for (const recipe of recipes(scale)) {
      const runs: Array<Record<string, number>> = [];
      for (const seed of seeds) {
        const out = join(makeWorkDir('bench-method'), 'out');
        const started = performance.now();
        const result = await runLocal(
          {
            config: recipe.config,
            workers: 2,
            out,
            fresh: true,
            sets: [...recipe.sets, `seed=${seed}`],
            ...(backend === undefined ? {} : { backend }),
          },
          { note: () => undefined, tty: false },
          signal,
        );
        const metrics = result.metrics as unknown as Record<string, number>;
        runs.push(metrics);
        log(
          `${recipe.name}, seed ${seed}: ${KEYS.map((key) => `${key} ${metrics[key]!.toFixed(3)}`).join(', ')} ` +
            `(${((performance.now() - started) / 1000).toFixed(0)} s, ${result.backend})`,
        );
      }
      const cells = KEYS.map((key) => {
        const values = runs.map((metrics) => metrics[key]!);
        figures.push({
          name: `${recipe.name} ${key}`,
          value: mean(values),
          unit: `(std ${std(values).toFixed(3)})`,
        });
        return `${mean(values).toFixed(3)} ± ${std(values).toFixed(3)}`;
      });
      table.push(`| ${recipe.name} | ${cells.join(' | ')} |`);
    }
    log(`seeds ${seeds.join(', ')}, schedule scale ${scale}:`);
    for (const line of table) log(line);
    return figures;
  },
};

export default benchmark;
