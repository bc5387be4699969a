// Box IoU in pycocotools' exact operation order (maskApi.c bbIou, never crowd), so every IoU is the same
// double as the official evaluator's and thresholds like 0.5 cut in the same place.

/** IoU of detection box `d` and ground-truth box `g`, each [x, y, w, h] at `offset` in a flat array. */
export function bboxIou(
  detections: ArrayLike<number>,
  d: number,
  groundTruths: ArrayLike<number>,
  g: number,
): number {
  const dx = detections[d]!;
  const dy = detections[d + 1]!;
  const dw = detections[d + 2]!;
  const dh = detections[d + 3]!;
  const gx = groundTruths[g]!;
  const gy = groundTruths[g + 1]!;
  const gw = groundTruths[g + 2]!;
  const gh = groundTruths[g + 3]!;
  const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
  if (w <= 0) return 0;
  const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
  if (h <= 0) return 0;
  const intersection = w * h;
  const union = dw * dh + gw * gh - intersection;
  return intersection / union;
}
