import { expect } from 'chai';
import { buildWorkerPod } from '../../../operator/internal.js';
import { defaultS3RetryPolicy } from '../../../data/index.js';
import {
  RankEnvError,
  readGroupVariables,
  readPodEnv,
  readRankEnv,
  readS3Env,
  workerRole,
} from '../../../worker/internal.js';
import { job } from '../../operator/reconcile/fixtures.js';

/** What the operator sets on a 2-node x 2-GPU pod, plus what the launcher adds for local rank 1 of node 1. */
const good: NodeJS.ProcessEnv = {
  BACL_JOB: 'ml/lvis',
  BACL_ATTEMPT: '2',
  BACL_STAGE: 'representation',
  NODE_RANK: '1',
  WORLD_SIZE: '4',
  LOCAL_WORLD_SIZE: '2',
  RANK: '3',
  LOCAL_RANK: '1',
  NATS_URL: 'nats://nats.bacl:4222',
  BACL_CONFIG: '/etc/bacl/config/config.yaml',
  BACL_RUN_URI: 's3://bacl/runs/ml/lvis/uid-1',
  BACL_CHECKPOINT_URI: 's3://bacl/runs/ml/lvis/uid-1',
  BACL_CHECKPOINT_EVERY_STEPS: '1000',
  BACL_CHECKPOINT_KEEP_LAST: '3',
  BACL_RESUME: 'auto',
  BACL_DATASET: 'lvis-v1',
  BACL_DATASET_TRAIN: 's3://bacl/datasets/lvis-v1/train',
  BACL_DATASET_VAL: 's3://bacl/datasets/lvis-v1/val',
  AWS_REGION: 'eu-west-1',
  BACL_S3_FORCE_PATH_STYLE: 'true',
  AWS_ENDPOINT_URL_S3: 'http://minio:9000',
};

function problemsOf(env: NodeJS.ProcessEnv): Array<[string, string | undefined]> {
  try {
    readRankEnv(env);
  } catch (error) {
    if (!(error instanceof RankEnvError)) throw error;
    return error.problems.map((problem) => [problem.variable, problem.value]);
  }
  return [];
}

describe('worker/runtime/rank-env (pure)', function () {
  it('reads the whole contract into a typed object', function () {
    expect(readRankEnv(good)).to.deep.equal({
      namespace: 'ml',
      jobName: 'lvis',
      stages: ['representation'],
      group: {
        job: 'ml/lvis',
        attempt: 2,
        rank: 3,
        worldSize: 4,
        localRank: 1,
        localWorldSize: 2,
        nodeRank: 1,
        natsUrl: 'nats://nats.bacl:4222',
      },
      configPath: '/etc/bacl/config/config.yaml',
      runUri: 's3://bacl/runs/ml/lvis/uid-1',
      checkpoint: { uri: 's3://bacl/runs/ml/lvis/uid-1', everySteps: 1000, keepLast: 3 },
      resume: 'auto',
      dataset: {
        name: 'lvis-v1',
        train: 's3://bacl/datasets/lvis-v1/train',
        val: 's3://bacl/datasets/lvis-v1/val',
      },
      // maxAttempts 1: the SDK does not retry; every request goes through data's one retry policy (ADR 0035).
      s3: { region: 'eu-west-1', forcePathStyle: true, endpoint: 'http://minio:9000', maxAttempts: 1 },
      // No BACL_S3_REQUEST_TIMEOUT_SECONDS: data's default policy, 120 s per attempt (ADR 0040).
      s3Retry: defaultS3RetryPolicy,
    });
  });

  it('takes the per-attempt S3 deadline from BACL_S3_REQUEST_TIMEOUT_SECONDS, the rest of the policy the default', function () {
    for (const seconds of ['1', '3', '3600']) {
      const expected = { ...defaultS3RetryPolicy, attemptTimeoutMs: Number(seconds) * 1000 };
      expect(readRankEnv({ ...good, BACL_S3_REQUEST_TIMEOUT_SECONDS: seconds }).s3Retry).to.deep.equal(
        expected,
      );
      // bacl-worker purge reads the same variable the same way.
      expect(readS3Env({ ...good, BACL_S3_REQUEST_TIMEOUT_SECONDS: seconds }).retry).to.deep.equal(expected);
    }
    // '' is unset (Kubernetes passes empty values through).
    expect(readRankEnv({ ...good, BACL_S3_REQUEST_TIMEOUT_SECONDS: '' }).s3Retry).to.deep.equal(
      defaultS3RetryPolicy,
    );
    expect(readS3Env(good)).to.deep.equal({
      client: { region: 'eu-west-1', forcePathStyle: true, endpoint: 'http://minio:9000', maxAttempts: 1 },
      retry: defaultS3RetryPolicy,
    });
  });

  for (const value of ['0', '3601', '2.5', '-1', '10s', '1e3']) {
    it(`refuses BACL_S3_REQUEST_TIMEOUT_SECONDS=${value}, saying what it should be (rank and purge)`, function () {
      const env = { ...good, BACL_S3_REQUEST_TIMEOUT_SECONDS: value };
      expect(problemsOf(env)).to.deep.equal([['BACL_S3_REQUEST_TIMEOUT_SECONDS', value]]);
      expect(() => readS3Env(env))
        .to.throw(RankEnvError)
        .with.property('message')
        .that.includes(
          `BACL_S3_REQUEST_TIMEOUT_SECONDS=${JSON.stringify(value)}: should be a whole number of seconds from 1 ` +
            "to 3600 (one S3 request attempt's deadline; unset means 120)",
        );
    });
  }

  it('fills the defaults a local run relies on (no NATS, directories, attempt 0, config intervals)', function () {
    const local = readRankEnv({
      BACL_JOB: 'local/tiny',
      BACL_STAGE: 'evaluate',
      WORLD_SIZE: '2',
      RANK: '1',
      LOCAL_WORLD_SIZE: '2',
      BACL_CONFIG: '/tmp/out/config.yaml',
      BACL_RUN_URI: '/tmp/out',
    });
    expect(local.group).to.deep.equal({
      job: 'local/tiny',
      attempt: 0,
      rank: 1,
      worldSize: 2,
      localRank: 1,
      localWorldSize: 2,
      nodeRank: 0,
    });
    expect(local.checkpoint).to.deep.equal({ uri: '/tmp/out' });
    expect(local.resume).to.equal('auto');
    expect(local.dataset).to.deep.equal({});
    expect(local.s3).to.deep.equal({ region: 'us-east-1', forcePathStyle: false, maxAttempts: 1 });
  });

  it('reads the weights and ground truth an evaluate-only run evaluates (baclctl eval --weights)', function () {
    const env = readRankEnv({
      ...good,
      BACL_STAGE: 'evaluate',
      BACL_WEIGHTS: 's3://models/bacl_r50_lvis_v1.safetensors',
      BACL_EVAL_GT: '/data/lvis_v1_val.json',
    });
    expect(env.stages).to.deep.equal(['evaluate']);
    expect(env.weights).to.equal('s3://models/bacl_r50_lvis_v1.safetensors');
    expect(env.evalGroundTruth).to.equal('/data/lvis_v1_val.json');
    expect(readRankEnv(good)).to.not.have.any.keys('weights', 'evalGroundTruth');
  });

  it('accepts exactly what the operator sets on its worker pods, plus the launcher RANK and LOCAL_RANK', function () {
    const lvis = job({
      nodes: 2,
      gpusPerNode: 4,
      nats: { url: 'nats://n:4222', credentialsSecret: 'creds' },
    });
    const pod = buildWorkerPod(lvis, { stage: 'classifier', attempt: 1, nodeRank: 1 });
    const podEnv = Object.fromEntries(pod.spec?.containers[0]?.env?.map((e) => [e.name, e.value]) ?? []);
    expect(readPodEnv(podEnv)).to.deep.equal({ worldSize: 8, localWorldSize: 4, nodeRank: 1 });
    expect(workerRole(podEnv)).to.equal('launcher');
    const rank = readRankEnv({ ...podEnv, RANK: '6', LOCAL_RANK: '2' });
    expect(workerRole({ ...podEnv, RANK: '6' })).to.equal('rank');
    expect(rank.stages).to.deep.equal(['classifier']);
    expect(rank.group).to.include({
      rank: 6,
      nodeRank: 1,
      attempt: 1,
      natsCreds: '/etc/bacl/nats/nats.creds',
    });
    expect(rank.runUri).to.equal('s3://bacl/runs/ml/lvis/uid-1');
    // The pod's grace period (spec.terminationGracePeriodSeconds, its default), for the final checkpoint.
    expect(rank.terminationGraceSeconds).to.equal(120);
    expect(rank.checkpoint).to.deep.equal({
      uri: 's3://bacl/runs/ml/lvis/uid-1',
      everySteps: 1000,
      keepLast: 3,
    });
  });

  // Each row: the environment's changes, then every [variable, value] the error must name, in order.
  const bad: Array<[string, NodeJS.ProcessEnv, Array<[string, string | undefined]>]> = [
    [
      'nothing set',
      {},
      [
        ['BACL_JOB', undefined],
        ['WORLD_SIZE', undefined],
        ['RANK', undefined],
        ['BACL_STAGE', undefined],
        ['BACL_CONFIG', undefined],
        ['BACL_RUN_URI', undefined],
      ],
    ],
    ['rank past the world', { RANK: '4' }, [['RANK', '4']]],
    [
      'not numbers',
      { WORLD_SIZE: 'four', BACL_ATTEMPT: '-1', LOCAL_WORLD_SIZE: '1.5' },
      [
        ['BACL_ATTEMPT', '-1'],
        ['WORLD_SIZE', 'four'],
        ['LOCAL_WORLD_SIZE', '1.5'],
      ],
    ],
    ['inconsistent node layout', { NODE_RANK: '0' }, [['RANK', '3']]],
    [
      'no rank, bad local rank and node rank',
      { RANK: undefined, LOCAL_RANK: 'one', NODE_RANK: '-1' },
      [
        ['RANK', undefined],
        ['LOCAL_RANK', 'one'],
        ['NODE_RANK', '-1'],
      ],
    ],
    [
      'local size not dividing the world',
      { LOCAL_WORLD_SIZE: '3', LOCAL_RANK: '0' },
      [['LOCAL_WORLD_SIZE', '3']],
    ],
    ['local rank past the pod', { LOCAL_RANK: '2' }, [['LOCAL_RANK', '2']]],
    [
      'job without namespace, unknown stage',
      { BACL_JOB: 'lvis', BACL_STAGE: 'train' },
      [
        ['BACL_JOB', 'lvis'],
        ['BACL_STAGE', 'train'],
      ],
    ],
    [
      'weights for a training stage',
      { BACL_WEIGHTS: '/w/bacl_r50.safetensors' },
      [['BACL_WEIGHTS', '/w/bacl_r50.safetensors']],
    ],
    [
      'weights not as safetensors',
      { BACL_STAGE: 'evaluate', BACL_WEIGHTS: '/w/epoch_12.pth' },
      [['BACL_WEIGHTS', '/w/epoch_12.pth']],
    ],
    [
      'a grace period of no whole seconds',
      { BACL_TERMINATION_GRACE_SECONDS: '2.5' },
      [['BACL_TERMINATION_GRACE_SECONDS', '2.5']],
    ],
    [
      'a grace period of 0',
      { BACL_TERMINATION_GRACE_SECONDS: '0' },
      [['BACL_TERMINATION_GRACE_SECONDS', '0']],
    ],
    ['job name with a dot (not a NATS token)', { BACL_JOB: 'ml/lvis.v1' }, [['BACL_JOB', 'ml/lvis.v1']]],
    [
      'locations',
      {
        BACL_RUN_URI: 'gs://bucket/run',
        BACL_CHECKPOINT_URI: 's3://B/x',
        BACL_RESUME: 's3://bacl/runs/x',
        BACL_DATASET_TRAIN: 'http://host/train',
      },
      [
        ['BACL_RUN_URI', 'gs://bucket/run'],
        ['BACL_CHECKPOINT_URI', 's3://B/x'],
        ['BACL_RESUME', 's3://bacl/runs/x'],
        ['BACL_DATASET_TRAIN', 'http://host/train'],
      ],
    ],
    [
      'checkpoint intervals and S3',
      {
        BACL_CHECKPOINT_EVERY_STEPS: '0',
        BACL_CHECKPOINT_KEEP_LAST: 'all',
        BACL_S3_FORCE_PATH_STYLE: 'yes',
        AWS_ENDPOINT_URL_S3: 'minio:9000',
      },
      [
        ['BACL_CHECKPOINT_EVERY_STEPS', '0'],
        ['BACL_CHECKPOINT_KEEP_LAST', 'all'],
        ['BACL_S3_FORCE_PATH_STYLE', 'yes'],
        ['AWS_ENDPOINT_URL_S3', 'minio:9000'],
      ],
    ],
  ];
  for (const [what, changes, expected] of bad) {
    it(`lists every wrong variable at once: ${what}`, function () {
      const env = what === 'nothing set' ? {} : { ...good, ...changes };
      expect(problemsOf(env)).to.deep.equal(expected);
    });
  }

  it('says what each variable should be, and exits with the usage status', function () {
    let error: unknown;
    try {
      readRankEnv({ ...good, RANK: undefined, BACL_STAGE: 'train', BACL_CHECKPOINT_EVERY_STEPS: '' });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(RankEnvError);
    const { message, exitCode } = error as RankEnvError;
    expect(exitCode).to.equal(2);
    expect(message).to.match(/^the rank environment is wrong \(2 variables\):\n/);
    expect(message).to.include('  RANK is not set: should be a whole number below WORLD_SIZE (4)');
    expect(message).to.include(
      '  BACL_STAGE="train": should be one of representation, classifier, baseline, evaluate',
    );
    expect(message).to.match(/\nTry this: /);
  });

  it('the launcher reads only the pod variables, each problem listed', function () {
    expect(readPodEnv({ WORLD_SIZE: '2' })).to.deep.equal({ worldSize: 2, localWorldSize: 1, nodeRank: 0 });
    expect(() => readPodEnv({ WORLD_SIZE: '4', LOCAL_WORLD_SIZE: '2', NODE_RANK: '2' })).to.throw(
      RankEnvError,
      /NODE_RANK="2": should be a whole number below 2/,
    );
    try {
      readPodEnv({ LOCAL_WORLD_SIZE: 'x', NODE_RANK: '-1' });
      expect.fail('readPodEnv accepted a bad environment');
    } catch (error) {
      expect((error as RankEnvError).problems.map((p) => p.variable)).to.deep.equal([
        'WORLD_SIZE',
        'LOCAL_WORLD_SIZE',
        'NODE_RANK',
      ]);
    }
  });

  it('reads the group part: LOCAL_RANK and NODE_RANK derived when absent, each wrong variable named', function () {
    const group = {
      BACL_JOB: 'ns/job',
      BACL_ATTEMPT: '3',
      WORLD_SIZE: '4',
      RANK: '3',
      LOCAL_WORLD_SIZE: '2',
    };
    const read = {
      job: 'ns/job',
      attempt: 3,
      rank: 3,
      worldSize: 4,
      localRank: 1,
      localWorldSize: 2,
      nodeRank: 1,
    };
    expect(readGroupVariables(group)).to.deep.equal({ group: read, problems: [] });
    expect(readGroupVariables({ ...group, NATS_URL: 'nats://h:4222', NATS_CREDS: '/c' }).group).to.deep.equal(
      {
        ...read,
        natsUrl: 'nats://h:4222',
        natsCreds: '/c',
      },
    );
    expect(readGroupVariables({ ...group, LOCAL_WORLD_SIZE: undefined }).group).to.include({
      localWorldSize: 1,
      localRank: 0,
      nodeRank: 3,
    });
    expect(readGroupVariables({ ...group, BACL_ATTEMPT: undefined }).group?.attempt).to.equal(0);
    const cases: Array<[NodeJS.ProcessEnv, string]> = [
      [{ ...group, RANK: undefined }, 'RANK'],
      [{ ...group, RANK: '4' }, 'RANK'],
      [{ ...group, LOCAL_WORLD_SIZE: '3' }, 'LOCAL_WORLD_SIZE'],
      [{ ...group, NODE_RANK: '0' }, 'RANK'],
      [{ ...group, WORLD_SIZE: 'two' }, 'WORLD_SIZE'],
      [{ ...group, BACL_JOB: '' }, 'BACL_JOB'],
      [{ ...group, LOCAL_RANK: '2' }, 'LOCAL_RANK'],
    ];
    for (const [env, variable] of cases) {
      const { group: read, problems } = readGroupVariables(env);
      expect(read, JSON.stringify(env)).to.equal(undefined);
      expect(
        problems.map((p) => p.variable),
        JSON.stringify(env),
      ).to.include(variable);
    }
  });
});
