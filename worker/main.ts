import { answerStandardFlags, ExitCode, processIO, standardFlags } from '../common/index.js';
import type { ProgramInfo, ProgramIO } from '../common/index.js';

export const workerInfo: ProgramInfo = {
  name: 'bacl-worker',
  summary:
    'one training rank of a BaclJob: tfjs training, gradient all-reduce over NATS, shards and checkpoints in S3',
  usage: 'bacl-worker [flags]',
  description: [
    'Started by the operator in each worker pod (one rank per GPU) with the rank environment (RANK, WORLD_SIZE,\n' +
      'NATS_URL, BACL_CONFIG, BACL_STAGE, ...), or by `baclctl run` on one machine.',
    'Status: training is not built yet; this build answers --help and --version only.',
  ],
  flags: standardFlags,
};

/** Entry point of the bacl-worker bin; returns the exit code. */
export function main(argv: string[], io: ProgramIO = processIO): number {
  const answered = answerStandardFlags(workerInfo, argv, io);
  if (answered !== undefined) return answered;
  io.stderr(
    'bacl-worker: training is not built yet, so there is nothing to run.\nTry this: bacl-worker --help\n',
  );
  return ExitCode.failure;
}
