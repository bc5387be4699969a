// An evaluator thread (parallel.ts): takes categories until none is left, then says so and exits.
import { parentPort, workerData } from 'node:worker_threads';
import { workOnCategories, type CategoryTask } from './parallel.js';

workOnCategories(workerData as CategoryTask);
parentPort!.postMessage('done');
