// Public surface of the worker: what the bin, the CLI's `run` and other parts may import.
export { main, workerInfo } from './main.js';
export * from './model/index.js';
export { DirectoryStorage } from './storage/directory-storage.js';
export { initTf, type InitTfOptions, type TfBackendName, type TfRuntime } from './tf/index.js';
