import { expect } from 'chai';
import sharp from 'sharp';
import {
  DataError,
  decodeJpeg,
  parseShardLocation,
  resolveS3ClientConfig,
  ShardError,
  ShardLocationError,
  ShardRecordError,
  TarFormatError,
  SynthError,
  SynthOptionsError,
  SynthOutputExistsError,
} from '../../../data/internal.js';

describe('data/shards: locations, S3 settings, the error family, decoding', function () {
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

  it('resolves S3 settings: flags, then AWS_* variables; path style on with an endpoint; no SDK retries', function () {
    const env = { AWS_ENDPOINT_URL_S3: 'http://s3.local:9000', AWS_REGION: 'eu-west-1' };
    expect(resolveS3ClientConfig({}, env)).to.deep.equal({
      endpoint: 'http://s3.local:9000',
      region: 'eu-west-1',
      forcePathStyle: true,
      maxAttempts: 1,
    });
    expect(
      resolveS3ClientConfig({ endpoint: 'https://x', region: 'r', forcePathStyle: false }, env),
    ).to.deep.equal({
      endpoint: 'https://x',
      region: 'r',
      forcePathStyle: false,
      maxAttempts: 1,
    });
    expect(resolveS3ClientConfig({}, {})).to.deep.equal({
      region: 'us-east-1',
      forcePathStyle: false,
      maxAttempts: 1,
    });
    expect(() => resolveS3ClientConfig({ endpoint: 'minio:9000' }, {})).to.throw(ShardLocationError);
  });

  it('gives the shard, tar and generator errors one DataError base with a kind and one hint', function () {
    const errors = [
      new ShardRecordError('s.tar', 'k', 'bad'),
      new ShardLocationError('gs://x', 'not s3', 'use s3://'),
      new TarFormatError('a tar header has a wrong checksum', 512),
      new SynthOptionsError('seed', 'bad', 'fix it'),
      new SynthOutputExistsError('/tmp/taken'),
    ];
    for (const error of errors) {
      expect(error).to.be.instanceOf(DataError);
      expect(error.hint).to.be.a('string').and.not.equal('');
    }
    expect(errors.map((error) => [error.name, error.kind])).to.deep.equal([
      ['ShardRecordError', 'invalid'],
      ['ShardLocationError', 'usage'],
      ['TarFormatError', 'invalid'],
      ['SynthOptionsError', 'usage'],
      ['SynthOutputExistsError', 'exists'],
    ]);
    expect(errors[0]).to.be.instanceOf(ShardError).and.not.instanceOf(SynthError);
    expect(errors[3]).to.be.instanceOf(SynthError).and.not.instanceOf(ShardError);
    const cause = new Error('socket hang up');
    expect(new ShardRecordError('s.tar', 'k', 'bad', { cause }).cause).to.equal(cause);
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
