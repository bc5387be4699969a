// Public surface of the worker: what the bin, the CLI's `run` and other parts may import.
export { main, workerInfo } from './main.js';
export * from './model/index.js';
export * from './events/index.js';
export {
  checkBackends,
  chooseBackend,
  describeRuntime,
  initTf,
  nativeInstall,
  nativeInstallHint,
  type BackendReport,
  type InitTfOptions,
  type TfBackendChoice,
  type TfBackendName,
  type TfRuntime,
} from './tf/index.js';
