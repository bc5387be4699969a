// Aspect grouping, mmdet's epoch length, the training filter, and the prefetching iterator.
import { expect } from 'chai';
import type { LvisAnnotation, LvisImage } from '../../../common/index.js';
import {
  AspectGrouper,
  epochSteps,
  labelMap,
  prefetch,
  trainingGroupSizes,
  trainsOn,
  usableAnnotations,
} from '../../../worker/internal.js';

const image = (id: number, width: number, height: number): LvisImage => ({
  id,
  width,
  height,
  neg_category_ids: [],
  not_exhaustive_category_ids: [],
});

const annotation = (
  id: number,
  imageId: number,
  bbox: [number, number, number, number],
  extra = {},
): LvisAnnotation => ({ id, image_id: imageId, category_id: 5, bbox, area: bbox[2] * bbox[3], ...extra });

describe('worker/data batching', function () {
  it('emits same-group batches in stream order and keeps the rest waiting', function () {
    const grouper = new AspectGrouper<string>(2);
    const out: string[][] = [];
    const stream: Array<[string, 0 | 1]> = [
      ['a', 0],
      ['b', 1],
      ['c', 1],
      ['d', 1],
      ['e', 0],
      ['f', 0],
    ];
    for (const [item, group] of stream) {
      const batch = grouper.push(item, group);
      if (batch) out.push(batch);
    }
    expect(out).to.deep.equal([
      ['b', 'c'],
      ['a', 'e'],
    ]);
    expect(grouper.pending).to.equal(2);
  });

  it("counts mmdet DistributedGroupSampler's steps: sum of ceil(size / spg / world)", function () {
    expect(epochSteps([10, 7], 2, 2)).to.equal(3 + 2);
    expect(epochSteps([0, 1], 8, 2)).to.equal(1);
    expect(epochSteps([99388, 0], 8, 2)).to.equal(6212);
  });

  it('drops ignored, crowd, zero-area, sub-pixel, outside and unknown-category annotations (mmdet _parse_ann_info)', function () {
    const img = image(1, 100, 50);
    const labels = labelMap([9, 5]);
    const anns = [
      annotation(1, 1, [10, 10, 20, 20]),
      annotation(2, 1, [10, 10, 0.5, 20]),
      annotation(3, 1, [120, 10, 5, 5]),
      annotation(4, 1, [10, 10, 5, 5], { area: 0 }),
      annotation(5, 1, [10, 10, 5, 5], { iscrowd: 1 }),
      annotation(6, 1, [10, 10, 5, 5], { ignore: true }),
      annotation(7, 1, [10, 10, 5, 5], { category_id: 77 }),
      annotation(8, 1, [-5, 40, 30, 30], { category_id: 9 }),
    ];
    const usable = usableAnnotations(img, anns, labels);
    expect(usable.annotations.map((a) => a.id)).to.deep.equal([1, 8]);
    expect(Array.from(usable.boxes)).to.deep.equal([10, 10, 30, 30, -5, 40, 25, 70]);
    expect(Array.from(usable.labels)).to.deep.equal([0, 1]);
  });

  it('trains on images with a usable annotation and a shorter side >= min_image_side, grouped by w / h > 1', function () {
    const labels = labelMap([5]);
    const images = [
      image(1, 100, 50),
      image(2, 50, 50),
      image(3, 31, 80),
      image(4, 80, 40),
      image(5, 60, 90),
    ];
    const anns = [
      annotation(1, 1, [1, 1, 10, 10]),
      annotation(2, 2, [1, 1, 10, 10]),
      annotation(3, 3, [1, 1, 10, 10]),
      annotation(4, 4, [1, 1, 10, 10], { area: 0 }),
    ];
    expect(trainsOn(images[2]!, [anns[2]!], labels, 32)).to.equal(false);
    expect(trainsOn(images[2]!, [anns[2]!], labels, 31)).to.equal(true);
    // 1 is landscape, 2 square (group 0); 3 too small, 4 has no usable annotation, 5 none at all.
    expect(trainingGroupSizes(images, anns, labels, 32)).to.deep.equal([1, 1]);
  });

  describe('prefetch', function () {
    it('keeps order and runs at most `depth` items ahead of the consumer', async function () {
      let produced = 0;
      async function* source() {
        for (let i = 0; i < 10; i++) {
          produced = i + 1;
          await new Promise((resolve) => setImmediate(resolve));
          yield i;
        }
      }
      const seen: number[] = [];
      for await (const value of prefetch(source(), 3)) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        expect(produced - value).to.be.at.most(3);
        seen.push(value);
      }
      expect(seen).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    it('delivers a producer error at its turn, after the items before it', async function () {
      async function* source() {
        yield 1;
        yield 2;
        await Promise.resolve();
        throw new Error('bad record');
      }
      const seen: number[] = [];
      let caught: unknown;
      try {
        for await (const value of prefetch(source(), 4)) seen.push(value);
      } catch (error) {
        caught = error;
      }
      expect(seen).to.deep.equal([1, 2]);
      expect(caught).to.be.an('error').with.property('message', 'bad record');
    });

    it('rejects a waiting consumer when the signal aborts', async function () {
      const controller = new AbortController();
      async function* source() {
        yield 1;
        await new Promise(() => undefined); // never produces again
      }
      const seen: number[] = [];
      let caught: unknown;
      try {
        for await (const value of prefetch(source(), 2, controller.signal)) {
          seen.push(value);
          setTimeout(() => controller.abort(new Error('stopped by test')), 10);
        }
      } catch (error) {
        caught = error;
      }
      expect(seen).to.deep.equal([1]);
      expect(caught).to.be.an('error').with.property('message', 'stopped by test');
    });
  });
});
