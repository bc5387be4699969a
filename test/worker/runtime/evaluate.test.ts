// The evaluate stage end to end on local shards (issue #13 point 5): the tiny detector, trained a few steps on
// a synthetic train split, infers the val split (6 images in shards of two, so a shard is cut between two
// ranks' shares) into a LocalCheckpointStore. detections.json is an LVIS results file naming only val images
// and categories, with boxes in original-image pixels; metrics.json is what `baclctl eval` prints for that
// file; two ranks over the real local transport (a disjoint share each, streamed in chunks with a round of
// progress after each, merged by rank 0) write the same bytes as one; a rank that fails fails the other,
// which names it; batches of same-size images change no bit; an abort stops the stage before anything is
// written; no tensor outlives the stage.
import { cp, mkdtemp, readFile, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '@oclif/test';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  evaluationMetricsSchema,
  loadLvisGroundTruth,
  loadLvisResults,
  loadTrainingConfig,
  metricsObjectPath,
} from '../../../common/internal.js';
import { openDatasetSource, planRankShare } from '../../../data/internal.js';
import {
  detectionsObjectPath,
  EvaluateOptionError,
  EvaluateRankError,
  evaluateStage,
  initTf,
  joinLocalGroup,
  LocalCheckpointStore,
  loadValGroundTruth,
  partName,
  testPipeline,
  testTransform,
  type Detector,
  type EvaluateStageOptions,
  type EvaluateStageResult,
  type Collective,
} from '../../../worker/internal.js';
import { makeWorkDir } from '../../harness/index.js';
import { evalFixture, tinyDetector, type EvalFixture } from './eval-fixture.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** A group of `count` ranks in this process over the real local transport (sockets in a fresh directory). */
async function localGroup(count: number, digest: string): Promise<Collective[]> {
  const socketDir = await mkdtemp(join(tmpdir(), 'bacl-ev-'));
  return Promise.all(
    Array.from({ length: count }, (_, rank) =>
      joinLocalGroup({ socketDir, rank, worldSize: count, configDigest: digest }),
    ),
  );
}

/** Settles every promise; the values, or the errors where they failed. */
async function settle<T>(promises: Array<Promise<T>>): Promise<Array<T | Error>> {
  return Promise.all(promises.map((p) => p.catch((error: unknown) => error as Error)));
}

describe('worker/runtime evaluateStage on local shards', function () {
  this.timeout(300_000);
  let dir: string;
  let fixture: EvalFixture;
  let detector: Detector;
  let single: { detections: string; metrics: string };

  const options = (out: string, extra: Partial<EvaluateStageOptions> = {}): EvaluateStageOptions => ({
    detector,
    config: fixture.config,
    manifest: fixture.manifest,
    source: fixture.source,
    groundTruth: fixture.groundTruth,
    store: new LocalCheckpointStore(join(dir, out)),
    ...extra,
  });
  const read = async (out: string) => ({
    detections: await readFile(join(dir, out, detectionsObjectPath), 'utf8'),
    metrics: await readFile(join(dir, out, metricsObjectPath), 'utf8'),
  });

  before(async function () {
    await initTf({ backend: 'wasm' });
    dir = makeWorkDir('evaluate-stage');
    fixture = await evalFixture(dir, { trainImages: 8, valImages: 6, seed: 5, shardBytes: 16 * 1024 });
    detector = await tinyDetector(fixture, 40);
    const progress: Array<{ done: number; total: number }> = [];
    const tensors = tf.memory().numTensors;
    const result = await evaluateStage(options('one', { onProgress: (p) => progress.push(p) }));
    expect(tf.memory().numTensors, 'tensors left behind').to.equal(tensors);
    single = await read('one');
    expect(result.images).to.equal(6);
    expect(progress[0]).to.deep.equal({ done: 0, total: 6 });
    expect(progress.at(-1)).to.deep.equal({ done: 6, total: 6 });
  });
  after(function () {
    detector?.dispose();
  });

  it('writes an LVIS results file naming only val images and categories, boxes in original pixels', async function () {
    const rows = await loadLvisResults(join(dir, 'one', detectionsObjectPath));
    expect(rows.length).to.be.greaterThan(0);
    const images = new Map(fixture.groundTruth.images.map((image) => [image.id, image]));
    const categories = new Set(fixture.groundTruth.categories.map((c) => c.id));
    let touchesEdge = 0;
    for (const { image_id, category_id, bbox, score } of rows) {
      const image = images.get(image_id);
      expect(image, `image ${image_id}`).to.not.equal(undefined);
      expect(categories.has(category_id), `category ${category_id}`).to.equal(true);
      expect(score).to.be.greaterThan(0).and.at.most(1);
      const [x, y, w, h] = bbox;
      // Clipped to the resized image, then divided by the scale factor: inside the original image.
      expect(x).to.be.at.least(0);
      expect(y).to.be.at.least(0);
      expect(x + w).to.be.at.most(image!.width * (1 + 1e-6));
      expect(y + h).to.be.at.most(image!.height * (1 + 1e-6));
      if (x + w > image!.width - 0.01 || y + h > image!.height - 0.01) touchesEdge += 1;
    }
    // Boxes clipped at the right or bottom edge land on it, so the scale back was neither short nor long.
    expect(touchesEdge, 'boxes on the far edges').to.be.greaterThan(0);
    const scaled = fixture.groundTruth.images.filter((image) => Math.max(image.width, image.height) !== 128);
    expect(scaled.length, 'images the test transform rescales').to.be.greaterThan(0);
    // Ordered by image id; each image's rows class by class, scores descending within a class.
    const order = rows.map((row) => row.image_id);
    expect(order).to.deep.equal([...order].sort((a, b) => a - b));
    expect(new Set(order).size).to.be.at.most(6);
  });

  it('reads the val ground truth from beside the shards as `baclctl eval --gt` reads the file', async function () {
    const beside = await loadValGroundTruth(fixture.manifest, fixture.source);
    expect(beside).to.deep.equal(await loadLvisGroundTruth(fixture.valFile));
    expect(beside.images).to.have.length(6);
  });

  it('writes metrics.json that validates and equals `baclctl eval` on detections.json', async function () {
    const metrics = JSON.parse(single.metrics) as Record<string, number>;
    expect(evaluationMetricsSchema.safeParse(metrics).success).to.equal(true);
    expect(Object.keys(metrics)).to.have.length(13);
    expect(metrics.AP50, 'a trained detector finds something').to.be.greaterThan(0);
    process.env.NODE_ENV = 'test';
    const { stdout, error } = await runCommand(
      ['eval', '--gt', fixture.valFile, '--results', join(dir, 'one', detectionsObjectPath), '-o', 'json'],
      { root },
    );
    expect(error).to.equal(undefined);
    expect(stdout).to.equal(single.metrics);
  });

  it('gives the same bytes from two ranks, each streaming a disjoint share in chunks, merged by rank 0', async function () {
    const shares = [0, 1].map((rank) => planRankShare(fixture.manifest.shards, { rank, worldSize: 2 }));
    expect(shares.flat().length, 'a shard is cut between the ranks').to.be.greaterThan(
      fixture.manifest.shards.length,
    );
    const group = await localGroup(2, 'two');
    const progress: Array<Array<{ done: number; total: number }>> = [[], []];
    const store = new LocalCheckpointStore(join(dir, 'two'));
    // A stale chunk of an earlier attempt: rank 1 clears it before writing its own.
    await store.put(partName(1, 2, 7), new TextEncoder().encode('stale'));
    try {
      const results = await Promise.all(
        group.map((collective, rank) =>
          evaluateStage(
            options('two', {
              group: collective,
              chunkImages: 2,
              onProgress: (p) => progress[rank]!.push(p),
            }),
          ),
        ),
      );
      expect(results.map((r) => r.images)).to.deep.equal([3, 3]);
      expect(results[1]!.metrics).to.equal(undefined);
    } finally {
      await Promise.all(group.map((collective) => collective.close()));
    }
    const merged = await read('two');
    expect(merged.detections).to.equal(single.detections);
    expect(merged.metrics).to.equal(single.metrics);
    const left = await store.list('eval');
    expect(left, 'the parts are removed').to.deep.equal([detectionsObjectPath, metricsObjectPath]);
    // Two rounds of 2 images a rank, then the last image of each: the group's counts, the same on both ranks.
    const counts = [0, 4, 6].map((done) => ({ done, total: 6 }));
    expect(progress[1]).to.deep.equal(counts);
    expect(progress[0]).to.deep.equal([...counts, { done: 6, total: 6 }]);
  });

  it('fails every rank when one fails mid-stage, naming it, and writes no results', async function () {
    // Rank 1 reads a copy of the shards in which the last shard of its share (not rank 0's) is cut short.
    const [own] = planRankShare(fixture.manifest.shards, { rank: 0, worldSize: 2 }).map((s) => s.shard);
    const last = planRankShare(fixture.manifest.shards, { rank: 1, worldSize: 2 }).at(-1)!.shard;
    expect(last, 'a shard only rank 1 reads').to.not.equal(own);
    const damaged = join(dir, 'damaged-shards');
    await cp(join(dir, 'val-shards'), damaged, { recursive: true });
    const shard = join(damaged, last);
    await truncate(shard, Math.floor((await stat(shard)).size / 3));
    const group = await localGroup(2, 'failing');
    let failures: Array<EvaluateStageResult | Error>;
    try {
      failures = await settle(
        group.map((collective, rank) =>
          evaluateStage(
            options('failing', {
              group: collective,
              chunkImages: 1,
              ...(rank === 1 ? { source: openDatasetSource(damaged) } : {}),
            }),
          ),
        ),
      );
    } finally {
      await Promise.all(group.map((collective) => collective.close()));
    }
    const [zero, one] = failures as [Error, Error];
    expect(one, 'rank 1 fails with its own error').to.be.instanceOf(Error);
    expect(one).to.not.be.instanceOf(EvaluateRankError);
    expect(zero).to.be.instanceOf(EvaluateRankError);
    expect((zero as EvaluateRankError).rank).to.equal(1);
    expect(zero.message).to.contain(`evaluate: rank 1 failed (${one.message.split('\n')[0]})`);
    const left = await new LocalCheckpointStore(join(dir, 'failing')).list('eval');
    expect(left.filter((name) => !name.startsWith('eval/parts/'))).to.deep.equal([]);
  });

  it('names a rank that is lost to the group (PeerLostError) and writes no results', async function () {
    const group = await localGroup(2, 'lost');
    let failure: unknown;
    try {
      // Rank 1 leaves the group as soon as rank 0 has started; rank 0 learns it at its first round.
      await evaluateStage(
        options('lost', {
          group: group[0],
          chunkImages: 1,
          onProgress: ({ done }) => {
            if (done === 0) void group[1]!.close();
          },
        }),
      ).catch((error: unknown) => (failure = error));
    } finally {
      await Promise.all(group.map((collective) => collective.close()));
    }
    expect(failure).to.be.instanceOf(EvaluateRankError);
    expect((failure as EvaluateRankError).rank).to.equal(1);
    expect((failure as Error).message).to.match(/^evaluate: rank 1 failed \(it closed the group\)/);
    const left = await new LocalCheckpointStore(join(dir, 'lost')).list('eval');
    expect(left.filter((name) => !name.startsWith('eval/parts/'))).to.deep.equal([]);
  });

  it('gives the same bytes with batches of same-size images', async function () {
    // A (160, 96) test scale pads these 96-128 px images to 128x96 or 96x128, so batches must be grouped.
    const config = loadTrainingConfig('tiny', { sets: ['data.test_scale=[160,96]'] }).config;
    const done: number[] = [];
    await evaluateStage(options('unbatched', { config }));
    await evaluateStage(options('batched', { config, batchSize: 3, onProgress: (p) => done.push(p.done) }));
    const sizes = done.slice(1).map((d, i) => d - done[i]!);
    expect(Math.max(...sizes), 'a batch of several images ran').to.be.greaterThan(1);
    const padded = fixture.groundTruth.images.map((image) => {
      const { padded } = testTransform(image.width, image.height, testPipeline(config.data));
      return `${padded.width}x${padded.height}`;
    });
    expect(new Set(padded).size, 'padded sizes').to.be.greaterThan(1);
    const [batched, unbatched] = [await read('batched'), await read('unbatched')];
    expect(batched.detections).to.equal(unbatched.detections);
    expect(batched.metrics).to.equal(unbatched.metrics);
  });

  it('stops on abort before writing anything', async function () {
    const controller = new AbortController();
    const stage = evaluateStage(
      options('aborted', {
        signal: controller.signal,
        onProgress: ({ done }) => {
          if (done >= 1) controller.abort(new Error('stopped by the test'));
        },
      }),
    );
    let failure: unknown;
    await stage.catch((error: unknown) => (failure = error));
    expect((failure as Error | undefined)?.message).to.equal('stopped by the test');
    expect(await new LocalCheckpointStore(join(dir, 'aborted')).list('eval')).to.deep.equal([]);
  });

  it('refuses a chunk size that is not a positive integer', async function () {
    let failure: unknown;
    await evaluateStage(options('bad-chunk', { chunkImages: 0 })).catch((e: unknown) => (failure = e));
    expect(failure).to.be.instanceOf(EvaluateOptionError);
    expect((failure as EvaluateOptionError).field).to.equal('chunkImages');
  });
});
