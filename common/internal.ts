// common/ internals for tests and benchmarks only (the nats.js "./internal" pattern): never imported by
// other parts, which use common/index.ts. Everything public is here too, so a test needs one import.
export * from './index.js';
export type { CleanPodPolicy } from './api/index.js';
export { formatOrigin } from './config/index.js';
export { droppedKeys, firstLeaf, knownKeys, nearestKey } from './config/unknown-keys.js';
export { LvisJsonSyntaxError, parseLvisGroundTruth, parseLvisResults, scanJson } from './lvis/index.js';
export { stageScheduleSchema } from './training-config/index.js';
