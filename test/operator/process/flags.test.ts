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

  it('reads the per-job NATS user settings: signing key file, account, own credentials, rotation days', function () {
    const account = 'ADSILFOKOC44YIMERYQPWYIPZDWNZLG4BGYAGVIKZFLHLXTWPCLHGJXD';
    expect(parseOperatorFlags([]).natsMinting).to.equal(undefined);
    const base = [
      '--nats-url=nats://bacl-nats.bacl.svc:4222',
      '--nats-signing-key-file=/etc/bacl/nats-signing/seed',
    ];
    expect(parseOperatorFlags([...base, `--nats-account=${account}`]).natsMinting).to.deep.equal({
      signingKeyFile: '/etc/bacl/nats-signing/seed',
      account,
      periodSeconds: 30 * 24 * 3600,
    });
    expect(
      parseOperatorFlags([
        ...base,
        `--nats-account=${account}`,
        '--nats-operator-credentials-file=/etc/bacl/nats-operator/nats.creds',
        '--nats-credentials-days=7',
      ]).natsMinting,
    ).to.deep.equal({
      signingKeyFile: '/etc/bacl/nats-signing/seed',
      account,
      credentialsFile: '/etc/bacl/nats-operator/nats.creds',
      periodSeconds: 7 * 24 * 3600,
    });
    const refusals: [string[], string][] = [
      [[...base], '--nats-account must be an account public key'],
      [
        [...base, '--nats-account=UAXXZPH647GD2R42QBDIPDZSBMKE2EWLIHDQTCY2B4RTBYEZALHEJLEF'],
        '--nats-account',
      ],
      [[base[1]!, `--nats-account=${account}`], '--nats-signing-key-file needs --nats-url'],
      [[...base, `--nats-account=${account}`, '--nats-credentials-secret=shared'], 'exclude each other'],
      [[...base, `--nats-account=${account}`, '--nats-credentials-days=0'], '--nats-credentials-days'],
      [[`--nats-account=${account}`], 'need --nats-signing-key-file'],
    ];
    for (const [argv, message] of refusals)
      expect(() => parseOperatorFlags(argv), argv.join(' ')).to.throw(FlagError, message);
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
