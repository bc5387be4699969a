import { expect } from 'chai';
import { formatAge, humanDuration } from '../../../cli/internal.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

describe('cli/output/age: kubectl AGE formatting (apimachinery HumanDuration)', function () {
  const table: [number, string][] = [
    [-5 * s, '<invalid>'],
    [-1500, '0s'],
    [0, '0s'],
    [59 * s, '59s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [3 * m + 20 * s, '3m20s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m + 30 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [5 * h + 10 * m, '5h10m'],
    [8 * h + 59 * m, '8h'],
    [47 * h, '47h'],
    [2 * d, '2d'],
    [3 * d + 4 * h, '3d4h'],
    [8 * d + 5 * h, '8d'],
    [729 * d, '729d'],
    [2 * 365 * d, '2y'],
    [2 * 365 * d + 10 * d, '2y10d'],
    [9 * 365 * d, '9y'],
  ];
  for (const [ms, text] of table) {
    it(`${ms} ms -> ${text}`, function () {
      expect(humanDuration(ms)).to.equal(text);
    });
  }

  it('measures from creationTimestamp, and prints <unknown> without one', function () {
    const now = new Date('2026-11-25T12:00:00Z');
    expect(formatAge('2026-11-25T11:56:40Z', now)).to.equal('3m20s');
    expect(formatAge(undefined, now)).to.equal('<unknown>');
    expect(formatAge('yesterday', now)).to.equal('<unknown>');
  });
});
