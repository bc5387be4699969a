// The official LVIS evaluator as a test oracle: writes ground truth and results to a temp dir, runs
// lvis-api's LVISEval (test/harness/lvis_oracle.py) in the venv scripts/oracles.sh installed, and returns its
// get_results() and, on request, its parameters and per-category precision/recall arrays.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { makeWorkDir } from './workdir.js';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./lvis_oracle.py', import.meta.url));

/** ~/.cache/bacl/oracles/lvis/manifest.json, written by scripts/oracles.sh. */
export interface LvisOracleManifest {
  python: string;
  versions: { lvis: string; numpy: string; pycocotools: string };
}

export class OracleMissingError extends Error {
  override name = 'OracleMissingError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(`${message}\nTry this: bash scripts/oracles.sh (installs the official lvis package)`, options);
  }
}

export interface LvisOracleOutput {
  metrics: Record<string, number>;
  seconds: number;
  peak_rss_bytes: number;
  /** With `arrays`: */
  iou_thrs?: number[];
  rec_thrs?: number[];
  cat_ids?: number[];
  freq_groups?: number[][];
  precision?: number[][][][];
  recall?: number[][][];
}

export interface LvisOracleOptions {
  /** Also return parameters and precision/recall arrays (large: 4040 numbers per category). */
  arrays?: boolean;
  /** Evaluate only these images (params.img_ids). */
  imageIds?: readonly number[];
}

let cached: LvisOracleManifest | undefined;

export function lvisOracleManifest(): LvisOracleManifest {
  if (cached) return cached;
  const path =
    process.env.BACL_LVIS_ORACLE_MANIFEST ??
    join(homedir(), '.cache', 'bacl', 'oracles', 'lvis', 'manifest.json');
  try {
    cached = JSON.parse(readFileSync(path, 'utf8')) as LvisOracleManifest;
  } catch (error) {
    throw new OracleMissingError(`cannot read the oracle manifest ${path}`, { cause: error });
  }
  return cached;
}

async function python(args: string[], input?: string): Promise<string> {
  const { python: bin } = lvisOracleManifest();
  const child = run(bin, [script, ...args], { maxBuffer: 1 << 30, encoding: 'utf8' });
  if (input !== undefined) child.child.stdin!.end(input);
  const { stdout } = await child;
  return stdout;
}

/** Runs LVISEval(gtFile, resultsFile, "bbox") in the oracle venv. */
export async function runLvisOracleOnFiles(
  gtFile: string,
  resultsFile: string,
  options: LvisOracleOptions = {},
): Promise<LvisOracleOutput> {
  const args = ['--gt', gtFile, '--results', resultsFile];
  if (options.arrays) args.push('--arrays');
  if (options.imageIds) args.push('--img-ids', options.imageIds.join(','));
  return JSON.parse(await python(args)) as LvisOracleOutput;
}

/** Writes `gt` and `results` as JSON to a temp dir and runs the oracle on them. */
export async function runLvisOracle(
  gt: unknown,
  results: unknown,
  options: LvisOracleOptions = {},
): Promise<LvisOracleOutput> {
  const dir = makeWorkDir('lvis-oracle');
  const gtFile = join(dir, 'gt.json');
  const resultsFile = join(dir, 'results.json');
  writeFileSync(gtFile, JSON.stringify(gt));
  writeFileSync(resultsFile, JSON.stringify(results));
  return runLvisOracleOnFiles(gtFile, resultsFile, options);
}

export interface LvisOracleCase {
  gt: unknown;
  results: unknown;
  imageIds?: readonly number[];
}

/** Runs many cases in one Python process (numpy and pycocotools load once), in order. */
export async function runLvisOracleBatch(
  cases: readonly LvisOracleCase[],
  options: Pick<LvisOracleOptions, 'arrays'> = {},
): Promise<LvisOracleOutput[]> {
  const dir = makeWorkDir('lvis-oracle');
  const list = cases.map((oracleCase, i) => {
    const gt = join(dir, `${i}-gt.json`);
    const results = join(dir, `${i}-results.json`);
    writeFileSync(gt, JSON.stringify(oracleCase.gt));
    writeFileSync(results, JSON.stringify(oracleCase.results));
    return { gt, results, img_ids: oracleCase.imageIds ?? null };
  });
  const listFile = join(dir, 'cases.json');
  writeFileSync(listFile, JSON.stringify(list));
  const args = ['--batch', listFile, ...(options.arrays ? ['--arrays'] : [])];
  return JSON.parse(await python(args)) as LvisOracleOutput[];
}

/** numpy.mean of each array (float64), to check the port's summation against numpy itself. */
export async function numpyMeans(arrays: readonly (readonly number[])[]): Promise<number[]> {
  return JSON.parse(await python(['--numpy-means'], JSON.stringify(arrays))) as number[];
}
