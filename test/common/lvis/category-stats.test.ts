import { expect } from 'chai';
import { computeLvisCategoryStatistics, lvisFrequencyForImageCount } from '../../../common/index.js';

describe('common/lvis/category-stats', function () {
  it('groups by image count as LVIS does: r <= 10 < c <= 100 < f', function () {
    const cases: Array<[number, string]> = [
      [0, 'r'],
      [1, 'r'],
      [10, 'r'],
      [11, 'c'],
      [100, 'c'],
      [101, 'f'],
    ];
    for (const [count, frequency] of cases)
      expect(lvisFrequencyForImageCount(count), `${count}`).to.equal(frequency);
  });

  it('counts images and instances per category from the annotations, sorted by id', function () {
    const annotations = [
      ...Array.from({ length: 12 }, (_, i) => ({ image_id: i, category_id: 7 })),
      { image_id: 0, category_id: 7 },
      { image_id: 0, category_id: 3 },
      { image_id: 0, category_id: 3 },
    ];
    const stats = computeLvisCategoryStatistics(
      [
        { id: 7, frequency: 'f' },
        { id: 3, frequency: 'r' },
        { id: 5, frequency: 'c' },
      ],
      annotations,
    );
    expect(stats.categories).to.deep.equal([
      { id: 3, imageCount: 1, instanceCount: 2, frequency: 'r', declaredFrequency: 'r' },
      { id: 5, imageCount: 0, instanceCount: 0, frequency: 'r', declaredFrequency: 'c' },
      { id: 7, imageCount: 12, instanceCount: 13, frequency: 'c', declaredFrequency: 'f' },
    ]);
    expect(stats.groups).to.deep.equal({ r: [3, 5], c: [7], f: [] });
    expect(stats.declaredGroups).to.deep.equal({ r: [3], c: [5], f: [7] });
  });
});
