// The rank environment (shared/design.md, "Rank environment contract"; operator/reconcile/rank-env.ts sets it on
// each worker pod, the launcher adds RANK and LOCAL_RANK per process), read once at start-up into a typed object.
// Every variable is checked before anything fails, and a RankEnvError lists all the wrong ones (ADR 0026).
// The group part (RANK, WORLD_SIZE, ... BACL_JOB, BACL_ATTEMPT, NATS_URL) is the one reader of those variables
// (the collective's joinGroup takes the GroupEnv it makes): RANK = NODE_RANK * LOCAL_WORLD_SIZE + LOCAL_RANK,
// LOCAL_WORLD_SIZE divides WORLD_SIZE, LOCAL_RANK and NODE_RANK derived when absent.
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { jobStages, maxS3RequestTimeoutSeconds, type JobStage } from '../../common/index.js';
import {
  DataError,
  parseShardLocation,
  resolveS3ClientConfig,
  resolveS3RetryPolicy,
  type S3RetryPolicy,
} from '../../data/index.js';
import { CheckpointError, parseCheckpointRef, parseCheckpointUri } from '../checkpoint/index.js';
import type { GroupEnv } from '../collective/join-group.js';
import { RankEnvError, type RankEnvProblem } from './rank-env-error.js';

export interface RankEnv {
  /** BACL_JOB's `<namespace>`. */
  namespace: string;
  /** BACL_JOB's `<name>`. */
  jobName: string;
  /**
   * BACL_STAGE: what this process runs, in order. The operator names one stage per pod group; `baclctl run`
   * names them all, comma-separated (`representation,classifier,evaluate`).
   */
  stages: JobStage[];
  /** BACL_SOCKET_DIR: where the local transport's sockets live when there is no NATS_URL. */
  socketDir?: string;
  /** Rank, sizes, attempt and NATS: what joinGroup takes. */
  group: GroupEnv;
  /** BACL_CONFIG: the effective config's path. */
  configPath: string;
  /** BACL_RUN_URI: the run prefix (s3:// URI or directory) for eval/, tb/ and logs/. */
  runUri: string;
  checkpoint: {
    /** BACL_CHECKPOINT_URI. @default BACL_RUN_URI (what the operator passes when spec.checkpoint.uri is unset) */
    uri: string;
    /** BACL_CHECKPOINT_EVERY_STEPS; absent: the config's interval. */
    everySteps?: number;
    /** BACL_CHECKPOINT_KEEP_LAST; absent: the config's. */
    keepLast?: number;
  };
  /** BACL_RESUME: 'auto' or a checkpoint URI. @default 'auto' */
  resume: string;
  /** BACL_DATASET, BACL_DATASET_TRAIN, BACL_DATASET_VAL; each absent means the config's. */
  dataset: { name?: string; train?: string; val?: string };
  /**
   * BACL_WEIGHTS: an mmdetection state dict saved as safetensors (a path or s3:// URI) that an evaluate-only
   * run (BACL_STAGE=evaluate) evaluates instead of the last training stage's checkpoint (`baclctl eval
   * --weights`, eval-weights.ts).
   */
  weights?: string;
  /** BACL_EVAL_GT: the val annotations (LVIS JSON, a path or s3:// URI) the evaluate stage scores against; absent: the copy beside the val shards. */
  evalGroundTruth?: string;
  /**
   * BACL_TERMINATION_LOG: the container's termination message file (the operator sets it to the pod's
   * terminationMessagePath); the evaluate stage's rank 0 writes its metrics there for the operator (ADR 0037).
   * Absent (`baclctl run`): nothing is written.
   */
  terminationLog?: string;
  /**
   * BACL_TERMINATION_GRACE_SECONDS: the pod's terminationGracePeriodSeconds (the operator sets both from
   * spec.terminationGracePeriodSeconds, ADR 0041): SIGTERM to SIGKILL, which bounds the final checkpoint.
   * Absent (`baclctl run`): Kubernetes' default, 30 s.
   */
  terminationGraceSeconds?: number;
  /**
   * The S3 client settings (AWS_ENDPOINT_URL_S3, AWS_REGION, BACL_S3_FORCE_PATH_STYLE, through data/'s
   * resolveS3ClientConfig). Credentials stay with the SDK's default chain (AWS_ACCESS_KEY_ID, ...).
   */
  s3: S3ClientConfig;
  /**
   * The retry policy of every S3 request of this process (checkpoints, run data, shards): data/'s default with
   * BACL_S3_REQUEST_TIMEOUT_SECONDS (spec.s3.requestTimeoutSeconds) as the per-attempt deadline when set.
   */
  s3Retry: S3RetryPolicy;
}

/** What `bacl-worker purge` reads: the S3 client settings and the retry policy (RankEnv's s3 and s3Retry). */
export interface S3Env {
  client: S3ClientConfig;
  retry: S3RetryPolicy;
}

/** What a pod's launcher needs before any rank exists (no RANK, no LOCAL_RANK). */
export interface PodEnv {
  worldSize: number;
  /** LOCAL_WORLD_SIZE: ranks this launcher forks. @default 1 */
  localWorldSize: number;
  /** NODE_RANK. @default 0 */
  nodeRank: number;
}

const TOKEN = /^[A-Za-z0-9_-]+$/;
const should = {
  job: '<namespace>/<name>, each letters, digits, - or _ (the BaclJob)',
  worldSize: 'a whole number of at least 1 (ranks in the group)',
  localWorldSize: 'a whole number of at least 1 (ranks on this machine; unset means 1)',
  attempt: 'a whole number (the restart generation; unset means 0)',
  stage: `one of ${jobStages.join(', ')}, or several comma-separated, each once`,
  config: 'the path of the effective config file',
  everySteps: 'a whole number of at least 1 (steps between checkpoints; unset means the config)',
  keepLast: 'a whole number of at least 1 (checkpoints kept per stage; unset means the config)',
  forcePathStyle: 'true or false',
  requestTimeout: `a whole number of seconds from 1 to ${maxS3RequestTimeoutSeconds} (one S3 request attempt's deadline; unset means 120)`,
  terminationGrace: 'a whole number of at least 1 (seconds from SIGTERM to SIGKILL; unset means 30)',
  weights:
    'a .safetensors file (path or s3:// URI) holding an mmdetection state dict, with BACL_STAGE=evaluate only',
};

/** Collects problems while reading; '' counts as unset (Kubernetes passes empty values through). */
class EnvReader {
  readonly problems: RankEnvProblem[] = [];
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  raw(variable: string): string | undefined {
    const value = this.env[variable];
    return value === undefined || value === '' ? undefined : value;
  }

  problem(variable: string, expected: string): undefined {
    this.problems.push({ variable, value: this.raw(variable), expected });
    return undefined;
  }

  required(variable: string, expected: string): string | undefined {
    return this.raw(variable) ?? this.problem(variable, expected);
  }

  /**
   * A whole number from min to max in decimal digits; when unset, `absent` (a default, or undefined if
   * 'optional').
   */
  whole(
    variable: string,
    min: number,
    expected: string,
    absent: number | 'required' | 'optional' = 'required',
    max = Number.MAX_SAFE_INTEGER,
  ): number | undefined {
    const value = this.raw(variable);
    if (value === undefined) {
      if (absent === 'required') return this.problem(variable, expected);
      return absent === 'optional' ? undefined : absent;
    }
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    return Number.isSafeInteger(number) && number >= min && number <= max
      ? number
      : this.problem(variable, expected);
  }

  /** Runs `check` (which throws the project's typed error for a bad value) and records the problem. */
  valid<T>(variable: string, value: string, check: (value: string) => T, expected: string): boolean {
    try {
      check(value);
      return true;
    } catch (error) {
      if (!(error instanceof CheckpointError) && !(error instanceof DataError)) throw error;
      this.problem(variable, expected);
      return false;
    }
  }
}

/** The pod-level variables a launcher reads (WORLD_SIZE, LOCAL_WORLD_SIZE, NODE_RANK); throws RankEnvError. */
export function readPodEnv(env: NodeJS.ProcessEnv): PodEnv {
  const read = new EnvReader(env);
  const worldSize = read.whole('WORLD_SIZE', 1, should.worldSize);
  const localWorldSize = read.whole('LOCAL_WORLD_SIZE', 1, should.localWorldSize, 1);
  const nodes =
    worldSize !== undefined && localWorldSize !== undefined ? worldSize / localWorldSize : undefined;
  if (nodes !== undefined && !Number.isInteger(nodes)) {
    read.problem('LOCAL_WORLD_SIZE', `a divisor of WORLD_SIZE (${worldSize})`);
  }
  const pods = nodes !== undefined && Number.isInteger(nodes) ? nodes : undefined;
  const nodeExpected = `a whole number${pods === undefined ? '' : ` below ${pods}`} (this pod's index; unset means 0)`;
  const nodeRank = read.whole('NODE_RANK', 0, nodeExpected, 0);
  if (nodeRank !== undefined && pods !== undefined && nodeRank >= pods)
    read.problem('NODE_RANK', nodeExpected);
  if (read.problems.length > 0) throw new RankEnvError(read.problems);
  return { worldSize: worldSize ?? 0, localWorldSize: localWorldSize ?? 0, nodeRank: nodeRank ?? 0 };
}

/**
 * What a pod's launcher needs to tell the group a rank died (death-notice.ts): the job, the attempt and the
 * NATS settings the ranks use. Undefined without NATS_URL (`baclctl run`: the local collective sees a dead
 * rank's sockets close) or when BACL_JOB or BACL_ATTEMPT is unusable: the ranks read the same variables and
 * fail naming them, so the launcher only skips its notice.
 */
export interface LauncherGroupEnv {
  /** BACL_JOB, `<namespace>/<name>`. */
  job: string;
  /** BACL_ATTEMPT. @default 0 */
  attempt: number;
  /** NATS_URL. */
  natsUrl: string;
  /** NATS_CREDS. */
  natsCreds?: string;
}

export function readLauncherGroupEnv(env: NodeJS.ProcessEnv): LauncherGroupEnv | undefined {
  const read = new EnvReader(env);
  const natsUrl = read.raw('NATS_URL');
  if (natsUrl === undefined) return undefined;
  const job = readJob(read);
  const attempt = read.whole('BACL_ATTEMPT', 0, should.attempt, 0);
  if (job === undefined || attempt === undefined) return undefined;
  const natsCreds = read.raw('NATS_CREDS');
  return { job, attempt, natsUrl, ...(natsCreds ? { natsCreds } : {}) };
}

/** BACL_JOB, `<namespace>/<name>` of tokens; undefined (and a problem) when missing or malformed. */
function readJob(read: EnvReader): string | undefined {
  const job = read.required('BACL_JOB', should.job);
  if (job === undefined) return undefined;
  const [namespace, name, extra] = job.split('/');
  if (namespace && name && extra === undefined && TOKEN.test(namespace) && TOKEN.test(name)) return job;
  return read.problem('BACL_JOB', should.job);
}

/** The group part of the rank environment, with every problem found (group undefined when there are any). */
export function readGroupVariables(env: NodeJS.ProcessEnv): {
  group: GroupEnv | undefined;
  problems: RankEnvProblem[];
} {
  const read = new EnvReader(env);
  const group = readGroup(read);
  return { group: read.problems.length === 0 ? group : undefined, problems: read.problems };
}

function readGroup(read: EnvReader): GroupEnv | undefined {
  const job = readJob(read);
  const attempt = read.whole('BACL_ATTEMPT', 0, should.attempt, 0);
  const before = read.problems.length;
  const worldSize = read.whole('WORLD_SIZE', 1, should.worldSize);
  const rankRange = worldSize === undefined ? '' : ` below WORLD_SIZE (${worldSize})`;
  const rank = read.whole('RANK', 0, `a whole number${rankRange} (set per process by the launcher)`);
  if (rank !== undefined && worldSize !== undefined && rank >= worldSize)
    read.problem('RANK', `a whole number${rankRange} (set per process by the launcher)`);
  const localWorldSize = read.whole('LOCAL_WORLD_SIZE', 1, should.localWorldSize, 1);
  if (localWorldSize !== undefined && worldSize !== undefined && worldSize % localWorldSize !== 0)
    read.problem('LOCAL_WORLD_SIZE', `a divisor of WORLD_SIZE (${worldSize})`);
  // LOCAL_RANK and NODE_RANK are checked even when RANK is missing, so one error lists them too.
  const known = rank !== undefined && localWorldSize !== undefined;
  const localRange = localWorldSize === undefined ? '' : ` below LOCAL_WORLD_SIZE (${localWorldSize})`;
  const localExpected = `a whole number${localRange}; unset means RANK % LOCAL_WORLD_SIZE`;
  const localRank = read.whole('LOCAL_RANK', 0, localExpected, known ? rank % localWorldSize : 'optional');
  if (localRank !== undefined && localWorldSize !== undefined && localRank >= localWorldSize)
    read.problem('LOCAL_RANK', localExpected);
  const nodeExpected = 'a whole number (this pod; unset means RANK / LOCAL_WORLD_SIZE)';
  const nodeRank = read.whole(
    'NODE_RANK',
    0,
    nodeExpected,
    known ? Math.floor(rank / localWorldSize) : 'optional',
  );
  if (!known || localRank === undefined || nodeRank === undefined || read.problems.length > before)
    return undefined;
  if (rank !== nodeRank * localWorldSize + localRank) {
    read.problem(
      'RANK',
      `NODE_RANK * LOCAL_WORLD_SIZE + LOCAL_RANK (${nodeRank} * ${localWorldSize} + ${localRank})`,
    );
    return undefined;
  }
  const natsUrl = read.raw('NATS_URL');
  const natsCreds = read.raw('NATS_CREDS');
  if (job === undefined || attempt === undefined || worldSize === undefined) return undefined;
  return {
    job,
    attempt,
    rank,
    worldSize,
    localRank,
    localWorldSize,
    nodeRank,
    ...(natsUrl ? { natsUrl } : {}),
    ...(natsCreds ? { natsCreds } : {}),
  };
}

/** Reads one rank's whole environment; throws RankEnvError listing every missing or bad variable. */
export function readRankEnv(env: NodeJS.ProcessEnv): RankEnv {
  const read = new EnvReader(env);
  const group = readGroup(read);
  const stageText = read.required('BACL_STAGE', should.stage);
  const named = stageText?.split(',').map((text) => jobStages.find((known) => known === text.trim()));
  const stages =
    named?.every((stage) => stage !== undefined) && new Set(named).size === named.length ? named : undefined;
  if (stageText !== undefined && stages === undefined) read.problem('BACL_STAGE', should.stage);
  const socketDir = read.raw('BACL_SOCKET_DIR');
  const configPath = read.required('BACL_CONFIG', should.config);
  const location = 'an s3://bucket/prefix URI or a directory';
  const runUri = read.required('BACL_RUN_URI', `${location} (the run prefix)`);
  if (runUri !== undefined)
    read.valid('BACL_RUN_URI', runUri, parseCheckpointUri, `${location} (the run prefix)`);
  const checkpointUri = read.raw('BACL_CHECKPOINT_URI') ?? runUri;
  if (read.raw('BACL_CHECKPOINT_URI') !== undefined && checkpointUri !== undefined) {
    read.valid(
      'BACL_CHECKPOINT_URI',
      checkpointUri,
      parseCheckpointUri,
      `${location}; unset means BACL_RUN_URI`,
    );
  }
  const everySteps = read.whole('BACL_CHECKPOINT_EVERY_STEPS', 1, should.everySteps, 'optional');
  const keepLast = read.whole('BACL_CHECKPOINT_KEEP_LAST', 1, should.keepLast, 'optional');
  const resume = read.raw('BACL_RESUME') ?? 'auto';
  if (resume !== 'auto') {
    read.valid('BACL_RESUME', resume, parseCheckpointRef, "'auto' or <run>/checkpoints/<stage>/ckpt-<step>");
  }
  const dataset: RankEnv['dataset'] = {};
  const datasetName = read.raw('BACL_DATASET');
  if (datasetName !== undefined) dataset.name = datasetName;
  for (const [variable, split] of [
    ['BACL_DATASET_TRAIN', 'train'],
    ['BACL_DATASET_VAL', 'val'],
  ] as const) {
    const value = read.raw(variable);
    if (value !== undefined && read.valid(variable, value, parseShardLocation, `${location} (shards)`))
      dataset[split] = value;
  }
  const weights = read.raw('BACL_WEIGHTS');
  if (
    weights !== undefined &&
    (!weights.endsWith('.safetensors') || (stages !== undefined && stages.join(',') !== 'evaluate'))
  )
    read.problem('BACL_WEIGHTS', should.weights);
  const evalGroundTruth = read.raw('BACL_EVAL_GT');
  const terminationLog = read.raw('BACL_TERMINATION_LOG');
  const terminationGraceSeconds = read.whole(
    'BACL_TERMINATION_GRACE_SECONDS',
    1,
    should.terminationGrace,
    'optional',
  );
  const s3 = readS3(read, env);
  const s3Retry = readS3Retry(read);
  if (
    read.problems.length > 0 ||
    group === undefined ||
    stages === undefined ||
    configPath === undefined ||
    runUri === undefined ||
    checkpointUri === undefined ||
    s3 === undefined
  )
    throw new RankEnvError(read.problems);
  const [namespace = '', jobName = ''] = group.job.split('/');
  return {
    namespace,
    jobName,
    stages,
    ...(socketDir === undefined ? {} : { socketDir }),
    group,
    configPath,
    runUri,
    checkpoint: {
      uri: checkpointUri,
      ...(everySteps === undefined ? {} : { everySteps }),
      ...(keepLast === undefined ? {} : { keepLast }),
    },
    resume,
    dataset,
    ...(weights === undefined ? {} : { weights }),
    ...(evalGroundTruth === undefined ? {} : { evalGroundTruth }),
    ...(terminationLog === undefined ? {} : { terminationLog }),
    ...(terminationGraceSeconds === undefined ? {} : { terminationGraceSeconds }),
    s3,
    s3Retry,
  };
}

/** The S3 settings alone (`bacl-worker purge`); throws RankEnvError naming every bad variable. */
export function readS3Env(env: NodeJS.ProcessEnv): S3Env {
  const read = new EnvReader(env);
  const client = readS3(read, env);
  const retry = readS3Retry(read);
  if (read.problems.length > 0 || client === undefined) throw new RankEnvError(read.problems);
  return { client, retry };
}

/** BACL_S3_REQUEST_TIMEOUT_SECONDS into the retry policy (a bad value is a problem; the default stands in). */
function readS3Retry(read: EnvReader): S3RetryPolicy {
  const variable = 'BACL_S3_REQUEST_TIMEOUT_SECONDS';
  const seconds = read.whole(variable, 1, should.requestTimeout, 'optional', maxS3RequestTimeoutSeconds);
  return resolveS3RetryPolicy(seconds === undefined ? {} : { attemptTimeoutMs: seconds * 1000 });
}

function readS3(read: EnvReader, env: NodeJS.ProcessEnv): S3ClientConfig | undefined {
  const style = read.raw('BACL_S3_FORCE_PATH_STYLE');
  if (style !== undefined && style !== 'true' && style !== 'false') {
    read.problem('BACL_S3_FORCE_PATH_STYLE', should.forcePathStyle);
  }
  try {
    return resolveS3ClientConfig(style === undefined ? {} : { forcePathStyle: style === 'true' }, env);
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    const variable =
      read.raw('AWS_ENDPOINT_URL_S3') !== undefined ? 'AWS_ENDPOINT_URL_S3' : 'AWS_ENDPOINT_URL';
    read.problem(variable, 'an http(s) URL of the S3 endpoint, e.g. http://minio:9000');
    return undefined;
  }
}

/** `rank` when RANK is set (a launcher or `baclctl run` started this process), else `launcher`. */
export function workerRole(env: NodeJS.ProcessEnv): 'rank' | 'launcher' {
  return env.RANK === undefined || env.RANK === '' ? 'launcher' : 'rank';
}
