// The two-panel PNG (data/viz/detection-panels.ts) read back with sharp: its size, the panels' places, box
// edges in their category's colour exactly where the boxes are (predictions left, ground truth right), box
// interiors untouched, a prediction under the threshold not drawn, small images enlarged with their boxes,
// the same bytes for the same input, and a size mismatch refused. Also the box selection and the colours.
import { expect } from 'chai';
import sharp from 'sharp';
import {
  boxOverlaySvg,
  categoryColour,
  groundTruthToDraw,
  parseHexColour,
  predictionsToDraw,
  renderDetectionPanels,
  VisualizeError,
} from '../../../data/internal.js';
import { checkXml } from './xml-check.js';

const grey = { r: 128, g: 128, b: 128 };
const names = new Map([
  [1, 'dog'],
  [2, 'cat'],
]);

async function greyJpeg(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: grey } })
    .jpeg({ quality: 100 })
    .toBuffer();
}

async function pixels(png: Buffer) {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number): [number, number, number] => {
    const i = (Math.round(y) * info.width + Math.round(x)) * info.channels;
    return [data[i]!, data[i + 1]!, data[i + 2]!];
  };
  return { info, at };
}

const near = (actual: readonly number[], expected: readonly number[], tolerance: number) =>
  actual.every((value, i) => Math.abs(value - expected[i]!) <= tolerance);

describe('data/viz detection panels', function () {
  this.timeout(60_000);

  it('draws predictions left and ground truth right, each box edge in its category colour', async function () {
    const width = 400;
    const height = 300;
    const detections = [
      { category_id: 1, bbox: [40, 60, 120, 100] as const, score: 0.9 },
      { category_id: 2, bbox: [220, 150, 100, 80] as const, score: 0.1 }, // under 0.3: not drawn
    ];
    const truth = [{ category_id: 2, bbox: [200, 40, 150, 90] as const }];
    const result = await renderDetectionPanels({
      imageId: 7,
      jpeg: await greyJpeg(width, height),
      width,
      height,
      predictions: predictionsToDraw(detections, names),
      groundTruth: groundTruthToDraw(truth, names),
    });
    expect(result.scale).to.deep.equal([1, 1]);
    const { info, at } = await pixels(result.png);
    expect(info.format).to.equal('raw');
    expect([info.width, info.height]).to.deep.equal([result.width, result.height]);
    expect(result.width).to.equal(2 * width + 8);
    expect(result.height).to.equal(height + 22);
    const [left, right] = result.panels;
    expect(right.left).to.equal(width + 8);
    const dog = parseHexColour(categoryColour(1));
    const cat = parseHexColour(categoryColour(2));
    // The dog prediction's left edge (x = 40) and bottom edge (y = 160), away from its tag, in the left panel.
    expect(at(left.left + 40, left.top + 110)).to.deep.equal(dog);
    expect(at(left.left + 100, left.top + 160)).to.deep.equal(dog);
    // Its interior and the same place in the right panel are the image's grey (JPEG: within a step or two).
    expect(near(at(left.left + 100, left.top + 110), [128, 128, 128], 3)).to.equal(true);
    expect(near(at(right.left + 40, right.top + 110), [128, 128, 128], 3)).to.equal(true);
    // The low-scoring cat prediction is not drawn; the cat ground truth is, on the right only.
    expect(near(at(left.left + 220, left.top + 190), [128, 128, 128], 3)).to.equal(true);
    expect(at(right.left + 350, right.top + 85)).to.deep.equal(cat);
    expect(at(right.left + 275, right.top + 130)).to.deep.equal(cat);
    expect(near(at(left.left + 350, left.top + 85), [128, 128, 128], 3)).to.equal(true);
    // The header strip above the panels is white where no title is written.
    expect(at(result.width - 2, 2)).to.deep.equal([255, 255, 255]);
  });

  it('enlarges a small image to the minimum panel width, boxes with it, and gives the same bytes twice', async function () {
    const input = {
      imageId: 3,
      jpeg: await greyJpeg(100, 80),
      width: 100,
      height: 80,
      predictions: predictionsToDraw(
        [{ category_id: 1, bbox: [10, 20, 40, 30] as const, score: 0.5 }],
        names,
      ),
      groundTruth: [],
    };
    const result = await renderDetectionPanels(input);
    expect(result.scale).to.deep.equal([3.2, 3.2]);
    expect([result.width, result.height]).to.deep.equal([2 * 320 + 8, 256 + 22]);
    const { at } = await pixels(result.png);
    const [left] = result.panels;
    // x = 10 becomes 32; the bottom edge y = 50 becomes 160.
    expect(at(left.left + 32, left.top + 100)).to.deep.equal(parseHexColour(categoryColour(1)));
    expect(at(left.left + 80, left.top + 160)).to.deep.equal(parseHexColour(categoryColour(1)));
    const again = await renderDetectionPanels(input);
    expect(again.png.equals(result.png)).to.equal(true);
  });

  it("refuses an image whose size is not the ground truth's, naming the image", async function () {
    const error = await renderDetectionPanels({
      imageId: 42,
      jpeg: await greyJpeg(100, 80),
      width: 120,
      height: 80,
      predictions: [],
      groundTruth: [],
    }).catch((failure: unknown) => failure);
    expect(error).to.be.instanceOf(VisualizeError);
    expect((error as VisualizeError).message).to.match(
      /image 42 is 100x80 pixels, the ground truth says 120x80/,
    );
    expect((error as VisualizeError).kind).to.equal('invalid');
  });

  it('selects predictions by threshold, best first up to maxBoxes, drawn lowest first, tagged name and score', function () {
    const detections = [
      { category_id: 1, bbox: [0, 0, 1, 1] as const, score: 0.35 },
      { category_id: 2, bbox: [0, 0, 2, 2] as const, score: 0.95 },
      { category_id: 1, bbox: [0, 0, 3, 3] as const, score: 0.29 },
      { category_id: 9, bbox: [0, 0, 4, 4] as const, score: 0.6 },
    ];
    expect(predictionsToDraw(detections, names).map((box) => box.label)).to.deep.equal([
      'dog 0.35',
      'category 9 0.60',
      'cat 0.95',
    ]);
    expect(predictionsToDraw(detections, names, { maxBoxes: 2 }).map((box) => box.bbox[2])).to.deep.equal([
      4, 2,
    ]);
    expect(predictionsToDraw(detections, names, { scoreThreshold: 0 })).to.have.length(4);
    expect(groundTruthToDraw([{ category_id: 2, bbox: [1, 2, 3, 4] }], names)).to.deep.equal([
      { bbox: [1, 2, 3, 4], colour: categoryColour(2), label: 'cat' },
    ]);
  });

  it('gives each category a fixed #rrggbb colour, neighbouring ids far apart', function () {
    const colours = Array.from({ length: 50 }, (_, i) => categoryColour(i + 1));
    expect(colours.every((colour) => /^#[0-9a-f]{6}$/.test(colour))).to.equal(true);
    expect(new Set(colours).size).to.equal(50);
    expect(categoryColour(7)).to.equal(colours[6]);
    for (let i = 1; i < colours.length; i++) {
      const a = parseHexColour(colours[i - 1]!);
      const b = parseHexColour(colours[i]!);
      const distance = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
      expect(distance, `${colours[i - 1]} vs ${colours[i]}`).to.be.greaterThan(60);
    }
  });

  it('writes overlay SVG that is well-formed with escaped tags, rectangles first', function () {
    const svg = boxOverlaySvg(50, 40, [{ bbox: [1, 2, 10, 10], colour: '#112233', label: 'a<b> & "c"' }]);
    const elements = checkXml(svg);
    expect(elements.filter((element) => element.name === 'rect')).to.have.length(2);
    expect(elements.find((element) => element.name === 'text')!.text).to.equal('a<b> & "c"');
    expect(elements.findIndex((element) => element.attributes.stroke === '#112233')).to.be.lessThan(
      elements.findIndex((element) => element.attributes.fill === '#112233'),
    );
  });
});
