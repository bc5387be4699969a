import { answerStandardFlags, ExitCode, processIO, standardFlags } from '../common/index.js';
import type { ProgramInfo, ProgramIO } from '../common/index.js';

export const operatorInfo: ProgramInfo = {
  name: 'bacl-operator',
  summary: 'reconciles BaclJob resources (bacl.dev/v1alpha1) into worker pods, a headless service and stages',
  usage: 'bacl-operator [flags]',
  description: [
    'Runs in the cluster (see charts/) and drives each BaclJob through representation learning, classifier\n' +
      'learning and evaluation, restarting from the last checkpoint when a worker fails.',
    'Status: the reconciler is not built yet; this build answers --help and --version only.',
  ],
  flags: standardFlags,
};

/** Entry point of the bacl-operator bin; returns the exit code. */
export function main(argv: string[], io: ProgramIO = processIO): number {
  const answered = answerStandardFlags(operatorInfo, argv, io);
  if (answered !== undefined) return answered;
  io.stderr(
    'bacl-operator: the reconciler is not built yet, so there is nothing to run.\nTry this: bacl-operator --help\n',
  );
  return ExitCode.failure;
}
