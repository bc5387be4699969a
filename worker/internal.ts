// Worker internals that tests and benchmarks import (never other parts: they use worker/index.ts).
export * from './checkpoint/index.js';
export type { NamedArray } from './model/weights/index.js';
