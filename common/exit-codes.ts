// The one table of exit codes and stable error codes for every bacl process: baclctl, bacl-operator and
// bacl-worker. Scripts and Kubernetes (a pod's terminated.exitCode) branch on these numbers, so a number never
// changes meaning. The README ("Exit codes") and docs/adr/0018 document them; a test lists them all.

/**
 * Exit codes, kubectl-like below 128. `interrupted` is 128 + SIGINT's number (2), what a shell reports for a
 * process that Ctrl-C killed, so `$?` reads the same whether the command caught the signal and cleaned up or
 * died of it.
 */
export const ExitCode = {
  /** Done. */
  ok: 0,
  /** Failed: a refused or failed request, a job that failed, a timeout, or a bug. */
  failure: 1,
  /** A flag, argument or option is wrong; nothing was done. */
  usage: 2,
  /** What the command names (a job, pod, file, image) does not exist. */
  notFound: 3,
  /** An input (config, job spec, annotation, results or dataset file) is malformed. */
  invalid: 4,
  /**
   * A training stage diverged (LossDiverged: a non-finite loss, the step not applied). Not retryable: the same
   * config from the same checkpoint diverges again, so the operator fails the job instead of restarting it.
   */
  diverged: 5,
  /** Ctrl-C (SIGINT) or SIGTERM stopped the command before its work was done. */
  interrupted: 130,
} as const;

export type ExitStatus = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Every stable error code (printed as `Code:` and as `error.code` under --json), with the exit status it
 * always has. A code is added here or not at all; its exit status never changes.
 */
export const errorCodes = {
  USAGE: { exit: ExitCode.usage, meaning: 'a flag, argument or option is wrong' },
  NOT_FOUND: { exit: ExitCode.notFound, meaning: 'the job, pod, file, image or CRD named does not exist' },
  NO_LOGS: { exit: ExitCode.notFound, meaning: 'the job has no pod with a log to read yet' },
  CONFIG_INVALID: { exit: ExitCode.invalid, meaning: 'a training config or override is invalid' },
  JOB_INVALID: { exit: ExitCode.invalid, meaning: 'the BaclJob was refused by its schema or the API server' },
  DATA_INVALID: {
    exit: ExitCode.invalid,
    meaning: 'an annotation, results or dataset file is malformed or damaged',
  },
  ALREADY_EXISTS: { exit: ExitCode.failure, meaning: 'the job name or output destination is taken' },
  FORBIDDEN: { exit: ExitCode.failure, meaning: 'the credentials may not do this' },
  UNREACHABLE: { exit: ExitCode.failure, meaning: 'the Kubernetes API server cannot be reached' },
  API_ERROR: { exit: ExitCode.failure, meaning: 'the API server answered with another error' },
  S3_ERROR: { exit: ExitCode.failure, meaning: 'the S3 server cannot be reached or refused the credentials' },
  TIMEOUT: { exit: ExitCode.failure, meaning: 'the --timeout passed before the condition held' },
  INSTALL_FAILED: {
    exit: ExitCode.failure,
    meaning: 'an install step (the native TensorFlow backend) failed; its output says why',
  },
  JOB_FAILED: { exit: ExitCode.failure, meaning: 'the job can no longer reach the awaited condition' },
  TRAINING_FAILED: {
    exit: ExitCode.failure,
    meaning: 'a rank of `baclctl run` failed (LossDiverged, a lost peer, ...); its log says why',
  },
  EVAL_FAILED: {
    exit: ExitCode.failure,
    meaning:
      'a rank of `baclctl eval --weights` failed (weights that do not fit the config, ...); the message says why',
  },
  INTERRUPTED: { exit: ExitCode.interrupted, meaning: 'Ctrl-C or SIGTERM stopped the command' },
  INTERNAL: { exit: ExitCode.failure, meaning: 'a bug: rerun with DEBUG=* for the stack and report it' },
} as const satisfies Record<string, { exit: ExitStatus; meaning: string }>;

export type ErrorCode = keyof typeof errorCodes;
