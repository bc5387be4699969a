import { ExitCode, helpText, packageVersion, processIO } from '../common/index.js';
import type { ProgramInfo, ProgramIO } from '../common/index.js';
import { FlagError, operatorFlagHelp, parseOperatorFlags } from './process/flags.js';
import { reportFatal, runOperator, type OperatorRuntime } from './process/run.js';
import { createLogger } from './telemetry/logger.js';

export const operatorInfo: ProgramInfo = {
  name: 'bacl-operator',
  summary: 'reconciles BaclJob resources (bacl.dev/v1alpha1) into worker pods, a headless service and stages',
  usage: 'bacl-operator [flags]',
  description: [
    'Runs in the cluster (see charts/bacl-operator) and drives each BaclJob through representation learning,\n' +
      'classifier learning and evaluation, restarting the stage from its last checkpoint when a worker fails.\n' +
      'Stops cleanly on SIGTERM or SIGINT.',
  ],
  flags: [
    '  -h, --help                      Show this help and exit.',
    '      --version                   Print the version and exit.',
    ...operatorFlagHelp,
  ],
};

/**
 * Entry point of the bacl-operator bin; resolves to the exit code. One root AbortController: SIGTERM/SIGINT
 * (or `runtime.signal`, for tests) stop everything, and the process exits once it all has.
 */
export async function main(
  argv: string[],
  io: ProgramIO = processIO,
  runtime: Partial<OperatorRuntime> = {},
): Promise<number> {
  let flags;
  try {
    flags = parseOperatorFlags(argv);
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    io.stderr(`${operatorInfo.name}: ${error.message}\nTry this: ${operatorInfo.name} --help\n`);
    return ExitCode.usage;
  }
  if (flags.help) {
    io.stdout(helpText(operatorInfo));
    return ExitCode.ok;
  }
  if (flags.version) {
    io.stdout(`${operatorInfo.name} ${packageVersion()}\n`);
    return ExitCode.ok;
  }

  const root = new AbortController();
  const stop = () => root.abort(new Error('signalled to stop'));
  const signals = ['SIGTERM', 'SIGINT'] as const;
  if (!runtime.signal) for (const name of signals) process.once(name, stop);
  runtime.signal?.addEventListener('abort', stop, { once: true });
  const writeLog = runtime.writeLog ?? ((line: string) => io.stderr(line));
  try {
    await runOperator(flags, { ...runtime, signal: root.signal, writeLog });
    return ExitCode.ok;
  } catch (error) {
    reportFatal(createLogger({ write: writeLog }), error);
    return ExitCode.failure;
  } finally {
    for (const name of signals) process.off(name, stop);
  }
}
