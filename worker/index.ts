// Public surface of the worker: what the bin, the CLI's `run` and other parts may import.
export { main, workerInfo } from './main.js';
export * from './model/index.js';
export {
  chooseBackend,
  describeRuntime,
  initTf,
  nativeInstall,
  type InitTfOptions,
  type TfBackendChoice,
  type TfBackendName,
  type TfRuntime,
} from './tf/index.js';
