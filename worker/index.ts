// Public surface of the worker: what other parts and the bin import (the bin's `main`, the CLI's backend
// commands; the CLI's `run` adds the runtime's entry when it lands). Tests and benchmarks reach internals
// through worker/internal.ts.
export { main } from './main.js';
export { type BackendReport, checkBackends, chooseBackend } from './tf/index.js';
