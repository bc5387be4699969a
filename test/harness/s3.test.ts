import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { expect } from 'chai';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3Server } from './s3.js';
import { sharedS3 } from './servers.js';

describe('harness: S3 server (versitygw)', function () {
  let server: S3Server;
  let s3: S3Client;
  let bucket: string;

  before(async function () {
    server = await sharedS3();
    // SDK defaults on purpose (requestChecksumCalculation WHEN_SUPPORTED): the server must speak them.
    s3 = server.client();
    bucket = `smoke-${randomBytes(4).toString('hex')}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  after(function () {
    s3?.destroy();
  });

  it('puts, gets and lists an object', async function () {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/hello.txt', Body: 'hello, bacl' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'a/hello.txt' }));
    expect(await got.Body?.transformToString()).to.equal('hello, bacl');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'a/' }));
    expect(listed.Contents?.map((object) => [object.Key, object.Size])).to.deep.equal([['a/hello.txt', 11]]);
  });

  it('paginates a listing with MaxKeys=1 through continuation tokens', async function () {
    const keys = ['page/1', 'page/2', 'page/3'];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: 'page/', MaxKeys: 1, ContinuationToken: token }),
      );
      pages += 1;
      expect(page.Contents).to.have.length(1);
      seen.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (page.IsTruncated) expect(token, 'a truncated page carries a continuation token').to.be.a('string');
    } while (token);
    expect(seen).to.deep.equal(keys);
    expect(pages).to.equal(3);
  });

  it('takes a 12 MiB multipart upload through lib-storage with default checksums, bytes intact', async function () {
    const body = randomBytes(12 * 1024 * 1024);
    const upload = new Upload({
      client: s3,
      params: { Bucket: bucket, Key: 'multipart/blob.bin', Body: Readable.from(chunks(body, 256 * 1024)) },
      partSize: 5 * 1024 * 1024,
      queueSize: 2,
    });
    const done = await upload.done();
    // A real multipart ETag is the MD5 of the part MD5s, suffixed with the part count.
    expect(done.ETag).to.equal(`"${multipartEtag(body, 5 * 1024 * 1024)}-3"`);
    // lib-storage sent a CRC32 per part (SDK default); the server validated them and reports the composite:
    // CRC32 over the parts' CRC32s, with the part count.
    const composite = `${compositeCrc32(body, 5 * 1024 * 1024)}-3`;
    expect(done.ChecksumCRC32).to.equal(composite);

    const head = await s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: 'multipart/blob.bin', ChecksumMode: 'ENABLED' }),
    );
    expect(head.ChecksumCRC32).to.equal(composite);
    expect(head.ContentLength).to.equal(body.length);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'multipart/blob.bin' }));
    const bytes = Buffer.from((await got.Body?.transformToByteArray()) ?? []);
    expect(bytes.length).to.equal(body.length);
    expect(sha256(bytes)).to.equal(sha256(body));
  });

  it('refuses a body whose declared CRC32 checksum does not match (BadDigest)', async function () {
    const error = await s3
      .send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'bad-digest',
          Body: 'some bytes',
          ChecksumCRC32: 'AAAAAA==',
        }),
      )
      .then(
        () => undefined,
        (failure: unknown) => failure as { name?: string; $metadata?: { httpStatusCode?: number } },
      );
    expect(error?.name).to.equal('BadDigest');
    expect(error?.$metadata?.httpStatusCode).to.equal(400);
  });

  it('checks SigV4 signatures: a wrong secret is refused', async function () {
    const wrong = server.client({
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: 'not-the-secret' },
    });
    try {
      const error = await wrong.send(new ListObjectsV2Command({ Bucket: bucket })).then(
        () => undefined,
        (failure: unknown) => failure as { name?: string; $metadata?: { httpStatusCode?: number } },
      );
      expect(error?.name).to.equal('SignatureDoesNotMatch');
      expect(error?.$metadata?.httpStatusCode).to.equal(403);
    } finally {
      wrong.destroy();
    }
  });
});

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function multipartEtag(body: Buffer, partSize: number): string {
  const partDigests = [...chunks(body, partSize)].map((part) => createHash('md5').update(part).digest());
  return createHash('md5').update(Buffer.concat(partDigests)).digest('hex');
}

function compositeCrc32(body: Buffer, partSize: number): string {
  const partCrcs = [...chunks(body, partSize)].map((part) => {
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(part));
    return crc;
  });
  const whole = Buffer.alloc(4);
  whole.writeUInt32BE(crc32(Buffer.concat(partCrcs)));
  return whole.toString('base64');
}

function* chunks(body: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < body.length; offset += size) yield body.subarray(offset, offset + size);
}
