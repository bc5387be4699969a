// One entry point for the trainer: read the rank environment (design.md) once into a typed object, then join
// the right group: no NATS_URL -> the local transport (all ranks on this machine); LOCAL_WORLD_SIZE > 1 with
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

function integer(env: NodeJS.ProcessEnv, name: string, fallback?: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    if (fallback !== undefined) return fallback;
    throw new CollectiveOptionError(name, raw, 'must be set by the launcher (rank environment, design.md)');
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new CollectiveOptionError(name, raw, 'must be a non-negative integer');
  return value;
}

/** Reads and cross-checks the rank environment; errors name the variable. */
export function readGroupEnv(env: NodeJS.ProcessEnv): GroupEnv {
  const worldSize = integer(env, 'WORLD_SIZE');
  const rank = integer(env, 'RANK');
  const localWorldSize = integer(env, 'LOCAL_WORLD_SIZE', 1);
  const localRank = integer(env, 'LOCAL_RANK', rank % localWorldSize);
  const nodeRank = integer(env, 'NODE_RANK', Math.floor(rank / localWorldSize));
  if (worldSize < 1) throw new CollectiveOptionError('WORLD_SIZE', worldSize, 'must be at least 1');
  if (rank >= worldSize)
    throw new CollectiveOptionError('RANK', rank, `must be below WORLD_SIZE (${worldSize})`);
  if (localWorldSize < 1 || worldSize % localWorldSize !== 0) {
    throw new CollectiveOptionError(
      'LOCAL_WORLD_SIZE',
      localWorldSize,
      `must divide WORLD_SIZE (${worldSize})`,
    );
  }
  if (rank !== nodeRank * localWorldSize + localRank || localRank >= localWorldSize) {
    throw new CollectiveOptionError(
      'RANK',
      rank,
      `must equal NODE_RANK * LOCAL_WORLD_SIZE + LOCAL_RANK (${nodeRank} * ${localWorldSize} + ${localRank})`,
    );
  }
  const job = env.BACL_JOB ?? '';
  if (!job) throw new CollectiveOptionError('BACL_JOB', job, 'must be <namespace>/<name>');
  return {
    job,
    attempt: integer(env, 'BACL_ATTEMPT', 0),
    rank,
    worldSize,
    localRank,
    localWorldSize,
    nodeRank,
    ...(env.NATS_URL ? { natsUrl: env.NATS_URL } : {}),
    ...(env.NATS_CREDS ? { natsCreds: env.NATS_CREDS } : {}),
  };
}

export interface JoinGroupOptions
  extends
    Omit<EngineOptions, 'rank' | 'worldSize'>,
    Pick<NatsGroupOptions, 'heartbeatMs' | 'peerTimeoutMs' | 'rendezvousTimeoutMs'> {
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
