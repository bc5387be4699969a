// The evaluate stage's pure pieces: the test transform and its scale back, the merge of the ranks'
// detections (image-id order, each image's own order, the same list from any split), the results file's
// bytes, the per-rank part round trip and metrics.json.
import { expect } from 'chai';
import { evaluationMetricsSchema, parseLvisGroundTruth } from '../../../common/internal.js';
import { evaluateLvis, formatLvisMetrics, LVIS_METRIC_KEYS } from '../../../data/internal.js';
import {
  detectionsJson,
  EvaluateError,
  EvaluateMergeError,
  EvaluateOptionError,
  mergeRankDetections,
  metricsJson,
  parsePart,
  partJson,
  partDir,
  partName,
  testTransform,
  type ImageDetections,
  type RankDetections,
  type StandardPipeline,
} from '../../../worker/internal.js';

const pipeline: StandardPipeline = { kind: 'standard', scales: [[1333, 800]], flipRatio: 0, sizeDivisor: 32 };

/** Image `id` with `count` rows whose scores fall, in the order inference would give them. */
function image(id: number, count: number): ImageDetections {
  return {
    imageId: id,
    detections: Array.from({ length: count }, (_, k) => ({
      image_id: id,
      category_id: 1 + (k % 3),
      bbox: [k + 0.25, id / 3, 10 + k, 20.5] as [number, number, number, number],
      score: 0.9 - k / 10,
    })),
  };
}

const all = [image(3, 2), image(7, 0), image(11, 3), image(12, 1), image(20, 2), image(25, 1)];

/** `images` split into `worldSize` parts by the given cut points (each part sorted by id, as ranks deliver). */
function split(images: ImageDetections[], cuts: number[]): RankDetections[] {
  const bounds = [0, ...cuts, images.length];
  return bounds.slice(1).map((end, rank) => ({
    rank,
    worldSize: bounds.length - 1,
    images: images.slice(bounds[rank], end),
  }));
}

describe('worker/runtime evaluate stage: pure pieces', function () {
  describe('testTransform', function () {
    it('resizes to fit (1333, 800) keeping the ratio and records the factor that scales boxes back', function () {
      const t = testTransform(640, 480, pipeline);
      // factor = min(1333 / 640, 800 / 480) = 1.6667: 1067 x 800, padded to 1088 x 800.
      expect(t.imageShape).to.deep.equal({ width: 1067, height: 800 });
      expect(t.scaleFactor).to.deep.equal([1067 / 640, 800 / 480]);
      expect(t.padded).to.deep.equal({ width: 1088, height: 800 });
      expect(t.original).to.deep.equal({ width: 640, height: 480 });
      // The resized image's corners go back to the original's (what post-processing divides by).
      expect(t.imageShape.width / t.scaleFactor[0]).to.equal(640);
      expect(t.imageShape.height / t.scaleFactor[1]).to.equal(480);
      const portrait = testTransform(427, 640, pipeline);
      // factor = min(1333 / 640, 800 / 427) = 1.8735: 800 x 1199, the long side under 1333.
      expect(portrait.imageShape).to.deep.equal({ width: 800, height: 1199 });
    });

    it('refuses test-time flips, several scales and bad sizes', function () {
      expect(() => testTransform(10, 10, { ...pipeline, flipRatio: 0.5 })).to.throw(
        EvaluateOptionError,
        /flip/,
      );
      expect(() =>
        testTransform(10, 10, {
          ...pipeline,
          scales: [
            [1333, 800],
            [1333, 640],
          ],
        }),
      ).to.throw(EvaluateOptionError, /test_scale/);
      expect(() => testTransform(0, 10, pipeline)).to.throw(EvaluateOptionError, /image size/);
    });
  });

  describe('mergeRankDetections', function () {
    it("orders images by id, keeps each image's rows in order, and gives one list for every split", function () {
      const one = mergeRankDetections(split(all, []), all.length);
      expect(one.map((row) => row.image_id)).to.deep.equal([3, 3, 11, 11, 11, 12, 20, 20, 25]);
      expect(one.filter((row) => row.image_id === 11).map((row) => row.score)).to.deep.equal([0.9, 0.8, 0.7]);
      const text = detectionsJson(one);
      for (const cuts of [[1], [3], [5], [2, 4], [0, 6], [1, 2, 3, 4, 5]]) {
        expect(
          detectionsJson(mergeRankDetections(split(all, cuts), all.length)),
          `cuts ${cuts.join(',')}`,
        ).to.equal(text);
      }
      // Parts in any order, ranks holding interleaved ids (a shuffled shard order): the same list.
      const interleaved: RankDetections[] = [
        { rank: 1, worldSize: 2, images: [all[1]!, all[3]!, all[5]!] },
        { rank: 0, worldSize: 2, images: [all[0]!, all[2]!, all[4]!] },
      ];
      expect(detectionsJson(mergeRankDetections(interleaved))).to.equal(text);
    });

    it('names the rank of an image inferred twice, a missing rank, a world-size mismatch and a short count', function () {
      const twice = split(all, [3]);
      twice[1]!.images.unshift(all[0]!);
      expect(() => mergeRankDetections(twice))
        .to.throw(EvaluateMergeError, /rank 1: image 3 was also inferred by rank 0/)
        .with.property('rank', 1);
      expect(() => mergeRankDetections([split(all, [3])[0]!])).to.throw(
        EvaluateMergeError,
        /rank 1: .*missing/,
      );
      const mixed = split(all, [3]);
      mixed[1] = { ...mixed[1]!, worldSize: 3 };
      expect(() => mergeRankDetections(mixed)).to.throw(EvaluateMergeError, /world of 3 ranks/);
      expect(() => mergeRankDetections(split(all, [3]), 7)).to.throw(
        EvaluateMergeError,
        /6 images, the val split has 7/,
      );
      expect(() => mergeRankDetections([])).to.throw(EvaluateMergeError, /no rank/);
    });

    it('refuses a non-finite number, naming rank, image and field', function () {
      const bad = split(structuredClone(all), [2]);
      bad[1]!.images[1]!.detections[0]!.bbox[1] = Number.NaN;
      expect(() => mergeRankDetections(bad)).to.throw(
        EvaluateMergeError,
        /rank 1: image 12: detection 0 bbox\[1\] is NaN/,
      );
    });
  });

  describe('detectionsJson', function () {
    it('writes one row per line with the LVIS keys in order, -0 as 0, and parses back to the same doubles', function () {
      const rows = mergeRankDetections([
        {
          rank: 0,
          worldSize: 1,
          images: [
            {
              imageId: 5,
              detections: [
                { score: 0.1 + 0.2, bbox: [-0, 1 / 3, 2.5e-7, 1e21], category_id: 2, image_id: 5 },
                { image_id: 5, category_id: 1, bbox: [0, 0, 1, 1], score: Math.fround(0.7) },
              ],
            },
          ],
        },
      ]);
      const text = detectionsJson(rows);
      expect(text).to.equal(
        '[\n' +
          '{"image_id":5,"category_id":2,"bbox":[0,0.3333333333333333,2.5e-7,1e+21],"score":0.30000000000000004},\n' +
          '{"image_id":5,"category_id":1,"bbox":[0,0,1,1],"score":0.699999988079071}\n' +
          ']\n',
      );
      expect(JSON.parse(text)).to.deep.equal(rows);
      expect(Object.is((JSON.parse(text) as Array<{ bbox: number[] }>)[0]!.bbox[0], 0)).to.equal(true);
      expect(detectionsJson([])).to.equal('[]\n');
    });
  });

  describe('rank parts', function () {
    it('round-trip chunk by chunk to the same merge, and name their rank and chunk when wrong', function () {
      const parts = split(all, [4]);
      // Rank 0's share in chunks of 3 images (out of id order, as inference may deliver them), rank 1's in one.
      const chunks = [
        { rank: 0, worldSize: 2, chunk: 0, images: [parts[0]!.images[2]!, ...parts[0]!.images.slice(0, 2)] },
        { rank: 0, worldSize: 2, chunk: 1, images: parts[0]!.images.slice(3) },
        { rank: 1, worldSize: 2, chunk: 0, images: parts[1]!.images },
      ];
      const back = chunks.map((chunk) =>
        parsePart(partJson(chunk), partName(chunk.rank, 2, chunk.chunk), chunk.rank, chunk.chunk),
      );
      const merged = [0, 1].map((rank) => ({
        rank,
        worldSize: 2,
        images: back.filter((chunk) => chunk.rank === rank).flatMap((chunk) => chunk.images),
      }));
      expect(detectionsJson(mergeRankDetections(merged, 6))).to.equal(
        detectionsJson(mergeRankDetections(parts, 6)),
      );
      expect(partName(1, 2, 3)).to.equal('eval/parts/rank-1-of-2/chunk-00003.json');
      expect(partName(1, 2, 3).startsWith(`${partDir(1, 2)}/`)).to.equal(true);
      expect(() => parsePart(partJson(chunks[0]!), 'p', 1, 0)).to.throw(
        EvaluateMergeError,
        /rank 1: p holds rank 0's chunk 0/,
      );
      expect(() => parsePart(partJson(chunks[1]!), 'p', 0, 0)).to.throw(
        EvaluateMergeError,
        /rank 0: p holds rank 0's chunk 1/,
      );
      expect(() => parsePart('{"rank":0,"worldSize":2,"chunk":0,"images":[', 'p', 0, 0)).to.throw(
        EvaluateMergeError,
        /not JSON/,
      );
      expect(() =>
        parsePart('{"rank":0,"worldSize":2,"chunk":0,"images":[{"image_id":1}]}', 'p', 0, 0),
      ).to.throw(EvaluateMergeError, /images\.0\.detections/);
    });
  });

  describe('metricsJson', function () {
    const gt = parseLvisGroundTruth({
      images: [{ id: 1, width: 100, height: 100, neg_category_ids: [], not_exhaustive_category_ids: [] }],
      annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [10, 10, 30, 30], area: 900 }],
      categories: [{ id: 1, name: 'a', frequency: 'r', image_count: 1, instance_count: 1 }],
    });

    it("is `baclctl eval -o json`'s text: the 13 keys in lvis-api order, and validates", function () {
      const { metrics } = evaluateLvis(gt, [
        { image_id: 1, category_id: 1, bbox: [10, 10, 30, 30], score: 0.5 },
      ]);
      const text = metricsJson(metrics);
      expect(text).to.equal(formatLvisMetrics(metrics, 'json'));
      const value = JSON.parse(text) as Record<string, number>;
      expect(Object.keys(value)).to.deep.equal([...LVIS_METRIC_KEYS]);
      expect(value.AP).to.be.closeTo(1, 1e-9); // 101-point sums, as lvis-api
      expect(value.APc).to.equal(-1);
      expect(evaluationMetricsSchema.safeParse(value).success).to.equal(true);
    });

    it('refuses a metric that is not a finite number', function () {
      const { metrics } = evaluateLvis(gt, []);
      expect(() => metricsJson({ ...metrics, APr: Number.NaN })).to.throw(EvaluateError, /APr is NaN/);
    });
  });
});
