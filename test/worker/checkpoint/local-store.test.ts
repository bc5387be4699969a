import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import {
  CheckpointIncompleteError,
  CheckpointLocationError,
  commit,
  LocalCheckpointStore,
  openCheckpointStore,
  parseCheckpointRef,
  parseCheckpointUri,
  readCheckpoint,
  resumeLatest,
  writePart,
  type CheckpointStore,
} from '../../../worker/internal.js';
import { makeWorkDir } from '../../harness/index.js';
import { writeCheckpoint } from './fixtures.js';
import { checkpointStoreSuite } from './store-suite.js';

describe('checkpoint store: local directory', function () {
  const root = makeWorkDir('checkpoint-local');
  let count = 0;
  checkpointStoreSuite(
    () => Promise.resolve(openCheckpointStore(join(root, `run-${count++}`))),
    async (store, name) => {
      const path = store.locate(name);
      const bytes = await readFile(path);
      bytes[0] = bytes[0]! ^ 0xff;
      await writeFile(path, bytes);
    },
  );

  it('does not commit a part that an earlier attempt completed and this one died rewriting', async function () {
    const store = new LocalCheckpointStore(join(root, 'rewrite'));
    await writeCheckpoint(store, 'stage1', 10, 2);
    await writeCheckpoint(store, 'stage1', 20, 2, { commit: false }); // the attempt that died before commit
    // The next attempt resumes from 10, reaches 20 again, and rank 1 dies after its first blob.
    const dying: CheckpointStore = {
      ...store,
      locate: (name) => store.locate(name),
      get: (name, signal) => store.get(name, signal),
      size: (name) => store.size(name),
      list: (prefix, signal) => store.list(prefix, signal),
      remove: (names, signal) => store.remove(names, signal),
      put: async (name, bytes, signal) => {
        if (name.endsWith('rank-1/state.json')) throw new Error('killed');
        await store.put(name, bytes, signal);
      },
    };
    const died = await writePart(dying, 'stage1', 20, 'rank-1', {
      'fhm.bin': new Uint8Array([1, 2, 3]),
      'state.json': new Uint8Array([4]),
    }).catch((e: unknown) => e);
    expect(died).to.have.property('message', 'killed');
    const failure = await commit(store, { stage: 'stage1', step: 20, worldSize: 2, configDigest: 'x' }).catch(
      (e: unknown) => e,
    );
    expect(failure).to.be.instanceOf(CheckpointIncompleteError).with.deep.property('missing', ['rank-1']);
    expect((await resumeLatest(store, 'stage1'))?.step).to.equal(10);
  });

  it('leaves no temp files behind and writes the design layout', async function () {
    const store = new LocalCheckpointStore(join(root, 'layout'));
    await writeCheckpoint(store, 'stage1', 7, 2);
    const files = (await readdir(store.root, { recursive: true })).sort();
    expect(files.filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    expect(files).to.include.members([
      join('checkpoints', 'stage1', 'latest.json'),
      join('checkpoints', 'stage1', 'ckpt-7', 'manifest.json'),
      join('checkpoints', 'stage1', 'ckpt-7', 'shared', 'part.json'),
      join('checkpoints', 'stage1', 'ckpt-7', 'rank-1', 'state.json'),
    ]);
  });
});

describe('checkpoint URIs', function () {
  it('parses s3://, file:// and plain paths', function () {
    expect(parseCheckpointUri('s3://bucket/runs/ns/job/uid/')).to.deep.equal({
      kind: 's3',
      bucket: 'bucket',
      prefix: 'runs/ns/job/uid',
    });
    expect(parseCheckpointUri('s3://bucket')).to.deep.equal({ kind: 's3', bucket: 'bucket', prefix: '' });
    expect(parseCheckpointUri(pathToFileURL('/tmp/run a').href)).to.deep.equal({
      kind: 'local',
      dir: '/tmp/run a',
    });
    expect(parseCheckpointUri('out/run')).to.deep.equal({ kind: 'local', dir: 'out/run' });
  });

  it('refuses other schemes, bad buckets and an S3 URI without a client', function () {
    expect(() => parseCheckpointUri('gs://bucket/x')).to.throw(CheckpointLocationError, /gs:\/\/bucket\/x/);
    expect(() => parseCheckpointUri('s3://B_/x')).to.throw(CheckpointLocationError, /not a valid bucket/);
    expect(() => parseCheckpointUri('s3://bucket/a//b')).to.throw(CheckpointLocationError, /segment/);
    expect(() => openCheckpointStore('s3://bucket/x')).to.throw(CheckpointLocationError, /no S3 client/);
  });

  it('splits a checkpoint URI (resume: <uri>) into its run root, stage and step', async function () {
    expect(parseCheckpointRef('s3://bkt/runs/ns/job/uid/checkpoints/stage1/ckpt-200/')).to.deep.equal({
      root: 's3://bkt/runs/ns/job/uid',
      stage: 'stage1',
      step: 200,
    });
    const root = join(makeWorkDir('checkpoint-ref'), 'run');
    const committed = await writeCheckpoint(openCheckpointStore(root), 'classifier', 30, 1);
    const ref = parseCheckpointRef(committed!.uri);
    expect(ref).to.deep.equal({ root, stage: 'classifier', step: 30 });
    const loaded = await readCheckpoint(openCheckpointStore(ref.root), ref.stage, ref.step);
    expect(loaded.manifest.step).to.equal(30);
    for (const bad of ['s3://bkt/runs/x', '/run/checkpoints/stage1/ckpt-01', '/run/checkpoints/../ckpt-3']) {
      expect(() => parseCheckpointRef(bad), bad).to.throw(CheckpointLocationError);
    }
  });

  it('refuses stage names and blob names that are not plain segments', async function () {
    const store: CheckpointStore = new LocalCheckpointStore(makeWorkDir('checkpoint-names'));
    let error = await writePart(store, '../x', 1, 'shared', {}).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(CheckpointLocationError);
    error = await writePart(store, 'stage1', 1, 'shared', { '../evil': new Uint8Array(1) }).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(CheckpointLocationError);
    error = await writePart(store, 'stage1', -1, 'shared', {}).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(CheckpointLocationError);
  });
});
