// Which annotations and images train (mmdet 2.8 `CocoDataset._parse_ann_info` and `_filter_imgs`, used by the
// LVIS datasets): an annotation is dropped when `ignore` is set, its box misses the image (zero intersection),
// its area is <= 0, its width or height is < 1, or its category is not in the label map; `iscrowd` boxes are
// not trained on (LVIS has none). An image trains when its shorter side is >= `minSize` (32) and at least one
// annotation survives. mmdet 2.8 checks only "has any annotation" there; requiring a usable one also drops the
// (LVIS: absent) images whose annotations are all degenerate, which would otherwise train as empty images.
import type { LvisAnnotation, LvisImage } from '../../common/index.js';

/** Category id -> label in [0, C), in sorted id order (mmdet `cat2label`). */
export function labelMap(categoryIds: readonly number[]): Map<number, number> {
  return new Map([...categoryIds].sort((a, b) => a - b).map((id, label) => [id, label]));
}

export interface UsableAnnotations {
  /** Flat xyxy in original pixels. */
  boxes: Float32Array;
  labels: Int32Array;
  /** The kept annotations, in the same order (their segmentations become the masks). */
  annotations: LvisAnnotation[];
}

export function usableAnnotations(
  image: Pick<LvisImage, 'width' | 'height'>,
  annotations: readonly LvisAnnotation[],
  labels: ReadonlyMap<number, number>,
): UsableAnnotations {
  const kept: LvisAnnotation[] = [];
  const keptLabels: number[] = [];
  for (const annotation of annotations) {
    if (annotation.ignore === true || (typeof annotation.ignore === 'number' && annotation.ignore !== 0))
      continue;
    if ((annotation as { iscrowd?: unknown }).iscrowd) continue;
    const [x, y, w, h] = annotation.bbox;
    const interW = Math.max(0, Math.min(x + w, image.width) - Math.max(x, 0));
    const interH = Math.max(0, Math.min(y + h, image.height) - Math.max(y, 0));
    if (interW * interH === 0 || annotation.area <= 0 || w < 1 || h < 1) continue;
    const label = labels.get(annotation.category_id);
    if (label === undefined) continue;
    kept.push(annotation);
    keptLabels.push(label);
  }
  const boxes = new Float32Array(4 * kept.length);
  kept.forEach((annotation, i) => {
    const [x, y, w, h] = annotation.bbox;
    boxes.set([x, y, x + w, y + h], 4 * i);
  });
  return { boxes, labels: Int32Array.from(keptLabels), annotations: kept };
}

/** Whether an image is in the training set (see the header); `minSize` is the config's `min_image_side`. */
export function trainsOn(
  image: Pick<LvisImage, 'width' | 'height'>,
  annotations: readonly LvisAnnotation[],
  labels: ReadonlyMap<number, number>,
  minSize: number,
): boolean {
  if (Math.min(image.width, image.height) < minSize) return false;
  return usableAnnotations(image, annotations, labels).labels.length > 0;
}

/** mmdet `GroupSampler`'s group: 1 for a landscape image (w / h > 1), 0 otherwise. */
export function aspectGroup(image: Pick<LvisImage, 'width' | 'height'>): 0 | 1 {
  return image.width / image.height > 1 ? 1 : 0;
}
