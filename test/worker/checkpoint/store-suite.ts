// The behaviour both CheckpointStore implementations must have, run by local-store.test.ts and
// s3-store.test.ts against a real directory and a real S3 server.
import { expect } from 'chai';
import {
  CheckpointCorruptError,
  CheckpointIncompleteError,
  CheckpointMismatchError,
  commit,
  decodeRankState,
  decodeSharedState,
  listCheckpoints,
  pruneCheckpoints,
  readCheckpoint,
  readLatestPointer,
  resumeLatest,
  type CheckpointStore,
} from '../../../worker/internal.js';
import { bytesOf, rankState, sharedState, writeCheckpoint } from './fixtures.js';

/** `fresh()` gives an empty store; `corrupt(store, name)` flips a byte of an object in place. */
export function checkpointStoreSuite(
  fresh: () => Promise<CheckpointStore>,
  corrupt: (store: CheckpointStore, name: string) => Promise<void>,
): void {
  it('round-trips shared and per-rank state bitwise', async function () {
    const store = await fresh();
    const committed = await writeCheckpoint(store, 'stage1', 40, 3);
    expect(committed?.uri).to.equal(store.locate('checkpoints/stage1/ckpt-40'));
    const loaded = await resumeLatest(store, 'stage1', {
      expect: { worldSize: 3, configDigest: 'sha256:config-a' },
    });
    expect(loaded?.step).to.equal(40);
    const shared = decodeSharedState(loaded!);
    const expected = sharedState(40);
    expect(shared.weights.map((a) => [a.name, a.dtype, a.shape])).to.deep.equal(
      expected.weights.map((a) => [a.name, a.dtype, a.shape]),
    );
    shared.weights.forEach((array, i) =>
      expect(bytesOf(array.data)).to.deep.equal(bytesOf(expected.weights[i]!.data)),
    );
    expect(bytesOf(shared.optimizer[0]!.data)).to.deep.equal(bytesOf(expected.optimizer[0]!.data));
    for (let rank = 0; rank < 3; rank++) {
      const state = decodeRankState(loaded!, rank);
      const want = rankState(40, rank);
      expect(state.rng).to.deep.equal(want.rng);
      expect(state.cursor).to.deep.equal(want.cursor);
      expect(bytesOf(state.fhm[0]!.data)).to.deep.equal(bytesOf(want.fhm[0]!.data));
    }
    // The manifest lists every blob of every part with its size and SHA-256.
    expect(loaded!.manifest.blobs.map((b) => b.name)).to.include.members([
      'shared/weights.bin',
      'shared/weights.json',
      'shared/optimizer.bin',
      'rank-2/state.json',
      'rank-2/fhm.bin',
    ]);
    expect(loaded!.manifest).to.include({
      stage: 'stage1',
      step: 40,
      worldSize: 3,
      created: '2026-01-01T00:00:40.000Z',
    });
    expect(loaded!.manifest.blobs.every((b) => /^[0-9a-f]{64}$/.test(b.sha256))).to.equal(true);
  });

  it('has no checkpoint before the first commit', async function () {
    const store = await fresh();
    expect(await resumeLatest(store, 'stage1')).to.equal(undefined);
    await writeCheckpoint(store, 'stage1', 10, 2, { commit: false });
    expect(await resumeLatest(store, 'stage1')).to.equal(undefined);
    expect(await readLatestPointer(store, 'stage1')).to.equal(undefined);
  });

  it('keeps the previous checkpoint when parts are written but not committed', async function () {
    const store = await fresh();
    await writeCheckpoint(store, 'stage1', 10, 2);
    await writeCheckpoint(store, 'stage1', 20, 2, { commit: false });
    expect((await resumeLatest(store, 'stage1'))?.step).to.equal(10);
    const listed = await listCheckpoints(store, 'stage1');
    expect(listed.map((l) => [l.step, l.committed, l.latest])).to.deep.equal([
      [10, true, true],
      [20, false, false],
    ]);
  });

  it('refuses to commit while a part or blob is missing, naming each', async function () {
    const store = await fresh();
    await writeCheckpoint(store, 'stage1', 10, 2);
    await writeCheckpoint(store, 'stage1', 20, 2, { commit: false });
    // A rank that died before its part.json, and a shared blob that never arrived.
    await store.remove([
      'checkpoints/stage1/ckpt-20/rank-1/part.json',
      'checkpoints/stage1/ckpt-20/shared/weights.bin',
    ]);
    const failure = await commit(store, { stage: 'stage1', step: 20, worldSize: 3, configDigest: 'x' }).catch(
      (e: unknown) => e,
    );
    expect(failure).to.be.instanceOf(CheckpointIncompleteError);
    expect((failure as CheckpointIncompleteError).missing).to.deep.equal([
      'shared/weights.bin',
      'rank-1',
      'rank-2',
    ]);
    expect((failure as Error).message)
      .to.contain('stage1/ckpt-20')
      .and.contain('rank-1');
    expect((await readLatestPointer(store, 'stage1'))?.step).to.equal(10);
    expect(await store.size('checkpoints/stage1/ckpt-20/manifest.json')).to.equal(undefined);
  });

  it('names a corrupted blob and falls back to the previous checkpoint on resume', async function () {
    const store = await fresh();
    await writeCheckpoint(store, 'stage1', 10, 2);
    await writeCheckpoint(store, 'stage1', 20, 2);
    await corrupt(store, 'checkpoints/stage1/ckpt-20/rank-1/fhm.bin');
    const error = await readCheckpoint(store, 'stage1', 20).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(CheckpointCorruptError);
    expect((error as CheckpointCorruptError).object).to.equal(
      store.locate('checkpoints/stage1/ckpt-20/rank-1/fhm.bin'),
    );
    expect((error as Error).message).to.match(/SHA-256 [0-9a-f]{64}; manifest.json says/);
    expect((error as Error).message).to.contain('resume from an earlier one');
    const told: [string, number | undefined][] = [];
    const loaded = await resumeLatest(store, 'stage1', {
      onFallback: (e, next) => told.push([e.object, next]),
    });
    expect(loaded?.step).to.equal(10);
    expect(told).to.deep.equal([[store.locate('checkpoints/stage1/ckpt-20/rank-1/fhm.bin'), 10]]);
  });

  it('falls back to the newest committed checkpoint when latest.json itself is damaged', async function () {
    const store = await fresh();
    await writeCheckpoint(store, 'stage1', 10, 1);
    await writeCheckpoint(store, 'stage1', 20, 1);
    await writeCheckpoint(store, 'stage1', 30, 1, { commit: false });
    await corrupt(store, 'checkpoints/stage1/latest.json');
    const pointer = await readLatestPointer(store, 'stage1').catch((e: unknown) => e);
    expect(pointer).to.be.instanceOf(CheckpointCorruptError);
    expect((pointer as CheckpointCorruptError).object).to.equal(
      store.locate('checkpoints/stage1/latest.json'),
    );
    expect((pointer as Error).message)
      .to.contain('is not JSON')
      .and.contain('resume: <uri>');
    const told: (number | undefined)[] = [];
    const loaded = await resumeLatest(store, 'stage1', { onFallback: (_e, next) => told.push(next) });
    expect(loaded?.step).to.equal(20);
    expect(told).to.deep.equal([20]);
  });

  it('throws the first error when no checkpoint verifies', async function () {
    const store = await fresh();
    await writeCheckpoint(store, 'stage1', 10, 1);
    await corrupt(store, 'checkpoints/stage1/ckpt-10/shared/weights.bin');
    const error = await resumeLatest(store, 'stage1').catch((e: unknown) => e);
    expect(error).to.be.instanceOf(CheckpointCorruptError);
    expect((error as CheckpointCorruptError).object).to.match(/ckpt-10\/shared\/weights\.bin$/);
  });

  it('refuses a checkpoint of another world size or config', async function () {
    const store = await fresh();
    await writeCheckpoint(store, 'stage1', 10, 2);
    const worlds = await resumeLatest(store, 'stage1', { expect: { worldSize: 4 } }).catch((e: unknown) => e);
    expect(worlds)
      .to.be.instanceOf(CheckpointMismatchError)
      .and.include({ field: 'worldSize', actual: 2, expected: 4 });
    const configs = await resumeLatest(store, 'stage1', { expect: { configDigest: 'other' } }).catch(
      (e: unknown) => e,
    );
    expect(configs).to.be.instanceOf(CheckpointMismatchError).and.include({ field: 'configDigest' });
  });

  it('prunes to keepLast, never the latest, and removes torn leftovers below it', async function () {
    const store = await fresh();
    for (const step of [10, 20, 30]) await writeCheckpoint(store, 'stage1', step, 1);
    await writeCheckpoint(store, 'stage1', 25, 1, { commit: false });
    await writeCheckpoint(store, 'stage1', 40, 1);
    await writeCheckpoint(store, 'stage1', 50, 1, { commit: false }); // in progress above latest: left alone
    expect(await pruneCheckpoints(store, 'stage1', 2)).to.deep.equal([10, 20, 25]);
    const listed = await listCheckpoints(store, 'stage1');
    expect(listed.map((l) => [l.step, l.committed, l.latest])).to.deep.equal([
      [30, true, false],
      [40, true, true],
      [50, false, false],
    ]);
    expect(await store.list('checkpoints/stage1/ckpt-10')).to.deep.equal([]);
    expect(await pruneCheckpoints(store, 'stage1', 1)).to.deep.equal([30]);
    expect((await resumeLatest(store, 'stage1'))?.step).to.equal(40);
  });

  it('keeps two stages side by side', async function () {
    const store = await fresh();
    await writeCheckpoint(store, 'stage1', 100, 1);
    await writeCheckpoint(store, 'stage1', 200, 1);
    await writeCheckpoint(store, 'stage2', 10, 2);
    expect(await pruneCheckpoints(store, 'stage2', 1)).to.deep.equal([]);
    expect(await pruneCheckpoints(store, 'stage1', 1)).to.deep.equal([100]);
    expect((await resumeLatest(store, 'stage1'))?.step).to.equal(200);
    const second = await resumeLatest(store, 'stage2');
    expect(second?.step).to.equal(10);
    expect(second?.manifest.worldSize).to.equal(2);
    expect(await store.list('checkpoints')).to.include.members([
      'checkpoints/stage1/latest.json',
      'checkpoints/stage2/latest.json',
      'checkpoints/stage2/ckpt-10/manifest.json',
    ]);
  });

  it('detects a manifest replaced after the commit', async function () {
    const store = await fresh();
    await writeCheckpoint(store, 'stage1', 10, 1);
    await corrupt(store, 'checkpoints/stage1/ckpt-10/manifest.json');
    const error = await readCheckpoint(store, 'stage1', 10, {
      manifestSha256: (await readLatestPointer(store, 'stage1'))!.manifestSha256,
    }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(CheckpointCorruptError);
    expect((error as CheckpointCorruptError).object).to.match(/ckpt-10\/manifest\.json$/);
  });
}
