// One entry point for the trainer: join the right group for the rank environment (read once by
// worker/runtime/rank-env.ts into a GroupEnv, the one reader of RANK, WORLD_SIZE, ...): no NATS_URL -> the local transport (all ranks on this machine); LOCAL_WORLD_SIZE > 1 with
// `hierarchical` -> the hierarchical mode; otherwise flat over NATS.
import type { Collective } from './collective.js';
import type { EngineOptions } from './engine.js';
import { CollectiveOptionError } from './errors.js';
import { joinHierarchicalGroup } from './hierarchical.js';
import { joinLocalGroup } from './local-collective.js';
import { joinNatsGroup, type NatsGroupOptions } from './nats-collective.js';

export interface GroupEnv {
  /** BACL_JOB, `<namespace>/<name>`. */
  job: string;
  attempt: number;
  rank: number;
  worldSize: number;
  localRank: number;
  localWorldSize: number;
  nodeRank: number;
  /** NATS_URL; absent for a local run. */
  natsUrl?: string;
  /** NATS_CREDS. */
  natsCreds?: string;
}

export interface JoinGroupOptions
  extends
    Omit<EngineOptions, 'rank' | 'worldSize'>,
    Pick<
      NatsGroupOptions,
      'heartbeatMs' | 'peerTimeoutMs' | 'rendezvousTimeoutMs' | 'connectWithinMs' | 'log'
    > {
  /** A digest of the effective config; ranks with different ones refuse to form a group. */
  configDigest: string;
  /** The node's socket directory, for the local and hierarchical modes. */
  socketDir?: string;
  /** Use the hierarchical mode when LOCAL_WORLD_SIZE > 1. @default false (measured slower than flat: 0.50x, ADR 0020) */
  hierarchical?: boolean;
  signal?: AbortSignal;
}

export async function joinGroup(env: GroupEnv, options: JoinGroupOptions): Promise<Collective> {
  const { socketDir, hierarchical, ...common } = options;
  const needSocketDir = () => {
    if (!socketDir)
      throw new CollectiveOptionError(
        'socketDir',
        socketDir,
        'the local and hierarchical modes need a directory for sockets',
      );
    return socketDir;
  };
  if (!env.natsUrl)
    return joinLocalGroup({
      ...common,
      socketDir: needSocketDir(),
      rank: env.rank,
      worldSize: env.worldSize,
    });
  const nats = {
    ...common,
    servers: env.natsUrl,
    ...(env.natsCreds ? { credsFile: env.natsCreds } : {}),
    job: env.job,
    attempt: env.attempt,
    rank: env.rank,
    worldSize: env.worldSize,
  };
  if (hierarchical && env.localWorldSize > 1) {
    return joinHierarchicalGroup({ ...nats, localWorldSize: env.localWorldSize, socketDir: needSocketDir() });
  }
  return joinNatsGroup(nats);
}
