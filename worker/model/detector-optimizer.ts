// SGD with momentum and weight decay as torch.optim.SGD applies it (mmdet's optimizer, spec 1.3): the decay
// is added to the gradient (g + wd·w) before the momentum buffer, b = μ·b + g', w -= lr·b. tf.train.momentum
// is exactly the last two steps (its accumulator starts at zero, torch's buffer at the first g'; both give
// b = g' on step one), so only the decay is added here. Frozen variables get no gradient, hence no decay
// (spec 1.4).
import * as tf from '@tensorflow/tfjs';
import { DetectorOptionError } from './detector-errors.js';

export interface SgdOptions {
  /** μ. @default 0.9 (spec 1.3) */
  momentum?: number;
  /** wd, added to the gradient as wd·w. @default 0 */
  weightDecay?: number;
}

export class SgdMomentum {
  readonly momentum: number;
  readonly weightDecay: number;
  private readonly optimizer: tf.MomentumOptimizer;

  constructor(options: SgdOptions = {}) {
    this.momentum = options.momentum ?? 0.9;
    this.weightDecay = options.weightDecay ?? 0;
    if (!(this.momentum >= 0 && this.momentum < 1)) {
      throw new DetectorOptionError('momentum', this.momentum, 'must be in [0, 1)');
    }
    if (!(this.weightDecay >= 0))
      throw new DetectorOptionError('weightDecay', this.weightDecay, 'must be >= 0');
    // The lr is set before every step; tfjs ignores assignments to `learningRate` (tfjs-notes 6.1).
    this.optimizer = tf.train.momentum(0, this.momentum);
  }

  /**
   * One update of the variables named in `grads` (tfjs variable names, as tf.variableGrads keys them) at
   * learning rate `lr`. The caller still owns and disposes `grads`.
   */
  step(grads: tf.NamedTensorMap, lr: number): void {
    if (!(lr >= 0)) throw new DetectorOptionError('lr', lr, 'must be >= 0');
    this.optimizer.setLearningRate(lr);
    const variables = tf.engine().registeredVariables;
    tf.tidy(() => {
      const decayed: { name: string; tensor: tf.Tensor }[] = [];
      for (const [name, grad] of Object.entries(grads)) {
        const variable = variables[name];
        if (variable === undefined)
          throw new DetectorOptionError('grads', name, 'names no registered variable');
        decayed.push({
          name,
          tensor: this.weightDecay > 0 ? tf.add(grad, tf.mul(variable, this.weightDecay)) : grad,
        });
      }
      this.optimizer.applyGradients(decayed);
    });
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
