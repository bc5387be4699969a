// operator/ internals for tests and benchmarks only (the nats.js "./internal" pattern): never imported by
// other parts, which use operator/index.ts. Everything public is here too, so a test needs one import.
export * from './index.js';
export { renderValuesSchema } from './chart/render.js';
export { chartValuesSchema, valuesJsonSchema, valuesPath, valuesSchemaPath } from './chart/values.js';
export { ManualClock } from './controller/clock.js';
export { type ControllerOptions, runController } from './controller/controller.js';
export { transitionEvents } from './controller/events.js';
export { ownerKey } from './controller/informers.js';
export { KubeRequestError } from './controller/errors.js';
export { bacljobs } from './controller/kube-api.js';
export { RankReports } from './controller/rank-reports.js';
export {
  describeReconcileError,
  invalidSpecProblem,
  missingSettingsProblem,
} from './controller/reconcile-problem.js';
export { sameJson } from './controller/same-json.js';
export { WorkQueue } from './controller/work-queue.js';
export { runWorkers } from './controller/workers.js';
export { crdPath, renderCrdYaml } from './crd/crd.js';
export { toStructural, UnstructuralSchemaError } from './crd/structural.js';
export { main } from './main.js';
export { accountClaims, operatorClaims, userClaims } from './nats/claims.js';
export {
  jobUserClaims,
  type JobUser,
  NatsSigningKeyError,
  NatsUserMinter,
  operatorUserClaims,
} from './nats/job-user.js';
export {
  base32,
  credsJwt,
  decodeJwt,
  encodeJwt,
  formatCreds,
  type NatsClaims,
  NatsJwtError,
  type UnsignedClaims,
} from './nats/jwt.js';
export { FlagError, parseAddress, parseOperatorFlags } from './process/flags.js';
export type { HttpEndpoint } from './process/http.js';
export { deriveState, setCondition } from './reconcile/conditions.js';
export { decide } from './reconcile/decide.js';
export { finalizer, podName, purgePodName, runPrefix } from './reconcile/naming.js';
export {
  defaultNatsPeriodSeconds,
  mintedCredentials,
  natsCredentialsSecretName,
  type NatsMinting,
} from './reconcile/nats-credentials.js';
export {
  buildConfigMap,
  buildNatsCredentialsSecret,
  buildPurgePod,
  buildService,
  buildWorkerPod,
  purgeContainer,
  purgeGracePeriodSeconds,
  purgeUri,
} from './reconcile/objects.js';
export { observePod, observePurgePod, resultsFromPod } from './reconcile/observe.js';
export {
  terminationMessagePath,
  workerContainerSecurity,
  workerPodSecurity,
  workerUid,
} from './reconcile/pod-security.js';
export type {
  Action,
  Decision,
  Observed,
  ObservedPod,
  ObservedPurgePod,
  PodPhase,
} from './reconcile/types.js';
export {
  reconcileFailing,
  withReconcileProblem,
  type ReconcileFailureReason,
  type ReconcileProblem,
} from './reconcile/reconcile-failed.js';
export { applyWorkerDefaults, defaultedFields, type WorkerDefaults } from './reconcile/worker-defaults.js';
export { createLogger, silentLogger } from './telemetry/logger.js';
export { Counter, Gauge, Histogram, Registry } from './telemetry/metrics.js';
export { OperatorMetrics } from './telemetry/operator-metrics.js';
