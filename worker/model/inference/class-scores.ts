// Per-class test scores from the classifier logits [N, C+1] (column C is background), without the background
// column, which mmdet's `multiclass_nms` drops:
//   - sigmoid classifiers (BACL stage 1 and 2; spec 2.6 `get_activation`): s_c = σ(z_c)·(1 − σ(z_C));
//   - the softmax baseline (spec 1.5, mmdet `BBoxHead.get_bboxes`): softmax over all C+1, then column C dropped.
import * as tf from '@tensorflow/tfjs';
import { detectionScores } from '../losses/index.js';
import type { ClassifierKind } from '../roi-head/index.js';
import { InferenceShapeError } from './errors.js';

/** [N, C] foreground scores from [N, C+1] logits. */
export function classScores(logits: tf.Tensor2D, classifier: ClassifierKind): tf.Tensor2D {
  const [rows, columns] = logits.shape;
  if (logits.rank !== 2 || columns < 2) {
    throw new InferenceShapeError(
      'clsScore',
      logits.shape,
      '[N, C+1] with C >= 1 (the last column is background)',
    );
  }
  return tf.tidy(() => {
    const all = classifier === 'sigmoid' ? detectionScores(logits) : tf.softmax(logits, 1);
    return tf.slice(all, [0, 0], [rows, columns - 1]);
  });
}
