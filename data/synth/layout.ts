// Where the objects of one image go: a size class per object (LVIS small < 32^2 <= medium < 96^2 <= large
// by mask area), a box, a position that overlaps no other object (so every mask is fully visible and its
// area is exact), and the rasterised mask's area and tight box. Pure: a function of the random stream.
import { SynthOptionsError } from './errors.js';
import { synthCategoryLook, type UnitPolygon } from './catalogue.js';
import { polygonSpans, spansExtent } from './raster.js';
import type { SeededRandom } from '../../common/index.js';

export interface ObjectRequest {
  categoryId: number;
  /** False for an instance drawn but left out of the annotations (its category is not exhaustive). */
  annotated: boolean;
}

export interface PlannedObject extends ObjectRequest {
  /** The outline in image pixels (also the annotation's segmentation). */
  polygon: Array<[number, number]>;
  /** Tight box of the drawn pixels, [x, y, w, h]. */
  bbox: [number, number, number, number];
  /** Drawn pixel count (LVIS's mask area). */
  area: number;
}

/** Mask-area ranges drawn per size class, kept clear of the 1024 and 9216 boundaries. */
const areaRanges = { small: [100, 850], medium: [1300, 8000], large: [10_500, 40_000] } as const;
type SizeClass = keyof typeof areaRanges;
const smallestArea = 80;
const gap = 2;
const attemptsPerSize = 40;

function unitArea(outline: UnitPolygon): number {
  let twice = 0;
  outline.forEach(([ax, ay], i) => {
    const [bx, by] = outline[(i + 1) % outline.length]!;
    twice += ax * by - bx * ay;
  });
  return Math.abs(twice) / 2;
}

function pickSizeClass(random: SeededRandom, largeAllowed: boolean): SizeClass {
  const draw = random.next();
  if (draw < 0.4) return 'small';
  if (draw < 0.75 || !largeAllowed) return 'medium';
  return 'large';
}

function overlaps(a: readonly number[], b: readonly number[]): boolean {
  return !(
    a[0]! + a[2]! + gap <= b[0]! ||
    b[0]! + b[2]! + gap <= a[0]! ||
    a[1]! + a[3]! + gap <= b[1]! ||
    b[1]! + b[3]! + gap <= a[1]!
  );
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** Largest share of the image one object's box may take, so the others still find room. */
const largestBoxShare = 0.45;

interface Wanted {
  request: ObjectRequest;
  outline: UnitPolygon;
  boxArea: number;
  aspect: number;
}

function drawWanted(
  requests: readonly ObjectRequest[],
  width: number,
  height: number,
  random: SeededRandom,
): Wanted[] {
  let largeLeft = 1;
  const boxLimit = largestBoxShare * (width - 4) * (height - 4);
  return requests.map((request) => {
    const outline = synthCategoryLook(request.categoryId).shape.outline;
    const fill = unitArea(outline);
    const largeFits = fill * boxLimit > areaRanges.large[0] * 1.1;
    const sizeClass = pickSizeClass(random, largeLeft > 0 && largeFits);
    if (sizeClass === 'large') largeLeft -= 1;
    const [low, high] = areaRanges[sizeClass];
    const maskArea = random.real(low, Math.max(low, Math.min(high, fill * boxLimit)));
    return {
      request,
      outline,
      boxArea: Math.min(maskArea / fill, boxLimit),
      aspect: random.real(0.75, 1.33),
    };
  });
}

/** One attempt at placing every object, sizes scaled by `scale`; undefined when an annotated one finds no spot. */
function placeAll(
  wanted: readonly Wanted[],
  width: number,
  height: number,
  scale: number,
  random: SeededRandom,
): PlannedObject[] | undefined {
  // Biggest first: they are the hardest to fit; the output keeps the requests' order.
  const order = wanted.map((_, i) => i).sort((a, b) => wanted[b]!.boxArea - wanted[a]!.boxArea || a - b);
  const placed: Array<PlannedObject | undefined> = [];
  const boxes: number[][] = [];
  for (const index of order) {
    const { request, outline, aspect } = wanted[index]!;
    let boxArea = wanted[index]!.boxArea * scale;
    let found: PlannedObject | undefined;
    while (found === undefined && boxArea >= smallestArea) {
      const w = Math.max(4, Math.min(width - 4, Math.round(Math.sqrt(boxArea * aspect))));
      const h = Math.max(4, Math.min(height - 4, Math.round(boxArea / w)));
      for (let attempt = 0; attempt < attemptsPerSize && found === undefined; attempt++) {
        const x = random.int(1, width - w - 1);
        const y = random.int(1, height - h - 1);
        if (boxes.some((box) => overlaps(box, [x, y, w, h]))) continue;
        const polygon = outline.map(([u, v]): [number, number] => [round2(x + u * w), round2(y + v * h)]);
        const extent = spansExtent(polygonSpans(polygon, width, height));
        if (extent === undefined) continue;
        boxes.push([x, y, w, h]);
        found = { ...request, polygon, bbox: extent.bbox, area: extent.area };
      }
      boxArea *= 0.6;
    }
    // An unannotated extra instance is decoration: drop it rather than fail.
    if (found === undefined && request.annotated) return undefined;
    placed[index] = found;
  }
  return placed.filter((object) => object !== undefined);
}

/** Lays out `requests` in a width x height image, shrinking everything when a first try finds no room. */
export function layoutObjects(
  requests: readonly ObjectRequest[],
  width: number,
  height: number,
  random: SeededRandom,
): PlannedObject[] {
  const wanted = drawWanted(requests, width, height, random);
  for (const scale of [1, 0.5, 0.25]) {
    const placed = placeAll(wanted, width, height, scale, random);
    if (placed !== undefined) return placed;
  }
  throw new SynthOptionsError(
    'maxCategoriesPerImage',
    `no room for ${requests.length} objects in a ${width}x${height} image`,
    'use larger images (--min-image-size) or fewer categories per image',
  );
}
