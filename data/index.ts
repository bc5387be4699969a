// data/: LVIS data tooling shared by the CLI and the worker (the evaluator now; synthetic data and shards next).
// Other parts import it only through this file.
export { DataError, type DataErrorKind } from './errors.js';
export * from './eval/index.js';
export * from './synth/index.js';
export * from './shards/index.js';
