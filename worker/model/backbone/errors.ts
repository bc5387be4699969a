// The parameter store's typed error. Shape and option errors of the backbone and the FPN are the model's shared
// ModelShapeError and ModelOptionError (../errors.ts). Callers branch on the class, never on the text.
import { ModelError } from '../errors.js';

/** A parameter name is registered twice, or asked for but never registered. */
export class ParameterNameError extends ModelError {
  override readonly name: string = 'ParameterNameError';
  /** The store-level name, e.g. `backbone.layer1.0.conv1.weight`. */
  readonly parameter: string;

  constructor(parameter: string, problem: string, options?: { cause?: unknown }) {
    super(`parameter '${parameter}' ${problem}`, options);
    this.parameter = parameter;
  }
}
