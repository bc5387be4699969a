// Collectives for data-parallel training: what the trainer and the launcher use (ADR 0020).
export type { AllReduceOptions, Collective, CollectiveCallOptions, WireFormat } from './collective.js';
export {
  CollectiveAbortedError,
  CollectiveError,
  CollectiveMismatchError,
  CollectiveOptionError,
  CollectiveTimeoutError,
  PeerLostError,
  TransportLostError,
  type CollectiveName,
} from './errors.js';
export { bf16AllReduceBound } from './bf16.js';
export { fixedOrderSum } from './reduce.js';
export {
  joinNatsGroup,
  NATS_DEFAULTS,
  type NatsCollective,
  type NatsGroupOptions,
} from './nats-collective.js';
export { groupSubjects, type GroupSubjects } from './subjects.js';
export {
  joinLocalGroup,
  LOCAL_MAX_FRAME_BYTES,
  type LocalCollective,
  type LocalGroupOptions,
} from './local-collective.js';
export {
  HierarchicalCollective,
  joinHierarchicalGroup,
  type HierarchicalGroupOptions,
  type HierarchicalLayout,
} from './hierarchical.js';
export { joinGroup, type GroupEnv, type JoinGroupOptions } from './join-group.js';
