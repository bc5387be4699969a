import { expect } from 'chai';
import sharp from 'sharp';
import {
  decodeJpeg,
  explainDataError,
  parseShardLocation,
  resolveS3ClientConfig,
  ShardLocationError,
  ShardRecordError,
} from '../../../data/shards/index.js';
import { SynthOptionsError } from '../../../data/synth/index.js';
import { LvisFormatError } from '../../../common/index.js';

describe('data/shards: locations, S3 settings, error advice, decoding', function () {
  it('parses s3:// URIs and local paths', function () {
    expect(parseShardLocation('s3://bucket/a/b/')).to.include({
      kind: 's3',
      bucket: 'bucket',
      prefix: 'a/b',
    });
    expect(parseShardLocation('s3://bucket')).to.include({ kind: 's3', bucket: 'bucket', prefix: '' });
    expect(parseShardLocation('./shards/x')).to.include({ kind: 'local', dir: './shards/x' });
    expect(() => parseShardLocation('gs://bucket/x')).to.throw(ShardLocationError, /only s3:\/\//);
    expect(() => parseShardLocation('s3://Bad_Bucket/x')).to.throw(ShardLocationError, /not a valid bucket/);
  });

  it('resolves S3 settings: flags, then AWS_* variables; path style on with an endpoint', function () {
    const env = { AWS_ENDPOINT_URL_S3: 'http://s3.local:9000', AWS_REGION: 'eu-west-1' };
    expect(resolveS3ClientConfig({}, env)).to.deep.equal({
      endpoint: 'http://s3.local:9000',
      region: 'eu-west-1',
      forcePathStyle: true,
    });
    expect(
      resolveS3ClientConfig({ endpoint: 'https://x', region: 'r', forcePathStyle: false }, env),
    ).to.deep.equal({
      endpoint: 'https://x',
      region: 'r',
      forcePathStyle: false,
    });
    expect(resolveS3ClientConfig({}, {})).to.deep.equal({ region: 'us-east-1', forcePathStyle: false });
    expect(() => resolveS3ClientConfig({ endpoint: 'minio:9000' }, {})).to.throw(ShardLocationError);
  });

  it('maps errors to exit codes with one thing to try', function () {
    expect(explainDataError(new ShardRecordError('s.tar', 'k', 'bad'))).to.include({
      exit: 4,
      code: 'DATA_INVALID',
    });
    expect(explainDataError(new SynthOptionsError('seed', 'bad', 'fix it'))).to.deep.equal({
      code: 'USAGE',
      exit: 2,
      tryThis: 'fix it',
    });
    const lvis = new LvisFormatError({ file: 'a.json', jsonPath: 'images[0]' }, 'bad', 'do this');
    expect(explainDataError(lvis)).to.deep.equal({ code: 'DATA_INVALID', exit: 4, tryThis: 'do this' });
    expect(explainDataError(Object.assign(new Error('x'), { name: 'InvalidAccessKeyId' }))).to.include({
      code: 'S3_ERROR',
    });
    expect(explainDataError(new Error('a bug'))).to.equal(undefined);
  });

  it('decodes a greyscale JPEG to 3-channel RGB', async function () {
    const grey = await sharp(Buffer.alloc(16 * 8, 200), { raw: { width: 16, height: 8, channels: 1 } })
      .jpeg()
      .toBuffer();
    const decoded = await decodeJpeg(grey);
    expect([decoded.width, decoded.height, decoded.channels, decoded.data.length]).to.deep.equal([
      16, 8, 3, 384,
    ]);
    expect(Math.abs(decoded.data[0]! - 200)).to.be.at.most(2);
  });
});
