// Public surface of the operator: what the bin imports. Internals stay behind this file; tests and
// benchmarks reach them through operator/internal.ts.
export { main } from './main.js';
