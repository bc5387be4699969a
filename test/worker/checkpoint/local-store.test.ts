import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import {
  CheckpointLocationError,
  LocalCheckpointStore,
  openCheckpointStore,
  parseCheckpointUri,
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
