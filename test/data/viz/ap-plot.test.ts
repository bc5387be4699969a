// The AP-vs-training-frequency plot (data/viz/ap-plot.ts): well-formed SVG that librsvg renders, one point per
// category with a defined AP and run, points where the log scale puts them, the three bands in LVIS's order,
// one mean line per run and populated band at the group's mean, and the same bytes for the same data.
import { expect } from 'chai';
import sharp from 'sharp';
import {
  apVsFrequencySvg,
  groupMeans,
  plotRunColours,
  type PlotCategory,
  type PlotRun,
} from '../../../data/internal.js';
import { checkXml, type XmlElement } from './xml-check.js';

const categories: PlotCategory[] = [
  { id: 1, name: 'acorn', trainImages: 0 },
  { id: 2, name: 'bagel', trainImages: 3 },
  { id: 3, name: 'cab <taxi> & "co"', trainImages: 10 },
  { id: 4, name: 'dog', trainImages: 11 },
  { id: 5, name: 'egg', trainImages: 80 },
  { id: 6, name: 'fork', trainImages: 101 },
  { id: 7, name: 'gull', trainImages: 2500 },
];
const run: PlotRun = {
  label: 'bacl/detections.json',
  ap: new Map([
    [1, -1],
    [2, 0.1],
    [3, 0.3],
    [4, 0.4],
    [5, 0.5],
    [6, 0.6],
    [7, 0.8],
  ]),
};
const baseline: PlotRun = {
  label: 'baseline/per-category.json',
  ap: new Map([
    [1, 0],
    [2, 0],
    [3, 0.05],
    [4, 0.2],
    [5, 0.45],
    [6, 0.62],
    // 7 absent: undefined, not drawn
  ]),
};

/** The points of run `i`: the circles inside its `<g class="run run-i">`, in document order. */
function runPoints(svg: string, i: number): XmlElement[] {
  return checkXml(svg).filter(
    (element) =>
      element.name === 'circle' &&
      element.attributes.class === 'point' &&
      element.ancestors.some((parent) => parent.attributes.class === `run run-${i}`),
  );
}

describe('data/viz AP vs frequency plot', function () {
  it('is well-formed SVG with one point per category with a defined AP, per run', function () {
    const svg = apVsFrequencySvg(categories, [run, baseline]);
    const elements = checkXml(svg);
    expect(elements[0]!.name).to.equal('svg');
    expect(elements[0]!.attributes.xmlns).to.equal('http://www.w3.org/2000/svg');
    expect(runPoints(svg, 0)).to.have.length(6); // category 1 is -1
    expect(runPoints(svg, 1)).to.have.length(6); // category 7 missing
    // Names are escaped and come back intact.
    const tips = elements.filter((element) => element.name === 'title').map((element) => element.text);
    expect(
      tips.some((tip) => tip.startsWith('cab <taxi> & "co" (id 3): AP 30.0, 10 training images')),
    ).to.equal(true);
    // Run colours.
    const groups = elements.filter(
      (element) => element.name === 'g' && element.attributes.class?.startsWith('run '),
    );
    expect(groups.map((g) => g.attributes.fill)).to.deep.equal([...plotRunColours]);
  });

  it('places points on a log x axis (0 at the "0" tick) and AP on a linear y axis', function () {
    const svg = apVsFrequencySvg(categories, [run]);
    const byTip = new Map(
      runPoints(svg, 0).map((circle) => [Number(circle.attributes.cx), Number(circle.attributes.cy)]),
    );
    const xs = [...byTip.keys()];
    // 3 -> 10 -> 11 -> 80 -> 101 -> 2500: increasing, and one decade is the same width everywhere.
    expect(xs).to.deep.equal([...xs].sort((a, b) => a - b));
    const elements = checkXml(svg);
    const tick = (label: string) => {
      const text = elements.find(
        (element) => element.attributes.class === 'x-tick' && element.text === label,
      )!;
      return Number(text.attributes.x);
    };
    const decade = tick('10') - tick('1');
    expect(tick('100') - tick('10')).to.be.closeTo(decade, 0.02);
    expect(tick('1000') - tick('100')).to.be.closeTo(decade, 0.02);
    expect(xs[1]! /* 10 images */).to.be.closeTo(tick('10'), 0.02);
    expect(tick('0')).to.be.lessThan(tick('1'));
    // 2500 needs the axis to reach 10000.
    expect(tick('10000')).to.be.greaterThan(xs.at(-1)!);
    // y: linear, 0 and 100 at the y-axis ticks; AP 0.1 (first point) and 0.8 (last) where they belong.
    const yTick = (label: string) =>
      Number(elements.find((e) => e.attributes.class === 'y-tick' && e.text === label)!.attributes.y) - 4;
    const ys = [...byTip.values()];
    const yAt = (ap: number) => yTick('0') + (yTick('100') - yTick('0')) * ap;
    expect(ys[0]).to.be.closeTo(yAt(0.1), 0.02);
    expect(ys[5]).to.be.closeTo(yAt(0.8), 0.02);
  });

  it('shades rare, common and frequent in order, split at 10.5 and 100.5 training images', function () {
    const elements = checkXml(apVsFrequencySvg(categories, [run]));
    const bands = elements.filter((element) => element.attributes.class?.startsWith('band '));
    expect(bands.map((band) => band.attributes.class)).to.deep.equal([
      'band band-r',
      'band band-c',
      'band band-f',
    ]);
    const edges = bands.map((band) => [
      Number(band.attributes.x),
      Number(band.attributes.x) + Number(band.attributes.width),
    ]);
    expect(edges[0]![1]).to.be.closeTo(edges[1]![0]!, 0.02);
    expect(edges[1]![1]).to.be.closeTo(edges[2]![0]!, 0.02);
    const labels = elements.filter((element) => element.name === 'text').map((element) => element.text);
    expect(labels).to.include.members(['rare (1-10)', 'common (11-100)', 'frequent (>100)']);
  });

  it("draws each run's group means as lines at the mean of its categories in the band", function () {
    const means = groupMeans(categories, run);
    // r: categories 1 (undefined), 2, 3 -> (0.1 + 0.3) / 2; c: 4, 5; f: 6, 7.
    expect(means.r).to.be.closeTo(0.2, 1e-15);
    expect(means.c).to.be.closeTo(0.45, 1e-15);
    expect(means.f).to.be.closeTo(0.7, 1e-15);
    expect(groupMeans([categories[0]!], run)).to.deep.equal({ r: undefined, c: undefined, f: undefined });
    const elements = checkXml(apVsFrequencySvg(categories, [run, baseline]));
    const lines = elements.filter((element) => element.attributes.class?.startsWith('mean '));
    expect(lines).to.have.length(6);
    const texts = elements.filter((element) => element.name === 'text').map((element) => element.text);
    expect(texts).to.include.members(['20.0', '45.0', '70.0']);
  });

  it('gives the same bytes for the same data and refuses 0 or 3 runs', function () {
    expect(apVsFrequencySvg(categories, [run, baseline])).to.equal(
      apVsFrequencySvg(categories, [run, baseline]),
    );
    expect(apVsFrequencySvg(categories, [run])).to.not.equal(apVsFrequencySvg(categories, [baseline]));
    expect(() => apVsFrequencySvg(categories, [])).to.throw(RangeError);
    expect(() => apVsFrequencySvg(categories, [run, run, run])).to.throw(RangeError);
  });

  it('renders with sharp (librsvg) at its declared size, and an empty category list too', async function () {
    for (const svg of [apVsFrequencySvg(categories, [run, baseline]), apVsFrequencySvg([], [run])]) {
      const { info } = await sharp(Buffer.from(svg)).png().toBuffer({ resolveWithObject: true });
      const root = checkXml(svg)[0]!;
      expect([info.width, info.height]).to.deep.equal([
        Number(root.attributes.width),
        Number(root.attributes.height),
      ]);
    }
  });

  it('(the XML check itself refuses malformed documents)', function () {
    expect(() => checkXml('<svg><g></svg>')).to.throw(/closes <g>/);
    expect(() => checkXml('<svg a="1" a="2"/>')).to.throw(/duplicate/);
    expect(() => checkXml('<svg>a & b</svg>')).to.throw(/bare &/);
    expect(() => checkXml('<svg x=1/>')).to.throw(/not =/);
    expect(() => checkXml('<svg/><svg/>')).to.throw(/second root/);
    expect(checkXml('<svg><text>a &amp; b</text></svg>')[1]!.text).to.equal('a & b');
  });
});
