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
//
// The check takes hours, so it resumes: each run trains in $BACL_CACHE_DIR/bench/method-check/<run>/out (a run
// stopped midway resumes from its last checkpoint, bitwise the same on wasm) and, once evaluated, leaves its
// metrics in <run>/result.json, which a later bench reuses instead of training again (with the commit that
// measured it). BACL_BENCH_METHOD_FRESH=1 clears them first.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runLocal } from '../cli/internal.js';
import { baclCacheDir } from '../common/index.js';
import type { Benchmark, BenchFigure } from './benchmark.js';

const KEYS = ['AP', 'AP50', 'APr', 'APc', 'APf'] as const;

function steps(total: number, scale: number): string[] {
  return [
    String(Math.max(1, Math.round(total * scale))),
    String(Math.max(1, Math.round(total * scale * 0.8))),
  ];
}

function recipes(scale: number): Array<{ key: string; name: string; config: string; sets: string[] }> {
  const [long, longStep] = steps(2600, scale);
  const [rep, repStep] = steps(2000, scale);
  const [cls, clsStep] = steps(600, scale);
  const warmup = String(Math.max(1, Math.round(100 * Math.min(1, scale))));
  return [
    {
      key: 'baseline',
      name: 'baseline (softmax CE)',
      config: 'small_baseline',
      sets: [
        `schedule.baseline.iterations=${long}`,
        `schedule.baseline.lr_steps=[${longStep}]`,
        `schedule.baseline.warmup_iters=${warmup}`,
      ],
    },
    {
      key: 'stage1',
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
      key: 'bacl',
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

interface RunResult {
  metrics: Record<string, number>;
  seconds: number;
  backend: string;
  commit: string;
}

const format = (metrics: Record<string, number>) =>
  KEYS.map((key) => `${key} ${metrics[key]!.toFixed(3)}`).join(', ');

/** A run's folder name: what decides its result (the recipe's config, seed, schedule scale and backend). */
function runKey(
  recipe: string,
  config: string,
  seed: number,
  scale: number,
  backend: string | undefined,
): string {
  return `${recipe}-${config}-seed${seed}-scale${scale}-${backend ?? 'auto'}`;
}

async function readResult(path: string): Promise<RunResult | undefined> {
  if (!existsSync(path)) return undefined;
  return JSON.parse(await readFile(path, 'utf8')) as RunResult;
}

function headCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
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
    const root = join(baclCacheDir(), 'bench', 'method-check');
    if (process.env.BACL_BENCH_METHOD_FRESH === '1') await rm(root, { recursive: true, force: true });
    const figures: BenchFigure[] = [];
    const table = [`| recipe | ${KEYS.join(' | ')} |`, `|---|${KEYS.map(() => '---').join('|')}|`];
    const list = recipes(scale);
    const runs = new Map(list.map((recipe) => [recipe.key, [] as Array<Record<string, number>>]));
    // Seed by seed, so that a bench stopped midway has every recipe on the same seeds.
    for (const seed of seeds) {
      for (const recipe of list) {
        const dir = join(root, runKey(recipe.key, recipe.config, seed, scale, backend));
        const cached = await readResult(join(dir, 'result.json'));
        if (cached !== undefined) {
          runs.get(recipe.key)!.push(cached.metrics);
          log(
            `${recipe.name}, seed ${seed}: ${format(cached.metrics)} (measured earlier at ${cached.commit}, ${cached.seconds} s, ${cached.backend})`,
          );
          continue;
        }
        await mkdir(dir, { recursive: true });
        const out = join(dir, 'out');
        const started = performance.now();
        const result = await runLocal(
          {
            config: recipe.config,
            workers: 2,
            out,
            // Resume a run a stopped bench left behind (same recipe and seed: the same config).
            fresh: !existsSync(join(out, 'config.yaml')),
            sets: [...recipe.sets, `seed=${seed}`],
            ...(backend === undefined ? {} : { backend }),
          },
          { note: () => undefined, tty: false },
          signal,
        );
        const metrics = result.metrics as unknown as Record<string, number>;
        const seconds = Math.round((performance.now() - started) / 1000);
        runs.get(recipe.key)!.push(metrics);
        const record: RunResult = { metrics, seconds, backend: result.backend, commit: headCommit() };
        await writeFile(join(dir, 'result.json'), `${JSON.stringify(record, null, 2)}\n`);
        log(`${recipe.name}, seed ${seed}: ${format(metrics)} (${seconds} s, ${result.backend})`);
      }
    }
    for (const recipe of list) {
      const cells = KEYS.map((key) => {
        const values = runs.get(recipe.key)!.map((metrics) => metrics[key]!);
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
