// The synthetic datasets the tiny and small configs name (data.synth, ADR 0024): long-tailed under LVIS's own
// definition (a category's group is the number of TRAIN images holding it: rare 1-10, common 11-100, frequent
// >100), every group present in the train split, and the val split holding instances of all three, so APr,
// APc and APf are defined. Planning is pure, so no pixel is rendered here.
import { expect } from 'chai';
import { loadTrainingConfig } from '../../../common/internal.js';
import { planSynthDataset, synthGroundTruth, synthOptionsFromConfig } from '../../../data/internal.js';

/** LVIS's thresholds, restated here as the oracle (not the code under test's lvisFrequencyForImageCount). */
function lvisGroup(trainImages: number): 'r' | 'c' | 'f' {
  if (trainImages <= 10) return 'r';
  return trainImages <= 100 ? 'c' : 'f';
}

const minimum = {
  tiny: { categories: 12, perGroup: 3 },
  small: { categories: 40, perGroup: 5 },
} as const;

describe('data/synth: the datasets of the synth configs', function () {
  for (const name of ['tiny', 'small'] as const) {
    describe(name, function () {
      const { config } = loadTrainingConfig(name);
      const synth = config.data.synth;
      if (synth === undefined) throw new Error(`${name}.yaml has no data.synth`);
      const plan = planSynthDataset(synthOptionsFromConfig(synth));
      const train = synthGroundTruth(plan, 'train');
      const val = synthGroundTruth(plan, 'val', train.annotations.length + 1);

      it(`has at least ${minimum[name].categories} categories, as many as the classifier's classes`, function () {
        expect(train.categories.length).to.be.at.least(minimum[name].categories);
        expect(train.categories.length).to.equal(config.model.roi_head.num_classes);
      });

      it("declares each category's frequency from its train image count under LVIS's thresholds", function () {
        const images = new Map<number, Set<number>>();
        for (const annotation of train.annotations) {
          const seen = images.get(annotation.category_id) ?? new Set<number>();
          seen.add(annotation.image_id);
          images.set(annotation.category_id, seen);
        }
        const groups = { r: 0, c: 0, f: 0 };
        for (const category of train.categories) {
          const count = images.get(category.id)?.size ?? 0;
          expect(count, `category ${category.id} has train images`).to.be.greaterThan(0);
          expect(category.frequency, `category ${category.id} (${count} train images)`).to.equal(
            lvisGroup(count),
          );
          groups[category.frequency] += 1;
        }
        for (const group of ['r', 'c', 'f'] as const) {
          expect(groups[group], `${group} categories`).to.be.at.least(minimum[name].perGroup);
        }
        expect(val.categories.map((c) => c.frequency)).to.deep.equal(
          train.categories.map((c) => c.frequency),
        );
      });

      it('has val instances of rare, common and frequent categories', function () {
        const frequency = new Map(train.categories.map((c) => [c.id, c.frequency]));
        const categories = { r: new Set<number>(), c: new Set<number>(), f: new Set<number>() };
        for (const annotation of val.annotations) {
          categories[frequency.get(annotation.category_id)!].add(annotation.category_id);
        }
        for (const group of ['r', 'c', 'f'] as const) {
          expect(categories[group].size, `${group} categories with val instances`).to.be.at.least(2);
        }
      });
    });
  }
});
