// The evaluator against the official lvis package on the same LVIS-v1-scale synthetic input (1203 categories
// with v1's r/c/f split, 5,000 images, 300 detections per image), both timed in this run, each in its own
// process so peak memory (max RSS) is its own. Each side's time covers reading both JSON files and evaluating.
// Goal: >= 10x faster than lvis-api, identical metrics. Size: BACL_BENCH_LVIS_IMAGES (default 5000).
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { loadLvisGroundTruth, loadLvisResults } from '../common/index.js';
import { evaluateLvis, LVIS_METRIC_KEYS, type LvisMetrics } from '../data/internal.js';
import { lvisOracleManifest, runLvisOracleOnFiles } from '../test/harness/lvis-oracle.js';
import { makeWorkDir, removeWorkDir } from '../test/harness/workdir.js';
import type { Benchmark } from './benchmark.js';

const thisFile = fileURLToPath(import.meta.url);
const detectionsPerImage = 300;

/** mulberry32, so both evaluators see the same input on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Synthetic LVIS v1 val-like ground truth and detector output; see the file comment. */
export function synthesizeV1Scale(imageCount: number): { gt: object; results: object[] } {
  const random = seededRandom(2026);
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
}

/** The bacl side, run in a child process (this file with --evaluate). */
async function evaluateInChild(gtFile: string, resultsFile: string): Promise<SideResult> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', thisFile, '--evaluate', gtFile, resultsFile],
    { maxBuffer: 1 << 26 },
  );
  return JSON.parse(stdout) as SideResult;
}

async function childMain(gtFile: string, resultsFile: string): Promise<void> {
  const started = performance.now();
  const gt = await loadLvisGroundTruth(gtFile);
  const results = await loadLvisResults(resultsFile);
  const { metrics } = evaluateLvis(gt, results, { resultsSource: resultsFile });
  const seconds = (performance.now() - started) / 1000;
  // maxRSS is in KiB.
  process.stdout.write(
    JSON.stringify({ metrics, seconds, peakRssBytes: process.resourceUsage().maxRSS * 1024 }),
  );
}

const benchmark: Benchmark = {
  title: 'LVIS bbox evaluation: bacl vs the official lvis package (v1 scale)',
  async run({ log, signal }) {
    const imageCount = Number(process.env.BACL_BENCH_LVIS_IMAGES ?? 5000);
    const manifest = lvisOracleManifest();
    const dir = makeWorkDir('bench-lvis');
    try {
      const { gt, results } = synthesizeV1Scale(imageCount);
      const gtFile = join(dir, 'gt.json');
      const resultsFile = join(dir, 'results.json');
      writeFileSync(gtFile, JSON.stringify(gt));
      writeFileSync(resultsFile, JSON.stringify(results));
      log(
        `${imageCount} images, 1203 categories, ${results.length} detections; lvis ${manifest.versions.lvis}, numpy ${manifest.versions.numpy}`,
      );
      signal.throwIfAborted();
      const ours = await evaluateInChild(gtFile, resultsFile);
      log(`bacl: ${ours.seconds.toFixed(2)} s`);
      signal.throwIfAborted();
      const oracle = await runLvisOracleOnFiles(gtFile, resultsFile);
      log(`lvis-api: ${oracle.seconds.toFixed(2)} s`);
      const identical = LVIS_METRIC_KEYS.filter((key) => Object.is(ours.metrics[key], oracle.metrics[key]));
      const maxDiff = Math.max(
        ...LVIS_METRIC_KEYS.map((key) => Math.abs(ours.metrics[key]! - oracle.metrics[key]!)),
      );
      const shown = (metrics: Record<string, number>) =>
        LVIS_METRIC_KEYS.map((key: keyof LvisMetrics) => `${key} ${metrics[key]!.toFixed(4)}`).join(', ');
      log(`bacl:     ${shown(ours.metrics)}`);
      log(`lvis-api: ${shown(oracle.metrics)}`);
      return [
        {
          name: 'bacl evaluate (read + evaluate)',
          value: ours.seconds,
          unit: 's',
          ratio: { value: oracle.seconds / ours.seconds, against: 'faster than lvis-api' },
        },
        { name: 'lvis-api evaluate (read + evaluate)', value: oracle.seconds, unit: 's' },
        {
          name: 'bacl peak memory (max RSS)',
          value: ours.peakRssBytes / 2 ** 20,
          unit: 'MiB',
          ratio: { value: oracle.peak_rss_bytes / ours.peakRssBytes, against: 'less than lvis-api' },
        },
        { name: 'lvis-api peak memory (max RSS)', value: oracle.peak_rss_bytes / 2 ** 20, unit: 'MiB' },
        {
          name: 'metrics bit-identical to lvis-api',
          value: identical.length,
          unit: `of ${LVIS_METRIC_KEYS.length}`,
        },
        { name: 'largest metric difference', value: maxDiff, unit: '(absolute)' },
      ];
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
  await childMain(process.argv[3]!, process.argv[4]!);
}
