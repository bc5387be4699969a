// Public surface of the worker: what other parts and the bin import (the bin's `main`, the CLI's backend
// commands, and what `baclctl run` needs to launch ranks of this build and read what they leave behind).
// Tests and benchmarks reach internals through worker/internal.ts.
export { main } from './main.js';
export { type BackendReport, checkBackends, chooseBackend } from './tf/index.js';
export { type ProgramCommand, workerEntryCommand } from './entry-command.js';
export { LaunchError, launchRanks, type LaunchResult, type RankGroup } from './runtime/launcher.js';
export { type RunSummary, runSummaryObject } from './runtime/rank-process.js';
export type { StageSummary } from './runtime/rank-reporter.js';
export { openCheckpointStore } from './checkpoint/open-store.js';
export { RankEnvError } from './runtime/rank-env-error.js';
export { readS3Env, type S3Env } from './runtime/rank-env.js';
