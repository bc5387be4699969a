import { expect } from 'chai';
import { applyWorkerDefaults, type WorkerDefaults } from '../../../operator/internal.js';

const all: WorkerDefaults = {
  image: 'ghcr.io/bacl/worker:0.1.0',
  natsUrl: 'nats://bacl-nats.bacl.svc:4222',
  natsCredentialsSecret: 'nats-creds',
  s3Endpoint: 'http://s3.bacl.svc:7070',
  s3CredentialsSecret: 'bacl-s3',
};
const stated = {
  image: 'mine:1',
  nats: { url: 'nats://mine:4222' },
  s3: { uri: 's3://b', endpoint: 'https://my-s3', credentialsSecret: 'my-s3' },
};

describe('operator/reconcile/worker-defaults', function () {
  it('fills every left-out field from the defaults, as one merge patch', function () {
    expect(applyWorkerDefaults({ s3: { uri: 's3://b' } }, all)).to.deep.equal({
      patch: {
        spec: {
          image: 'ghcr.io/bacl/worker:0.1.0',
          nats: { url: 'nats://bacl-nats.bacl.svc:4222', credentialsSecret: 'nats-creds' },
          s3: { endpoint: 'http://s3.bacl.svc:7070', forcePathStyle: true, credentialsSecret: 'bacl-s3' },
        },
      },
      missing: [],
    });
  });

  it('never replaces what a job states', function () {
    expect(applyWorkerDefaults(stated, all)).to.deep.equal({ missing: [] });
  });

  it('gives the default NATS credentials only to jobs on the default NATS', function () {
    const own = applyWorkerDefaults({ ...stated, nats: { url: 'nats://mine:4222' } }, all);
    expect(own.patch).to.equal(undefined);
    const keepsSecret = applyWorkerDefaults({ ...stated, nats: { credentialsSecret: 'mine' } }, all);
    expect(keepsSecret.patch).to.deep.equal({ spec: { nats: { url: 'nats://bacl-nats.bacl.svc:4222' } } });
  });

  it('names each field that is left out and has no default, and where to set it', function () {
    const { patch, missing } = applyWorkerDefaults({ s3: { uri: 's3://b' } }, { s3Endpoint: 'http://s3:1' });
    expect(patch).to.deep.equal({ spec: { s3: { endpoint: 'http://s3:1', forcePathStyle: true } } });
    expect(missing).to.have.length(3);
    expect(missing[0]).to.match(/^spec\.image .*--worker-image.*workerDefaults\.image/);
    expect(missing[1]).to.match(/^spec\.nats\.url .*--nats-url/);
    expect(missing[2]).to.match(/^spec\.s3\.credentialsSecret .*--s3-credentials-secret/);
    expect(applyWorkerDefaults(undefined, {}).missing).to.have.length(3);
  });
});
