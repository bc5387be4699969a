import { expect } from 'chai';
import { FlagError, parseAddress, parseOperatorFlags } from '../../../operator/internal.js';

describe('operator/process/flags', function () {
  it('has controller-runtime defaults: all namespaces, :8080 metrics, :8081 health, no leader election', function () {
    expect(parseOperatorFlags([])).to.deep.include({
      namespace: undefined,
      metricsAddr: ':8080',
      healthAddr: ':8081',
      leaderElect: false,
      leaseName: 'bacl-operator',
      concurrency: 4,
      logLevel: 'info',
    });
  });

  it('reads every flag', function () {
    const flags = parseOperatorFlags([
      '-n',
      'ml',
      '--metrics-addr=127.0.0.1:9090',
      '--health-addr',
      '0',
      '--leader-elect',
      '--leader-election-namespace',
      'ops',
      '--kubeconfig',
      '/k',
      '--concurrency',
      '8',
      '--log-level',
      'debug',
    ]);
    expect(flags).to.deep.include({
      namespace: 'ml',
      metricsAddr: '127.0.0.1:9090',
      healthAddr: '0',
      leaderElect: true,
      leaderElectionNamespace: 'ops',
      kubeconfig: '/k',
      concurrency: 8,
      logLevel: 'debug',
    });
  });

  it('reads the worker defaults, an empty flag being no default', function () {
    expect(parseOperatorFlags([]).workerDefaults).to.deep.equal({});
    const flags = parseOperatorFlags([
      '--worker-image=ghcr.io/bacl/worker:0.1.0',
      '--nats-url=nats://bacl-nats.bacl.svc:4222',
      '--nats-credentials-secret=nats-creds',
      '--s3-endpoint=http://s3.bacl.svc:7070',
      '--s3-credentials-secret=',
    ]);
    expect(flags.workerDefaults).to.deep.equal({
      image: 'ghcr.io/bacl/worker:0.1.0',
      natsUrl: 'nats://bacl-nats.bacl.svc:4222',
      natsCredentialsSecret: 'nats-creds',
      s3Endpoint: 'http://s3.bacl.svc:7070',
    });
    expect(() => parseOperatorFlags(['--nats-url=http://nats:4222'])).to.throw(FlagError, '--nats-url');
    expect(() => parseOperatorFlags(['--s3-endpoint=s3.local'])).to.throw(FlagError, '--s3-endpoint');
    expect(() => parseOperatorFlags(['--s3-credentials-secret=S3 creds'])).to.throw(
      FlagError,
      '--s3-credentials-secret must name a Secret',
    );
  });

  it('refuses bad values naming the flag', function () {
    expect(() => parseOperatorFlags(['--concurrency', '0'])).to.throw(FlagError, '--concurrency');
    expect(() => parseOperatorFlags(['--log-level', 'loud'])).to.throw(FlagError, '--log-level');
    expect(() => parseOperatorFlags(['--metrics-addr', 'localhost'])).to.throw(FlagError, '--metrics-addr');
    expect(() => parseOperatorFlags(['--nope'])).to.throw(FlagError, "Unknown option '--nope'");
  });

  it('parses addresses: host optional, 0 turns the endpoint off', function () {
    expect(parseAddress(':8080', 'f')).to.deep.equal({ port: 8080 });
    expect(parseAddress('127.0.0.1:0', 'f')).to.deep.equal({ host: '127.0.0.1', port: 0 });
    expect(parseAddress('0', 'f')).to.equal(undefined);
  });
});
