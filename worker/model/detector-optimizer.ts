// SGD with momentum and weight decay as torch.optim.SGD applies it (mmdet's optimizer, spec 1.3): the decay
// is added to the gradient (g' = g + wd·w) before the momentum buffer, b = μ·b + g', w = w + (−lr)·b. The
// buffer starts at zero (torch starts it at the first g'; both give b = g' on step one). Frozen variables
// get no gradient, hence no decay and no buffer (spec 1.4).
//
// The buffers are this class's own tensors, keyed by variable name, so a checkpoint can hold them and a
// resumed run continue bit for bit (`state`/`restore`). The arithmetic is tf.train.momentum's, op for op
// (mul(μ, b) + g, then mul(−lr, b') + w), so switching from it changed no trained bit.
import * as tf from '@tensorflow/tfjs';
import { DetectorOptionError } from './detector-errors.js';
import type { NamedArray } from './weights/index.js';

export interface SgdOptions {
  /** μ. @default 0.9 (spec 1.3) */
  momentum?: number;
  /** wd, added to the gradient as wd·w. @default 0 */
  weightDecay?: number;
}

export class SgdMomentum {
  readonly momentum: number;
  readonly weightDecay: number;
  private readonly buffers = new Map<string, tf.Variable>();
  private readonly mu: tf.Scalar;

  constructor(options: SgdOptions = {}) {
    this.momentum = options.momentum ?? 0.9;
    this.weightDecay = options.weightDecay ?? 0;
    if (!(this.momentum >= 0 && this.momentum < 1)) {
      throw new DetectorOptionError('momentum', this.momentum, 'must be in [0, 1)');
    }
    if (!(this.weightDecay >= 0))
      throw new DetectorOptionError('weightDecay', this.weightDecay, 'must be >= 0');
    this.mu = tf.keep(tf.scalar(this.momentum));
  }

  /**
   * One update of the variables named in `grads` (tfjs variable names, as tf.variableGrads keys them) at
   * learning rate `lr`. The caller still owns and disposes `grads`.
   */
  step(grads: tf.NamedTensorMap, lr: number): void {
    if (!(lr >= 0)) throw new DetectorOptionError('lr', lr, 'must be >= 0');
    const variables = tf.engine().registeredVariables;
    const entries = Object.entries(grads).map(([name, grad]) => {
      const variable = variables[name];
      if (variable === undefined)
        throw new DetectorOptionError('grads', name, 'names no registered variable');
      return { name, grad, variable };
    });
    tf.tidy(() => {
      const step = tf.scalar(-lr);
      for (const { name, grad, variable } of entries) {
        const decayed = this.weightDecay > 0 ? tf.add(grad, tf.mul(variable, this.weightDecay)) : grad;
        const buffer = this.bufferOf(name, variable);
        const next = tf.add(tf.mul(this.mu, buffer), decayed);
        buffer.assign(next);
        variable.assign(tf.add(tf.mul(step, next), variable));
      }
    });
  }

  /** The momentum buffers, one per variable stepped so far, named as the variable; sorted by name. */
  async state(): Promise<NamedArray[]> {
    const names = [...this.buffers.keys()].sort();
    return Promise.all(
      names.map(async (name) => {
        const buffer = this.buffers.get(name)!;
        return {
          name,
          kind: 'state' as const,
          dtype: 'float32' as const,
          shape: [...buffer.shape],
          data: Float32Array.from(await buffer.data()),
        };
      }),
    );
  }

  /**
   * Replaces every buffer with `arrays` (from `state`). Each name must be a registered variable of the same
   * shape; nothing changes unless all of them are.
   */
  restore(arrays: readonly NamedArray[], source = 'optimizer state'): void {
    const variables = tf.engine().registeredVariables;
    for (const array of arrays) {
      const variable = variables[array.name];
      if (variable === undefined) {
        throw new DetectorOptionError(
          `${source}: ${array.name}`,
          array.name,
          'names no variable of this model',
        );
      }
      if (array.shape.join('x') !== variable.shape.join('x') || array.dtype !== 'float32') {
        throw new DetectorOptionError(
          `${source}: ${array.name}`,
          `${array.dtype}[${array.shape.join(', ')}]`,
          `float32[${variable.shape.join(', ')}] (the variable's shape)`,
        );
      }
    }
    this.disposeBuffers();
    for (const array of arrays) {
      const values = array.data instanceof Float32Array ? array.data : Float32Array.from(array.data);
      const initial = tf.tensor(values, [...array.shape], 'float32');
      this.buffers.set(array.name, tf.variable(initial, false));
      initial.dispose();
    }
  }

  dispose(): void {
    this.disposeBuffers();
    this.mu.dispose();
  }

  private bufferOf(name: string, variable: tf.Variable): tf.Variable {
    let buffer = this.buffers.get(name);
    if (buffer === undefined) {
      buffer = tf.keep(tf.variable(tf.zerosLike(variable), false));
      this.buffers.set(name, buffer);
    }
    return buffer;
  }

  private disposeBuffers(): void {
    for (const buffer of this.buffers.values()) buffer.dispose();
    this.buffers.clear();
  }
}
