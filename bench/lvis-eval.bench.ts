// The evaluator against the official lvis package and faster-coco-eval (lvis_style=True, the fastest public
// alternative) on the same LVIS-v1-scale synthetic input (1203 categories with v1's r/c/f split, 5,000 images,
// 300 detections per image: 1.5M detections), each in its own process so peak memory (max RSS) is its own:
// bacl on 1 thread and on all cores, then the two Python packages (scripts/oracles.sh installs both). Each
// side's time covers reading both JSON files and evaluating. bacl's metrics must be the official package's bit
// for bit; faster-coco-eval's differences are reported. bacl's peak RSS is checked against the documented bound
// (data/eval/memory.ts, docs/adr/0030).
// Goal (issue #14): <= 3 s and <= 1 GB for bacl on the 2-core machine, >= 40x the official package, >= 14x
// faster-coco-eval. Size: BACL_BENCH_LVIS_IMAGES (default 5000).
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { baclCacheDir, seededRng } from '../common/index.js';
import {
  defaultEvalThreads,
  evaluateLvisFiles,
  evaluatorPeakMemoryBound,
  LVIS_METRIC_KEYS,
  type LvisMetrics,
} from '../data/internal.js';
import { lvisOracleManifest, OracleMissingError, runLvisOracleOnFiles } from '../test/harness/lvis-oracle.js';
import { makeWorkDir, removeWorkDir } from '../test/harness/workdir.js';
import type { BenchFigure, Benchmark } from './benchmark.js';

const thisFile = fileURLToPath(import.meta.url);
const detectionsPerImage = 300;
const fasterCocoEvalScript = fileURLToPath(
  new URL('../test/harness/faster_coco_eval_oracle.py', import.meta.url),
);

/** Synthetic LVIS v1 val-like ground truth and detector output; see the file comment. */
export function synthesizeV1Scale(imageCount: number): { gt: object; results: object[] } {
  const random = seededRng(2026); // mulberry32, so every evaluator sees the same input on every run
  const frequencies = [
    ...Array<string>(405).fill('f'),
    ...Array<string>(461).fill('c'),
    ...Array<string>(337).fill('r'),
  ];
  const categories = frequencies.map((frequency, i) => ({
    id: i + 1,
    name: `category-${i + 1}`,
    frequency,
    image_count: 0,
    instance_count: 0,
  }));
  const pickCategory = () => 1 + Math.floor(1203 * random() ** 3); // long tail: low ids are frequent
  const box = () => {
    const w = Math.exp(random() * Math.log(400)) + 1;
    const h = Math.exp(random() * Math.log(400)) + 1;
    return [random() * (640 - w), random() * (480 - h), w, h];
  };
  const images = [];
  const annotations = [];
  const results = [];
  for (let imageId = 1; imageId <= imageCount; imageId++) {
    const positives = new Set<number>();
    const detections = [];
    for (let i = Math.floor(random() * 25); i > 0; i--) {
      const categoryId = pickCategory();
      const bbox = box();
      positives.add(categoryId);
      annotations.push({
        id: annotations.length + 1,
        image_id: imageId,
        category_id: categoryId,
        bbox,
        area: bbox[2]! * bbox[3]! * 0.7,
      });
      for (let j = 1 + Math.floor(random() * 3); j > 0; j--) {
        const jittered = bbox.map((value, k) => value + (random() - 0.5) * 0.2 * bbox[k < 2 ? k + 2 : k]!);
        detections.push({ image_id: imageId, category_id: categoryId, bbox: jittered, score: random() });
      }
    }
    const negatives = [...new Set(Array.from({ length: 8 }, pickCategory))].filter(
      (id) => !positives.has(id),
    );
    const federated = [...positives, ...negatives];
    while (detections.length < detectionsPerImage) {
      const categoryId =
        federated.length > 0 && random() < 0.3
          ? federated[Math.floor(random() * federated.length)]!
          : pickCategory();
      detections.push({ image_id: imageId, category_id: categoryId, bbox: box(), score: random() * 0.6 });
    }
    results.push(...detections.slice(0, detectionsPerImage));
    images.push({
      id: imageId,
      height: 480,
      width: 640,
      coco_url: `http://images.cocodataset.org/val2017/${String(imageId).padStart(12, '0')}.jpg`,
      neg_category_ids: negatives,
      not_exhaustive_category_ids: [...positives].filter(() => random() < 0.1),
    });
  }
  return { gt: { info: {}, licenses: [], images, annotations, categories }, results };
}

interface SideResult {
  metrics: Record<string, number>;
  seconds: number;
  peakRssBytes: number;
  /** bacl only: CPU time of all its threads (user + system), a guide to the time on an idle machine. */
  cpuSeconds?: number;
}

/** The bacl side, run in a child process (this file with --evaluate). */
async function evaluateInChild(gtFile: string, resultsFile: string, threads: number): Promise<SideResult> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', thisFile, '--evaluate', gtFile, resultsFile, String(threads)],
    { maxBuffer: 1 << 26 },
  );
  return JSON.parse(stdout) as SideResult;
}

async function childMain(gtFile: string, resultsFile: string, threads: number): Promise<void> {
  const started = performance.now();
  const { metrics } = await evaluateLvisFiles(gtFile, resultsFile, { threads });
  const seconds = (performance.now() - started) / 1000;
  const usage = process.resourceUsage();
  const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
  // maxRSS is in KiB.
  process.stdout.write(JSON.stringify({ metrics, seconds, peakRssBytes: usage.maxRSS * 1024, cpuSeconds }));
}

/** faster-coco-eval in the venv scripts/oracles.sh installs (test/harness/faster_coco_eval_oracle.py). */
async function runFasterCocoEval(gtFile: string, resultsFile: string): Promise<SideResult> {
  const path = join(baclCacheDir(), 'oracles', 'faster-coco-eval', 'manifest.json');
  let python: string;
  try {
    python = (JSON.parse(readFileSync(path, 'utf8')) as { python: string }).python;
  } catch (error) {
    throw new OracleMissingError(`cannot read ${path}`, { cause: error });
  }
  const { stdout } = await promisify(execFile)(
    python,
    [fasterCocoEvalScript, '--gt', gtFile, '--results', resultsFile],
    { maxBuffer: 1 << 26 },
  );
  const output = JSON.parse(stdout) as {
    metrics: Record<string, number>;
    seconds: number;
    peak_rss_bytes: number;
  };
  return { metrics: output.metrics, seconds: output.seconds, peakRssBytes: output.peak_rss_bytes };
}

/** How many of the 13 metrics are the same double, and the largest absolute difference. */
function compare(
  ours: Record<string, number>,
  theirs: Record<string, number>,
): { same: number; maxDiff: number } {
  return {
    same: LVIS_METRIC_KEYS.filter((key) => Object.is(ours[key], theirs[key])).length,
    maxDiff: Math.max(...LVIS_METRIC_KEYS.map((key) => Math.abs(ours[key]! - theirs[key]!))),
  };
}

const MiB = 2 ** 20;

const benchmark: Benchmark = {
  title: 'LVIS bbox evaluation: bacl (1 thread, all cores) vs lvis-api and faster-coco-eval (v1 scale)',
  async run({ log, signal }) {
    const imageCount = Number(process.env.BACL_BENCH_LVIS_IMAGES ?? 5000);
    const cores = defaultEvalThreads();
    const manifest = lvisOracleManifest();
    const dir = makeWorkDir('bench-lvis');
    try {
      const { gt, results } = synthesizeV1Scale(imageCount);
      const gtFile = join(dir, 'gt.json');
      const resultsFile = join(dir, 'results.json');
      writeFileSync(gtFile, JSON.stringify(gt));
      writeFileSync(resultsFile, JSON.stringify(results));
      const perCategory = new Map<number, number>();
      for (const detection of results as Array<{ category_id: number }>) {
        perCategory.set(detection.category_id, (perCategory.get(detection.category_id) ?? 0) + 1);
      }
      const shape = {
        images: imageCount,
        annotations: (gt as { annotations: unknown[] }).annotations.length,
        detections: results.length,
        categories: 1203,
        largestCategory: Math.max(...perCategory.values()),
      };
      log(
        `${imageCount} images, 1203 categories, ${results.length} detections; lvis ${manifest.versions.lvis}, ` +
          `numpy ${manifest.versions.numpy}; ${cores} cores, load average ${loadavg()
            .map((l) => l.toFixed(2))
            .join(' ')}`,
      );
      signal.throwIfAborted();
      const one = await evaluateInChild(gtFile, resultsFile, 1);
      log(
        `bacl, 1 thread: ${one.seconds.toFixed(2)} s (${one.cpuSeconds!.toFixed(2)} s CPU), ` +
          `${(one.peakRssBytes / MiB).toFixed(0)} MiB`,
      );
      signal.throwIfAborted();
      const all = await evaluateInChild(gtFile, resultsFile, cores);
      log(
        `bacl, ${cores} threads: ${all.seconds.toFixed(2)} s (${all.cpuSeconds!.toFixed(2)} s CPU), ` +
          `${(all.peakRssBytes / MiB).toFixed(0)} MiB`,
      );
      signal.throwIfAborted();
      const oracle = await runLvisOracleOnFiles(gtFile, resultsFile);
      const official: SideResult = {
        metrics: oracle.metrics,
        seconds: oracle.seconds,
        peakRssBytes: oracle.peak_rss_bytes,
      };
      log(`lvis-api: ${official.seconds.toFixed(2)} s, ${(official.peakRssBytes / MiB).toFixed(0)} MiB`);
      signal.throwIfAborted();
      const faster = await runFasterCocoEval(gtFile, resultsFile);
      log(`faster-coco-eval: ${faster.seconds.toFixed(2)} s, ${(faster.peakRssBytes / MiB).toFixed(0)} MiB`);
      log(
        `load average after: ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
      );

      const shown = (metrics: Record<string, number>) =>
        LVIS_METRIC_KEYS.map((key: keyof LvisMetrics) => `${key} ${metrics[key]!.toFixed(4)}`).join(', ');
      log(`bacl:             ${shown(all.metrics)}`);
      log(`lvis-api:         ${shown(official.metrics)}`);
      log(`faster-coco-eval: ${shown(faster.metrics)}`);
      const oneVsOfficial = compare(one.metrics, official.metrics);
      const allVsOfficial = compare(all.metrics, official.metrics);
      const fasterVsOfficial = compare(faster.metrics, official.metrics);
      const best = Math.min(one.seconds, all.seconds);
      const bound = (threads: number) => evaluatorPeakMemoryBound({ ...shape, threads });
      const goal = best <= 3 && Math.max(one.peakRssBytes, all.peakRssBytes) <= 2 ** 30;
      log(
        `goal (<= 3 s and <= 1 GB): ${goal ? 'reached' : 'not reached'}; best bacl ${best.toFixed(2)} s ` +
          `(${(official.seconds / best).toFixed(1)}x lvis-api, ${(faster.seconds / best).toFixed(1)}x faster-coco-eval)`,
      );
      const figures: BenchFigure[] = [
        {
          name: 'bacl, 1 thread (read + evaluate)',
          value: one.seconds,
          unit: 's',
          ratio: { value: official.seconds / one.seconds, against: 'faster than lvis-api' },
        },
        {
          name: `bacl, ${cores} threads (read + evaluate)`,
          value: all.seconds,
          unit: 's',
          ratio: { value: faster.seconds / all.seconds, against: 'faster than faster-coco-eval' },
        },
        { name: 'lvis-api (read + evaluate)', value: official.seconds, unit: 's' },
        { name: 'faster-coco-eval 1.8.0, lvis_style (read + evaluate)', value: faster.seconds, unit: 's' },
        {
          name: 'bacl, 1 thread, peak memory (max RSS)',
          value: one.peakRssBytes / MiB,
          unit: 'MiB',
          ratio: { value: official.peakRssBytes / one.peakRssBytes, against: 'less than lvis-api' },
        },
        {
          name: `bacl, ${cores} threads, peak memory (max RSS)`,
          value: all.peakRssBytes / MiB,
          unit: 'MiB',
          ratio: { value: bound(cores) / all.peakRssBytes, against: 'under the documented bound' },
        },
        { name: 'lvis-api peak memory (max RSS)', value: official.peakRssBytes / MiB, unit: 'MiB' },
        { name: 'faster-coco-eval peak memory (max RSS)', value: faster.peakRssBytes / MiB, unit: 'MiB' },
        {
          name: 'bacl within its memory bound (1 thread, all cores)',
          value: Number(one.peakRssBytes <= bound(1)) + Number(all.peakRssBytes <= bound(cores)),
          unit: 'of 2',
        },
        {
          name: 'metrics bit-identical to lvis-api (1 thread, all)',
          value: oneVsOfficial.same + allVsOfficial.same,
          unit: `of ${2 * LVIS_METRIC_KEYS.length}`,
        },
        {
          name: 'bacl largest metric difference',
          value: Math.max(oneVsOfficial.maxDiff, allVsOfficial.maxDiff),
          unit: '(absolute)',
        },
        {
          name: 'faster-coco-eval metrics identical to lvis-api',
          value: fasterVsOfficial.same,
          unit: `of ${LVIS_METRIC_KEYS.length}`,
        },
        {
          name: 'faster-coco-eval largest metric difference',
          value: fasterVsOfficial.maxDiff,
          unit: '(absolute)',
        },
      ];
      if (one.peakRssBytes > bound(1) || all.peakRssBytes > bound(cores)) {
        throw new Error(
          `bacl's peak memory exceeds the documented bound (data/eval/memory.ts): ` +
            `${(one.peakRssBytes / MiB).toFixed(0)} / ${(bound(1) / MiB).toFixed(0)} MiB (1 thread), ` +
            `${(all.peakRssBytes / MiB).toFixed(0)} / ${(bound(cores) / MiB).toFixed(0)} MiB (${cores} threads)`,
        );
      }
      return figures;
    } finally {
      removeWorkDir(dir);
    }
  },
};
export default benchmark;

if (
  process.argv[1] !== undefined &&
  pathToFileURL(process.argv[1]).href === import.meta.url &&
  process.argv[2] === '--evaluate'
) {
  await childMain(process.argv[3]!, process.argv[4]!, Number(process.argv[5] ?? 1));
}
