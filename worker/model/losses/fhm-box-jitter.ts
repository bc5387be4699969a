// FHM's box generator (spec 3.3, reference `BoxGn`): 16 jittered copies of every GT box of an image, whose
// RoI embeddings feed the per-class feature statistics. Each coordinate moves by S·U·(w or h)/6 with a fixed
// sign pattern S and one uniform matrix U per image, shared by all of that image's GT boxes.
import { LossShapeError } from './errors.js';
import { assertLabelRange, assertPositiveInteger } from './validate.js';
import type { UniformRng } from '../../../common/index.js';

/** Jittered copies per GT box (hard-coded in the reference). */
export const JITTERS_PER_BOX = 16;

/** Each coordinate moves by at most this fraction of the box width (x) or height (y). */
export const JITTER_FRACTION = 1 / 6;

/**
 * S ∈ {−1, +1}^{4×16}: row r (x1, y1, x2, y2) is alternating blocks of −1s and +1s of length 8, 4, 2, 1, so
 * the 16 columns enumerate all 2⁴ sign patterns.
 */
export const JITTER_SIGNS: readonly (readonly number[])[] = [8, 4, 2, 1].map((block) =>
  Array.from({ length: JITTERS_PER_BOX }, (_, k) => (Math.floor(k / block) % 2 === 0 ? -1 : 1)),
);

export interface ImageSize {
  /** The resized, un-padded image height (`img_shape[0]`). */
  height: number;
  /** The resized, un-padded image width (`img_shape[1]`). */
  width: number;
}

export interface JitteredBoxes {
  /** [16·G, 4] row-major (x1, y1, x2, y2): GT box g's copies are rows 16g … 16g+15. */
  boxes: Float32Array;
  /** [16·G]: each copy labelled with its GT class. */
  labels: Int32Array;
}

/**
 * Jitters one image's GT boxes. `gtBoxes` is [G, 4] row-major (x1, y1, x2, y2) in the resized image's pixels,
 * `gtLabels` [G] foreground classes in [0, numClasses). U is drawn from `rng` as 4×16 row-major uniforms;
 * an image without GT boxes draws nothing (the reference skips it before drawing). x is clamped to
 * [0, width − 1] and y to [0, height − 1].
 */
export function jitterGroundTruthBoxes(
  gtBoxes: ArrayLike<number>,
  gtLabels: ArrayLike<number>,
  image: ImageSize,
  numClasses: number,
  rng: UniformRng,
): JitteredBoxes {
  const count = gtLabels.length;
  if (gtBoxes.length !== 4 * count) {
    throw new LossShapeError(
      'gtBoxes',
      [gtBoxes.length / 4, 4],
      `[G, 4] with G = ${count} (one box per label)`,
    );
  }
  assertLabelRange(gtLabels, numClasses, 'gtLabels');
  assertPositiveInteger('image.height', image.height);
  assertPositiveInteger('image.width', image.width);
  const boxes = new Float32Array(4 * JITTERS_PER_BOX * count);
  const labels = new Int32Array(JITTERS_PER_BOX * count);
  if (count === 0) return { boxes, labels };
  const offsets = JITTER_SIGNS.map((signs) => signs.map((sign) => sign * rng() * JITTER_FRACTION));
  const limits = [image.width - 1, image.height - 1, image.width - 1, image.height - 1];
  for (let g = 0; g < count; g++) {
    const box = [0, 1, 2, 3].map((r) => gtBoxes[4 * g + r] ?? 0);
    const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = box;
    const sizes = [x2 - x1, y2 - y1, x2 - x1, y2 - y1];
    for (let k = 0; k < JITTERS_PER_BOX; k++) {
      const row = JITTERS_PER_BOX * g + k;
      labels[row] = gtLabels[g] ?? 0;
      for (let r = 0; r < 4; r++) {
        const moved = (box[r] ?? 0) + (offsets[r]?.[k] ?? 0) * (sizes[r] ?? 0);
        boxes[4 * row + r] = Math.min(Math.max(moved, 0), limits[r] ?? 0);
      }
    }
  }
  return { boxes, labels };
}
