// `--compare PATH`: the other run's AP per category, from whatever that run left:
// - per-category.json (written by `--visualize`): read as is, its categories must be the --gt file's;
// - an LVIS results file (e.g. the run's eval/detections.json): evaluated here against the same --gt;
// - metrics.json (only the 13 aggregate numbers): its sibling detections.json, which the evaluate stage
//   always writes beside it (docs/adr/0025);
// - a directory: its per-category.json, else detections.json, else eval/detections.json (a `baclctl run --out`).
import { existsSync, statSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { loadLvisResults, type LvisGroundTruth } from '../../common/index.js';
import {
  evaluateLvis,
  parsePerCategoryFile,
  perCategoryAp,
  perCategoryFileName,
  VisualizeError,
} from '../../data/index.js';

export interface ComparedRun {
  /** The file the numbers came from. */
  file: string;
  /** AP per category id, -1 undefined. */
  ap: Map<number, number>;
  /** Its aggregate metrics (lvis-api's names), for the legend. */
  metrics: Readonly<Record<string, number>>;
}

const directoryCandidates = [perCategoryFileName, 'detections.json', join('eval', 'detections.json')];

/** The file `--compare PATH` stands for (see the file comment). */
export function compareFile(path: string): string {
  if (!existsSync(path)) {
    throw new VisualizeError(
      `--compare ${path}: no such file or directory`,
      'not-found',
      "pass another run's per-category.json, detections.json, metrics.json or its output directory",
    );
  }
  if (statSync(path).isDirectory()) {
    const found = directoryCandidates.map((name) => join(path, name)).find((file) => existsSync(file));
    if (found === undefined) {
      throw new VisualizeError(
        `--compare ${path}: a directory without ${directoryCandidates.join(', ')}`,
        'not-found',
        "pass the other run's per-category.json or detections.json",
      );
    }
    return found;
  }
  if (basename(path) === 'metrics.json') {
    const detections = join(dirname(path), 'detections.json');
    if (!existsSync(detections)) {
      throw new VisualizeError(
        `--compare ${path}: metrics.json holds only the 13 aggregate metrics, and no detections.json lies beside it`,
        'not-found',
        "pass that run's detections.json, or the per-category.json its `baclctl eval --visualize` wrote",
      );
    }
    return detections;
  }
  return path;
}

async function firstCharacter(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(256), 0, 256, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').trimStart().charAt(0);
  } finally {
    await handle.close();
  }
}

/** The other run's per-category AP over `gt`'s categories. */
export async function loadComparedRun(
  path: string,
  gt: LvisGroundTruth,
  signal?: AbortSignal,
): Promise<ComparedRun> {
  const file = compareFile(path);
  if ((await firstCharacter(file)) === '[') {
    const evaluation = evaluateLvis(gt, await loadLvisResults(file, { signal }));
    return {
      file,
      ap: new Map(perCategoryAp(evaluation).map(({ id, ap }) => [id, ap])),
      metrics: { ...evaluation.metrics },
    };
  }
  const parsed = parsePerCategoryFile(await readFile(file, 'utf8'), file);
  const theirs = parsed.categories.map((category) => category.id).sort((a, b) => a - b);
  const ours = gt.categories.map((category) => category.id).sort((a, b) => a - b);
  const differ = theirs.length !== ours.length || theirs.some((id, i) => id !== ours[i]);
  if (differ) {
    const missing = ours.filter((id) => !theirs.includes(id));
    const extra = theirs.filter((id) => !ours.includes(id));
    throw new VisualizeError(
      `--compare ${file}: its categories are not the ground truth's (missing ${missing.slice(0, 5).join(', ') || 'none'}, extra ${extra.slice(0, 5).join(', ') || 'none'})`,
      'invalid',
      'compare runs evaluated on the same categories (the same LVIS version or synthetic recipe)',
    );
  }
  return {
    file,
    ap: new Map(parsed.categories.map((category) => [category.id, category.ap])),
    metrics: parsed.metrics,
  };
}
