// What `baclctl run` and `baclctl eval --weights` tell from their ranks' output, as pure logic: the failing
// rank's own message (bacl-worker's `bacl-worker: rank N: <why>`), one rank unprefixed or several prefixed
// `[rank N] `; and the environment a local run's ranks inherit, cleared of another run's variables.
import { Errors } from '@oclif/core';
import { expect } from 'chai';
import { localRankEnv, rankFailureReason, readLocalS3Env } from '../../cli/internal.js';
import { defaultS3RetryPolicy } from '../../data/index.js';

describe('cli/run local ranks', function () {
  it("finds the failing rank's message, one rank or several", function () {
    const one =
      'bacl-worker: rank 0: backend wasm\n' +
      'bacl-worker: rank 0: /w/x.safetensors does not fit the model: missing a.weight. Try this: fix it\n';
    expect(rankFailureReason(one, 0)).to.equal(
      '/w/x.safetensors does not fit the model: missing a.weight. Try this: fix it',
    );
    const two =
      '[rank 0] bacl-worker: rank 0: backend wasm\n' +
      '[rank 1] bacl-worker: rank 1: BACL_WEIGHTS /w/x.safetensors: cannot read it\n' +
      '[rank 1] second line of rank 1\n' +
      '[rank 0] bacl-worker: rank 0: peer 1 is gone\n';
    expect(rankFailureReason(two, 1)).to.equal(
      'BACL_WEIGHTS /w/x.safetensors: cannot read it\nsecond line of rank 1',
    );
    expect(rankFailureReason(two, 0)).to.equal('peer 1 is gone');
    expect(rankFailureReason('Killed\n', 0)).to.equal(undefined);
  });

  it("gives the ranks this environment without another run's rank variables", function () {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, {
        RANK: '3',
        BACL_WEIGHTS: '/old.safetensors',
        BACL_EVAL_GT: '/g.json',
        KEEP: 'me',
      });
      const env = localRankEnv('configs/lvis_v1.yaml', { BACL_STAGE: 'evaluate' });
      expect(env).to.not.have.any.keys('RANK', 'BACL_WEIGHTS', 'BACL_EVAL_GT');
      expect(env).to.include({ KEEP: 'me', BACL_STAGE: 'evaluate', BACL_JOB: 'local/lvis_v1' });
      expect(env.BACL_ATTEMPT).to.match(/^\d+$/);
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });
});

describe('cli/run: the S3 settings baclctl run reads once at start-up (pure)', function () {
  it('takes BACL_S3_REQUEST_TIMEOUT_SECONDS as the per-attempt deadline its ranks and its own reads use', function () {
    const env = readLocalS3Env({
      AWS_ENDPOINT_URL_S3: 'http://minio:9000',
      BACL_S3_REQUEST_TIMEOUT_SECONDS: '5',
    });
    expect(env.retry).to.deep.equal({ ...defaultS3RetryPolicy, attemptTimeoutMs: 5_000 });
    expect(env.client).to.include({ endpoint: 'http://minio:9000', forcePathStyle: true });
    expect(readLocalS3Env({}).retry).to.deep.equal(defaultS3RetryPolicy);
  });

  it('refuses a bad value as a usage error naming the variable, before anything is made', function () {
    let error: unknown;
    try {
      readLocalS3Env({ BACL_S3_REQUEST_TIMEOUT_SECONDS: '0' });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(Errors.CLIError);
    const { message, oclif, code } = error as Errors.CLIError;
    expect(code).to.equal('USAGE');
    expect(oclif.exit).to.equal(2);
    expect(message).to.include(
      'BACL_S3_REQUEST_TIMEOUT_SECONDS="0": should be a whole number of seconds from 1 to 3600',
    );
  });
});
