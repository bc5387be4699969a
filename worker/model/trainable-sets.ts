// Which parameters each training stage trains, as data (spec 1.4 and gotcha 4):
//   - stage 1 (representation) and the baseline train the whole detector; the only frozen parameters are the
//     backbone's frozen stages (stem + res2, frozen_stages = 1), which the backbone freezes itself;
//   - stage 2 (classifier learning, `selectp = 1`) runs the reference's `select_training_param`: a parameter
//     trains only if its name contains one of `fc_cls`, `fc_reg`, `rpn`, `mask_head`. So `fc_cls`, `fc_reg`
//     and the whole RPN head train; backbone, FPN and `shared_fcs.0/1` are frozen.
// Names are mmdet state-dict names (`roi_head.bbox_head.fc_cls.weight`). Match the rule against those, not
// against tfjs names carrying a test or process scope, which could contain a substring by accident.
import type * as tf from '@tensorflow/tfjs';
import type { TrainingStageName as TrainingStage } from '../../common/index.js';

/**
 * Per stage: `all` when the stage itself freezes nothing, or the substrings a parameter name must contain to
 * stay trainable (spec 1.4, `select_training_param`).
 */
export const STAGE_TRAINABLE_NAMES: Readonly<Record<TrainingStage, 'all' | readonly string[]>> =
  Object.freeze({
    representation: 'all',
    baseline: 'all',
    classifier: Object.freeze(['fc_cls', 'fc_reg', 'rpn', 'mask_head']),
  });

/** Whether `stage` freezes the parameter called `name` (beyond the backbone's own frozen stages). */
export function frozenInStage(stage: TrainingStage, name: string): boolean {
  const rule = STAGE_TRAINABLE_NAMES[stage];
  return rule !== 'all' && !rule.some((part) => name.includes(part));
}

/**
 * Marks as non-trainable every variable `stage` freezes and returns their names; it never makes a variable
 * trainable, so the backbone's frozen stages stay frozen. `nameOf` maps a variable to its state-dict name
 * (default: the tfjs name). tfjs reads `Variable.trainable` at each tf.variableGrads call.
 */
export function freezeForStage(
  stage: TrainingStage,
  variables: Iterable<tf.Variable>,
  nameOf: (variable: tf.Variable) => string = (variable) => variable.name,
): string[] {
  const frozen: string[] = [];
  for (const variable of variables) {
    const name = nameOf(variable);
    if (!frozenInStage(stage, name)) continue;
    variable.trainable = false;
    frozen.push(name);
  }
  return frozen;
}
