// Public surface of the operator: what the bin and other parts may import. Internals stay behind this file.
export { main, operatorInfo } from './main.js';
export { baclJobCrd, renderCrdYaml, type CrdObject } from './crd/crd.js';
export { runController, type ControllerOptions } from './controller/controller.js';
export { chartValuesSchema, type ChartValues } from './chart/values.js';
export { decide } from './reconcile/decide.js';
export { finalizer, podName } from './reconcile/naming.js';
export { observePod } from './reconcile/observe.js';
export type {
  Action,
  DecideOptions,
  Decision,
  Observed,
  ObservedPod,
  ProgressReport,
} from './reconcile/types.js';
