// What cli/, operator/ and worker/ share: the process conventions now; the BaclJob API, the config schema and
// the LVIS formats as their issues land. The three parts import shared code only through this file.
export { errorCodes, ExitCode, type ErrorCode, type ExitStatus } from './exit-codes.js';
export {
  answerStandardFlags,
  helpText,
  packageRoot,
  packageVersion,
  processIO,
  standardFlags,
  type ProgramInfo,
  type ProgramIO,
} from './program.js';
export * from './config/index.js';
export * from './api/index.js';
export * from './lvis/index.js';
export * from './training-config/index.js';
export { hash32, seededRng, SeededRandom, splitmix32, standardNormals, type UniformRng } from './random.js';
