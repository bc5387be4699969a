// The per-category work on several threads: `threads - 1` workers (node:worker_threads) and this thread take
// categories from one shared counter, largest first, and each writes only its categories' entries of the
// shared precision/recall arrays. The prepared columns and the arrays live in SharedArrayBuffers: no thread
// copies the detections. Which thread takes which category changes nothing in the arrays, so the metrics are
// identical for every thread count.
//
// The worker script is category-worker.ts under tsx (tests, `npm run baclctl`) and the built
// category-worker.js from dist; like worker/entry-command.ts, a TypeScript parent without tsx in its execArgv
// gives the worker `--import tsx`.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PrecisionRecall } from './accumulate.js';
import { CategoryScratch, evaluateCategory } from './category.js';
import type { PreparedEvaluation } from './prepare.js';

/** What a worker gets (structured clone: the typed arrays' SharedArrayBuffers are shared, not copied). */
export interface CategoryTask {
  prepared: PreparedEvaluation;
  arrays: PrecisionRecall;
  /** Categories in the order they are handed out. */
  order: Int32Array;
  /** [0]: the next position in `order` to take. */
  next: Int32Array;
}

/** Takes categories from the counter until none is left. */
export function workOnCategories(task: CategoryTask, signal?: AbortSignal): void {
  const scratch = new CategoryScratch();
  for (;;) {
    signal?.throwIfAborted();
    const i = Atomics.add(task.next, 0, 1);
    if (i >= task.order.length) return;
    evaluateCategory(task.prepared, task.order[i]!, task.arrays, scratch);
  }
}

/** The worker script `name` (a file of this directory, without extension) and its execArgv; see the file comment. */
export function workerScript(name: string): { url: URL; execArgv: string[] } {
  const fromSources = fileURLToPath(import.meta.url).endsWith('.ts');
  const url = new URL(`./${name}${fromSources ? '.ts' : '.js'}`, import.meta.url);
  const loader = process.execArgv.some((arg) => /^--(import|loader)(=|$)/.test(arg) && arg.includes('tsx'));
  const tsxArgs = fromSources && !loader && !process.execArgv.includes('tsx') ? ['--import', 'tsx'] : [];
  return { url, execArgv: [...process.execArgv, ...tsxArgs] };
}

function runWorker(
  task: CategoryTask,
  script: { url: URL; execArgv: string[] },
): {
  done: Promise<void>;
  worker: Worker;
} {
  const worker = new Worker(script.url, { workerData: task, execArgv: script.execArgv });
  const done = new Promise<void>((resolve, reject) => {
    let finished = false;
    worker.once('message', () => {
      finished = true;
      resolve();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!finished) reject(new Error(`an evaluator thread exited with code ${code} before finishing`));
    });
  });
  return { done, worker };
}

/** Evaluates every category of `prepared` into `arrays` on `threads` threads (this one included). */
export async function evaluateCategoriesInParallel(
  prepared: PreparedEvaluation,
  arrays: PrecisionRecall,
  threads: number,
  signal?: AbortSignal,
): Promise<void> {
  const K = prepared.categoryIds.length;
  const work = (k: number) =>
    prepared.cellDt[prepared.cellStart[k + 1]!]! - prepared.cellDt[prepared.cellStart[k]!]!;
  const order = new Int32Array(new SharedArrayBuffer(4 * K));
  [...Array(K).keys()].sort((a, b) => work(b) - work(a) || a - b).forEach((k, i) => (order[i] = k));
  const task: CategoryTask = { prepared, arrays, order, next: new Int32Array(new SharedArrayBuffer(4)) };
  const script = workerScript('category-worker');
  const workers = Array.from({ length: threads - 1 }, () => runWorker(task, script));
  try {
    workOnCategories(task, signal);
    await Promise.all(workers.map((w) => w.done));
  } finally {
    // On an error (or an abort) here, the others must not go on writing into the arrays.
    Atomics.store(task.next, 0, K);
    await Promise.allSettled(workers.map(async (w) => w.worker.terminate()));
  }
}
