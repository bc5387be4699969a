// The test harness: real servers on 127.0.0.1, random ports, own temp dirs, stopped by PID.
export { infraManifest, InfraMissingError, type InfraManifest } from './infra.js';
export { startKube, type KubeCluster } from './kube.js';
export {
  startNats,
  natsTrustChain,
  NATS_MAX_PAYLOAD,
  type NatsServer,
  type NatsTrust,
  type NatsTrustChain,
  type StartNatsOptions,
} from './nats.js';
export { startS3, type S3Server } from './s3.js';
export {
  startS3FaultProxy,
  type InjectedFault,
  type ProxiedRequest,
  type S3Fault,
  type S3FaultAnswer,
  type S3FaultProxy,
} from './s3-faults.js';
export { freePort } from './ports.js';
export { startPodRunner, type PodRunner, type PodRunnerOptions } from './pod-runner.js';
export { ManagedProcess, ServerStartError, startProcess } from './process.js';
export { sharedKube, sharedNats, sharedS3, stopSharedServers } from './servers.js';
export { makeWorkDir } from './workdir.js';
export { waitFor, type WaitForOptions } from './wait.js';
