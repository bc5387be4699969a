import { expect } from 'chai';
import { Errors } from '@oclif/core';
import { dataCliError, runDataTask, toCliError } from '../../cli/internal.js';
import { LvisFormatError, LvisReadError } from '../../common/index.js';
import {
  DestinationNotEmptyError,
  S3RequestFailedError,
  ShardRecordError,
  SourceImageError,
  SynthOptionsError,
  TarFormatError,
} from '../../data/internal.js';

describe('cli/data-errors: the data tools failures become CLI errors (data/ knows no exit codes)', function () {
  const table: { what: string; error: Error; code: string; exit: number; tryThis: RegExp }[] = [
    {
      what: 'a bad record',
      error: new ShardRecordError('s.tar', 'k', 'bad'),
      code: 'DATA_INVALID',
      exit: 4,
      tryThis: /baclctl data prepare/,
    },
    {
      what: 'a damaged archive',
      error: new TarFormatError('a tar header has a wrong checksum', 512),
      code: 'DATA_INVALID',
      exit: 4,
      tryThis: /rebuild/,
    },
    {
      what: 'a missing source image',
      error: new SourceImageError(12, 'images[11]', ['/x/12.jpg'], 'no image file', 'not-found'),
      code: 'NOT_FOUND',
      exit: 3,
      tryThis: /--images/,
    },
    {
      what: 'impossible generator options',
      error: new SynthOptionsError('seed', 'bad', 'fix it'),
      code: 'USAGE',
      exit: 2,
      tryThis: /^fix it$/,
    },
    {
      what: 'a taken destination',
      error: new DestinationNotEmptyError('/data/x'),
      code: 'ALREADY_EXISTS',
      exit: 1,
      tryThis: /--out/,
    },
    {
      what: 'refused S3 credentials',
      error: Object.assign(new Error('x'), { name: 'InvalidAccessKeyId' }),
      code: 'S3_ERROR',
      exit: 1,
      tryThis: /AWS_ACCESS_KEY_ID/,
    },
    {
      what: 'an S3 endpoint that refuses connections',
      error: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      code: 'S3_ERROR',
      exit: 1,
      tryThis: /--s3-endpoint/,
    },
  ];
  for (const { what, error, code, exit, tryThis } of table) {
    it(`${what} -> ${code}, exit ${exit}, the message and one Try this line`, function () {
      const cli = dataCliError(error);
      expect(cli?.code).to.equal(code);
      expect(cli?.oclif.exit).to.equal(exit);
      expect(cli?.message).to.equal(error.message);
      expect(cli?.suggestions).to.have.length(1);
      expect(cli?.suggestions?.[0]).to.match(tryThis);
    });
  }

  it('an S3 request that failed every retry -> S3_ERROR, exit 1, the object and attempts named, one Try this line', function () {
    const error = new S3RequestFailedError(
      { action: 'GET', bucket: 'b', key: 'd/train/manifest.json' },
      8,
      21_400,
      {
        cause: Object.assign(new Error('ServiceUnavailable'), {
          name: 'ServiceUnavailable',
          $metadata: { httpStatusCode: 503 },
        }),
      },
    );
    const cli = dataCliError(error);
    expect(cli?.code).to.equal('S3_ERROR');
    expect(cli?.oclif.exit).to.equal(1);
    expect(cli?.message).to.equal(
      'GET s3://b/d/train/manifest.json failed 8 time(s) over 21.4 s, the last time with: HTTP 503 (ServiceUnavailable: ServiceUnavailable).',
    );
    expect(cli?.suggestions).to.deep.equal([error.hint]);
  });

  it('leaves the LVIS file errors and bugs to toCliError, which maps each once', function () {
    const format = new LvisFormatError({ file: 'a.json', jsonPath: 'images[0]' }, 'bad', 'do this');
    const read = new LvisReadError('gt.json', { cause: new Error('ENOENT') });
    for (const error of [format, read, new Error('a bug'), 'not an error']) {
      expect(dataCliError(error)).to.equal(undefined);
    }
    expect(toCliError(format, 'data prepare')).to.include({ code: 'DATA_INVALID' });
    expect(toCliError(format, 'data prepare').oclif.exit).to.equal(4);
    expect(toCliError(format, 'data prepare').suggestions).to.deep.equal(['do this']);
    expect(toCliError(read, 'eval')).to.include({ code: 'NOT_FOUND' });
    expect(toCliError(read, 'eval').suggestions).to.deep.equal(['check the path gt.json']);
  });

  it('runDataTask: an interruption is INTERRUPTED (exit 130), a data error is mapped, the rest passes', async function () {
    const caught = async (signal: AbortSignal, error: Error) => {
      try {
        await runDataTask(signal, () => Promise.reject(error));
      } catch (thrown) {
        return thrown;
      }
      return expect.fail('expected runDataTask to throw');
    };
    const stopped = new AbortController();
    stopped.abort('SIGINT');
    const interrupted = (await caught(stopped.signal, new Error('aborted'))) as Errors.CLIError;
    expect(interrupted).to.be.instanceOf(Errors.CLIError);
    expect(interrupted).to.include({ code: 'INTERRUPTED', message: 'interrupted; nothing was left behind' });
    expect(interrupted.oclif.exit).to.equal(130);
    expect(interrupted.suggestions).to.have.length(1);
    const running = new AbortController().signal;
    const mapped = (await caught(running, new DestinationNotEmptyError('/d'))) as Errors.CLIError;
    expect(mapped).to.include({ code: 'ALREADY_EXISTS', message: '/d is not empty' });
    const bug = new Error('a bug');
    expect(await caught(running, bug)).to.equal(bug);
    expect(await runDataTask(running, () => Promise.resolve(7))).to.equal(7);
  });
});
