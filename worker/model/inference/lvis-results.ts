// LVIS results rows (the bbox results file the evaluator reads; mmdet 2.8 `LVISDataset._det2json`):
// {image_id, category_id, bbox: [x, y, w, h], score} with w = x2 − x1 and h = y2 − y1 (no +1), the class
// index mapped through the dataset's category-id table (`cat_ids`, the sorted LVIS category ids).
// Rows come class by class, each class's detections in descending score order, as mmdet's `bbox2result` +
// `_det2json` emit them: the LVIS evaluator sorts detections by score with a stable sort and cuts each image
// to 300, so the order of equal scores is part of the result.
import type { LvisDetection } from '../../../common/index.js';
import { InferenceOptionError } from './errors.js';
import type { Detections } from './multiclass-nms.js';

/** One image's detections as LVIS results rows; `categoryIds[c]` is the LVIS id of class index c. */
export function toLvisDetections(
  detections: Detections,
  imageId: number,
  categoryIds: ArrayLike<number>,
): LvisDetection[] {
  const { boxes, scores, labels } = detections;
  const order = Array.from(labels.keys()).sort((a, b) => (labels[a] ?? 0) - (labels[b] ?? 0) || a - b);
  return order.map((k) => {
    const label = labels[k] ?? -1;
    const categoryId = categoryIds[label];
    if (categoryId === undefined) {
      throw new InferenceOptionError(
        `labels[${k}]`,
        label,
        `has no entry in categoryIds (${categoryIds.length} ids)`,
      );
    }
    const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = boxes.subarray(4 * k, 4 * k + 4);
    return {
      image_id: imageId,
      category_id: categoryId,
      bbox: [x1, y1, x2 - x1, y2 - y1],
      score: scores[k] ?? 0,
    };
  });
}
