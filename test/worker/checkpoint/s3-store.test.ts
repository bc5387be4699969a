import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import {
  commit,
  openCheckpointStore,
  readCheckpoint,
  S3CheckpointStore,
  writeRankState,
  writeSharedState,
} from '../../../worker/internal.js';
import { sharedS3 } from '../../harness/index.js';
import { checkpointStoreSuite } from './store-suite.js';

describe('checkpoint store: S3', function () {
  let s3: S3Client;
  let bucket: string;
  let count = 0;

  before(async function () {
    s3 = (await sharedS3()).client();
    bucket = `ckpt-${randomBytes(4).toString('hex')}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  checkpointStoreSuite(
    () => Promise.resolve(openCheckpointStore(`s3://${bucket}/runs/ns/job/uid-${count++}`, { s3 })),
    async (store, name) => {
      const bytes = await store.get(name);
      bytes[0] = bytes[0]! ^ 0xff;
      await store.put(name, bytes);
    },
  );

  it('uploads a blob above the part size as a multipart upload and reads it back bitwise', async function () {
    const store = new S3CheckpointStore(s3, bucket, 'runs/ns/job/multipart', { partSize: 5 * 1024 * 1024 });
    const big = new Uint8Array(5 * 1024 * 1024 + 123_457);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
    await writeSharedState(store, 'stage1', 3, { 'weights.bin': big });
    await writeRankState(store, 'stage1', 3, 0, { 'state.json': new TextEncoder().encode('{}') });
    const key = 'runs/ns/job/multipart/checkpoints/stage1/ckpt-3/shared/weights.bin';
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ContentLength).to.equal(big.length);
    // A multipart object's ETag is "<md5 of part md5s>-<part count>".
    expect(head.ETag).to.match(/-2"?$/);
    const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(Buffer.from(await body.Body!.transformToByteArray()).equals(Buffer.from(big))).to.equal(true);
    const committed = await commit(store, { stage: 'stage1', step: 3, worldSize: 1, configDigest: 'c' });
    expect(committed.uri).to.equal(`s3://${bucket}/runs/ns/job/multipart/checkpoints/stage1/ckpt-3`);
    const loaded = await readCheckpoint(store, 'stage1', 3);
    expect(Buffer.from(loaded.blobs.get('shared/weights.bin')!).equals(Buffer.from(big))).to.equal(true);
  });

  it('stops an upload when its signal aborts and commits nothing', async function () {
    const store = new S3CheckpointStore(s3, bucket, 'runs/ns/job/aborted', { partSize: 5 * 1024 * 1024 });
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const error = await writeSharedState(
      store,
      'stage1',
      1,
      { 'w.bin': new Uint8Array(10) },
      controller.signal,
    ).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(Error).with.property('message', 'stop');
    expect(await store.list('checkpoints')).to.deep.equal([]);
  });
});
