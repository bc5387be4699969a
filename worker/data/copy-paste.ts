// Copy-Paste (spec 1.3; mmdet `CopyPaste(max_num_pasted=100, bbox_occluded_thr=10, mask_occluded_thr=300,
// selected=True)`), on two images that went through the same load pipeline (same canvas size):
// 1. k ~ U{0 .. min(n_src + 1, max) - 1} of the source's instances, drawn without replacement;
// 2. composed = union of their masks; destination pixels under it become the source's;
// 3. every destination mask loses the composed area and its box becomes the new mask's extent;
// 4. a destination instance is dropped only when some box coordinate moved by more than bbox_occluded_thr
//    AND its remaining area is <= mask_occluded_thr pixels;
// 5. the pasted instances (boxes, labels, masks) are appended after the kept destination ones.
// With k = 0 (or no source instance) the destination comes back unchanged, as in mmdet.
import type { SeededRandom } from '../../common/index.js';
import { DataOptionError } from './errors.js';
import { boxesFromMasks, selectInstances, type AnnotatedImage } from './geometry.js';
import { instanceMaskArea, paintMask, subtractMask } from './instance-mask.js';

export interface CopyPasteOptions {
  /** The config's `copy_paste_max`; 0 disables the step. @default 100 */
  maxPasted: number;
  /** Pixels a box coordinate may move before the instance counts as occluded. @default 10 */
  bboxOccludedThr: number;
  /** An occluded instance is kept if more than this many of its pixels remain. @default 300 */
  maskOccludedThr: number;
}

export function copyPaste(
  destination: AnnotatedImage,
  source: AnnotatedImage,
  random: SeededRandom,
  options: CopyPasteOptions,
): AnnotatedImage {
  const { width, height } = destination.image;
  if (source.image.width !== width || source.image.height !== height) {
    throw new DataOptionError(
      'copy-paste source',
      [source.image.width, source.image.height],
      `the destination's canvas [${width}, ${height}] (both come from the same load pipeline)`,
    );
  }
  if (destination.masks === undefined || source.masks === undefined) {
    throw new DataOptionError('copy-paste masks', undefined, 'masks on both images (stage 1 loads them)');
  }
  const available = source.labels.length;
  if (options.maxPasted === 0 || available === 0) return destination;
  const count = random.int(0, Math.min(available + 1, options.maxPasted) - 1);
  if (count === 0) return destination;
  const chosen = random.sample(
    Array.from({ length: available }, (_, i) => i),
    count,
  );
  const pasted = selectInstances(source, chosen);
  const composed = new Uint8Array(width * height);
  for (const mask of pasted.masks!) paintMask(mask, composed, width);
  const updated = destination.masks.map((mask) => subtractMask(mask, composed, width));
  const updatedBoxes = boxesFromMasks(updated);
  const keep: number[] = [];
  updated.forEach((mask, i) => {
    let moved = false;
    for (let c = 0; c < 4; c++) {
      if (Math.abs(updatedBoxes[4 * i + c]! - destination.boxes[4 * i + c]!) > options.bboxOccludedThr)
        moved = true;
    }
    if (!moved || instanceMaskArea(mask) > options.maskOccludedThr) keep.push(i);
  });
  const kept = selectInstances({ ...destination, boxes: updatedBoxes, masks: updated }, keep);
  const data = new Uint8Array(destination.image.data);
  for (let p = 0; p < composed.length; p++) {
    if (composed[p] === 0) continue;
    data[3 * p] = source.image.data[3 * p]!;
    data[3 * p + 1] = source.image.data[3 * p + 1]!;
    data[3 * p + 2] = source.image.data[3 * p + 2]!;
  }
  const boxes = new Float32Array(kept.boxes.length + pasted.boxes.length);
  boxes.set(kept.boxes);
  boxes.set(pasted.boxes, kept.boxes.length);
  const labels = new Int32Array(kept.labels.length + pasted.labels.length);
  labels.set(kept.labels);
  labels.set(pasted.labels, kept.labels.length);
  const masks = [...kept.masks!, ...pasted.masks!];
  return { image: { data, width, height }, boxes, labels, masks, imageShape: destination.imageShape };
}
