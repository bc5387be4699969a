import { expect } from 'chai';
import { computeLvisCategoryStatistics, parseLvisGroundTruth } from '../../../common/internal.js';
import {
  maxSynthCategories,
  planSynthDataset,
  polygonSpans,
  synthCategoryLook,
  synthGroundTruth,
  SynthOptionsError,
  type SynthPlan,
} from '../../../data/internal.js';

describe('data/synth: planning', function () {
  // Planning is pure and fast: a train split big enough for all three LVIS groups costs no rendering.
  const options = { categories: 24, trainImages: 240, valImages: 24, seed: 11 };
  let plan: SynthPlan;
  before(function () {
    plan = planSynthDataset(options);
  });

  it('is deterministic for a seed and changes with it', function () {
    expect(planSynthDataset(options)).to.deep.equal(plan);
    expect(planSynthDataset({ ...options, seed: 12 }).train).to.not.deep.equal(plan.train);
  });

  it('keeps train images unchanged when only the val count changes', function () {
    expect(planSynthDataset({ ...options, valImages: 3 }).train).to.deep.equal(plan.train);
  });

  it('writes ground truth that the LVIS v1 schema accepts, for both splits', function () {
    const train = parseLvisGroundTruth(synthGroundTruth(plan, 'train'), 'train.json', { version: 'v1' });
    const val = parseLvisGroundTruth(
      synthGroundTruth(plan, 'val', train.annotations.length + 1),
      'val.json',
      {
        version: 'v1',
      },
    );
    expect(train.images).to.have.length(240);
    expect(val.images).to.have.length(24);
    const trainIds = new Set(train.images.map((image) => image.id));
    expect(val.images.filter((image) => trainIds.has(image.id))).to.deep.equal([]);
  });

  it('puts categories in LVIS frequency groups by train image count, with r, c and f all present', function () {
    const gt = synthGroundTruth(plan, 'train');
    const stats = computeLvisCategoryStatistics(gt.categories, gt.annotations);
    for (const stat of stats.categories) {
      expect(stat.imageCount, `category ${stat.id}`).to.be.greaterThan(0);
      expect(stat.frequency, `category ${stat.id}`).to.equal(stat.declaredFrequency);
    }
    expect(stats.groups.r.length).to.be.greaterThan(0);
    expect(stats.groups.c.length).to.be.greaterThan(0);
    expect(stats.groups.f.length).to.be.greaterThan(0);
    // Long-tailed: the head category appears in far more images than the tail one.
    const counts = stats.categories.map((stat) => stat.imageCount).sort((a, b) => a - b);
    expect(counts.at(-1)! / counts[0]!).to.be.greaterThan(50);
    // Val carries the train group, as LVIS does.
    const val = synthGroundTruth(plan, 'val');
    expect(val.categories.map((c) => c.frequency)).to.deep.equal(gt.categories.map((c) => c.frequency));
  });

  it('has only rare and common categories when the train split is too small for frequent ones', function () {
    const small = planSynthDataset({ categories: 8, trainImages: 40, valImages: 0, seed: 1 });
    const gt = synthGroundTruth(small, 'train');
    const groups = new Set(gt.categories.map((category) => category.frequency));
    expect([...groups].sort()).to.deep.equal(['c', 'r']);
  });

  it('draws objects of all three LVIS area ranges, several per image', function () {
    const areas = plan.train.flatMap((image) => image.objects.map((object) => object.area));
    expect(areas.filter((area) => area < 1024).length).to.be.greaterThan(0);
    expect(areas.filter((area) => area >= 1024 && area < 9216).length).to.be.greaterThan(0);
    expect(areas.filter((area) => area >= 9216).length).to.be.greaterThan(0);
    expect(areas.length / plan.train.length).to.be.greaterThan(2);
  });

  it("makes area and bbox the drawn mask's pixel count and tight box, inside the image, without overlaps", function () {
    for (const image of [...plan.train.slice(0, 40), ...plan.val]) {
      const covered = new Set<number>();
      for (const object of image.objects) {
        const spans = polygonSpans(object.polygon, image.width, image.height);
        let area = 0;
        let overlapping = 0;
        for (const span of spans) {
          for (let x = span.x0; x < span.x1; x++) {
            const pixel = span.y * image.width + x;
            if (covered.has(pixel)) overlapping += 1;
            covered.add(pixel);
            area += 1;
          }
        }
        expect(overlapping, `image ${image.id}: objects overlap`).to.equal(0);
        expect(object.area).to.equal(area);
        const [x, y, w, h] = object.bbox;
        expect(x + w).to.be.at.most(image.width);
        expect(y + h).to.be.at.most(image.height);
        expect(Math.min(...spans.map((span) => span.x0))).to.equal(x);
        expect(spans[0]!.y).to.equal(y);
      }
    }
  });

  it('lists negatives that are absent and not-exhaustive categories that have an unannotated instance', function () {
    let notExhaustive = 0;
    for (const image of [...plan.train, ...plan.val]) {
      const drawn = new Set(image.objects.map((object) => object.categoryId));
      for (const id of image.negCategoryIds)
        expect(drawn.has(id), `image ${image.id} neg ${id}`).to.equal(false);
      for (const id of image.notExhaustiveCategoryIds) {
        notExhaustive += 1;
        const objects = image.objects.filter((object) => object.categoryId === id);
        expect(objects.some((object) => !object.annotated)).to.equal(true);
        expect(objects.some((object) => object.annotated)).to.equal(true);
      }
    }
    expect(notExhaustive).to.be.greaterThan(0);
    expect(plan.train.some((image) => image.negCategoryIds.length > 0)).to.equal(true);
  });

  it('gives every category a distinct look (shape x colour x texture)', function () {
    const names = Array.from({ length: maxSynthCategories }, (_, i) => synthCategoryLook(i + 1).name);
    expect(new Set(names).size).to.equal(maxSynthCategories);
    const firstEight = names.slice(0, 8).map((name) => name.split('_')[0]);
    expect(new Set(firstEight).size, 'the first categories differ in colour too').to.equal(8);
  });

  it('refuses impossible options naming the option', function () {
    const tooMany = () => planSynthDataset({ ...options, categories: maxSynthCategories + 1 });
    expect(tooMany).to.throw(SynthOptionsError).with.property('option', 'categories');
    const crowded = () => planSynthDataset({ categories: 30, trainImages: 5, valImages: 0, seed: 1 });
    expect(crowded).to.throw(SynthOptionsError, /more --train-images|categories/);
    const tiny = () => planSynthDataset({ ...options, minImageSize: 32 });
    expect(tiny).to.throw(SynthOptionsError).with.property('option', 'minImageSize');
  });
});
