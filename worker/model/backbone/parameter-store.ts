// Named tf.Variables under the names of mmdet's detector state dict (`backbone.layer1.0.conv1.weight`,
// `neck.fpn_convs.0.conv.bias`), so that freezing is a set of names, as the reference's `select_training_param`
// (spec 1.4: a substring match on parameter names) and mmdet's `_freeze_stages` are, and so that checkpoints
// and torchvision imports map by name.
//
// Two kinds of entry:
// - 'parameter': learnable (conv weights, BN affine); `trainable` says whether the optimizer may move it now.
// - 'state': never learned, but part of the model (BN running statistics, FCBL and FHM state); always
//   non-trainable, so tf.variableGrads never differentiates it.
import * as tf from '@tensorflow/tfjs';
import { ParameterNameError } from './errors.js';

export type ParameterKind = 'parameter' | 'state';

export interface ParameterEntry {
  /** The state-dict name, e.g. `backbone.bn1.running_mean`. */
  readonly name: string;
  readonly kind: ParameterKind;
  readonly variable: tf.Variable;
}

export interface ParameterStoreOptions {
  /**
   * Prepended as `${scope}/` to the tfjs variable names only (not to the state-dict names), so two models can
   * live in one process: tfjs refuses to register a variable name twice. Gradients from tf.variableGrads are
   * keyed by the tfjs name; `nameOf` maps back.
   * @default '' (tfjs names are the state-dict names)
   */
  scope?: string;
}

export class ParameterStore {
  readonly scope: string;
  private readonly entries = new Map<string, ParameterEntry>();
  private readonly byVariableName = new Map<string, string>();

  constructor(options: ParameterStoreOptions = {}) {
    this.scope = options.scope ?? '';
  }

  /** Registers a learnable tensor (copied into a new variable; `initial` stays the caller's). */
  addParameter(name: string, initial: tf.Tensor, trainable = true): tf.Variable {
    return this.add(name, 'parameter', initial, trainable);
  }

  /** Registers non-learned model state (BN running statistics and the like); never trainable. */
  addState(name: string, initial: tf.Tensor): tf.Variable {
    return this.add(name, 'state', initial, false);
  }

  private add(name: string, kind: ParameterKind, initial: tf.Tensor, trainable: boolean): tf.Variable {
    if (this.entries.has(name)) throw new ParameterNameError(name, 'is already registered in this store');
    const variableName = this.scope === '' ? name : `${this.scope}/${name}`;
    let variable: tf.Variable;
    try {
      variable = tf.variable(initial, trainable, variableName);
    } catch (error) {
      throw new ParameterNameError(name, `could not be created as tfjs variable '${variableName}'`, {
        cause: error,
      });
    }
    this.entries.set(name, { name, kind, variable });
    this.byVariableName.set(variableName, name);
    return variable;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  get(name: string): tf.Variable {
    const entry = this.entries.get(name);
    if (entry === undefined) throw new ParameterNameError(name, 'is not registered in this store');
    return entry.variable;
  }

  /** The state-dict name of a tfjs variable name (as keyed in tf.variableGrads' result). */
  nameOf(variableName: string): string {
    const name = this.byVariableName.get(variableName);
    if (name === undefined) throw new ParameterNameError(variableName, 'is not a variable of this store');
    return name;
  }

  /** Every entry, in registration order (stable: the checkpoint and the gradient layout depend on it). */
  list(kind?: ParameterKind): ParameterEntry[] {
    const all = [...this.entries.values()];
    return kind === undefined ? all : all.filter((entry) => entry.kind === kind);
  }

  /** The learnable variables the optimizer may move now. */
  trainableVariables(): tf.Variable[] {
    return this.list('parameter')
      .filter((entry) => entry.variable.trainable)
      .map((entry) => entry.variable);
  }

  /**
   * Sets `trainable` on every parameter whose name `select` accepts and returns their names; 'state' entries
   * are never trainable and are skipped. tfjs reads `Variable.trainable` at each tf.variableGrads call.
   */
  setTrainable(select: (name: string) => boolean, trainable: boolean): string[] {
    const changed: string[] = [];
    for (const entry of this.list('parameter')) {
      if (!select(entry.name)) continue;
      entry.variable.trainable = trainable;
      changed.push(entry.name);
    }
    return changed;
  }

  dispose(): void {
    for (const entry of this.entries.values()) entry.variable.dispose();
    this.entries.clear();
    this.byVariableName.clear();
  }
}

/** Selects names starting with any of `prefixes` (each ends in '.', so `layer1.` never matches `layer10.`). */
export function namePrefixSelector(prefixes: readonly string[]): (name: string) => boolean {
  return (name) => prefixes.some((prefix) => name.startsWith(prefix));
}
