// cli/ internals for tests and benchmarks only (the nats.js "./internal" pattern): never imported by
// other parts, which use cli/index.ts. Everything public is here too, so a test needs one import.
export * from './index.js';
export { dataCliError } from './data-errors.js';
export { runDataTask } from './data-task.js';
export { toCliError } from './errors.js';
export { printWatch } from './get/watch-printer.js';
export { kubeTarget } from './kube-flags.js';
export { JobsApi } from './kube/jobs-api.js';
export { followJobs, type JobEvent, type SyncedEvent } from './kube/watch-jobs.js';
export { selectLogPods } from './logs/select-pods.js';
export { lineSplitter, logOptions } from './logs/stream.js';
export { formatAge, humanDuration } from './output/age.js';
export { printerColumns } from './output/columns.js';
export { formatJobs, resourceName } from './output/format.js';
export { alignColumns } from './output/table.js';
export { parseDuration } from './wait/duration.js';
export { describeProgress, progressBar, ProgressView } from './wait/progress-view.js';
export { parseWaitTarget } from './wait/target.js';
export { ensureRunDataset } from './run/run-dataset.js';
export { readLocalS3Env, runLocal, type LocalRunOptions, type LocalRunResult } from './run/local-run.js';
export { progressText, RunProgress } from './run/run-progress.js';
export {
  defaultEvalOut,
  evalRequest,
  pthConversion,
  type EvalFlags,
  type EvalRequest,
} from './eval/eval-request.js';
export { evaluateWeights, type WeightsEvalOptions, type WeightsEvalResult } from './eval/weights-eval.js';
export { localRankEnv, rankFailureReason } from './run/local-ranks.js';
