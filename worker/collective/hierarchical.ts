// Hierarchical collectives (LOCAL_WORLD_SIZE = g > 1 ranks per node, m nodes, rank = node * g + local): the
// ranks of a node talk over the local transport; local rank i of every node forms cross-node group i over NATS
// and carries slice i of the vector (spec/allreduce.md 4.1.3), so every rank's NATS link works in parallel.
// The sum must keep the flat order x_0 + x_1 + ... + x_{n-1} to give the flat result's bits, so the cross-node
// step is a chain, not a tree: node 0 sums its ranks' slice, node 1 adds its ranks to that partial, and so on;
// the last node rounds (bf16) and sends the final slice to every node, which then all-gathers its slices
// locally. Partials travel as fp32 even on the bf16 wire, or the bits would differ from the flat sum.
import type { AllReduceOptions, Collective, CollectiveCallOptions } from './collective.js';
import { roundToBf16 } from './bf16.js';
import { CollectiveError, CollectiveOptionError } from './errors.js';
import { joinLocalGroup } from './local-collective.js';
import { joinNatsGroup, type NatsGroupOptions } from './nats-collective.js';

export interface HierarchicalLayout {
  nodeRank: number;
  localRank: number;
  /** g, LOCAL_WORLD_SIZE. */
  localWorldSize: number;
  /** m, the number of nodes. */
  nodes: number;
}

function bytesOf(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

function floatsOf(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes); // aligned, and owned
  return new Float32Array(copy.buffer, 0, copy.length / 4);
}

/** Length-prefixed concatenation of byte strings (u32 LE length before each). */
function pack(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + 4 + part.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const part of parts) {
    view.setUint32(at, part.length, true);
    out.set(part, at + 4);
    at += 4 + part.length;
  }
  return out;
}

function unpack(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const length = view.getUint32(at, true);
    parts.push(bytes.slice(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return parts;
}

export class HierarchicalCollective implements Collective {
  readonly rank: number;
  readonly worldSize: number;

  /** `local`: this node's g ranks; `cross`: the m ranks with this local rank, one per node, in node order. */
  constructor(
    private readonly local: Collective,
    private readonly cross: Collective,
    private readonly layout: HierarchicalLayout,
  ) {
    const { nodeRank, localRank, localWorldSize, nodes } = layout;
    if (
      local.worldSize !== localWorldSize ||
      local.rank !== localRank ||
      cross.worldSize !== nodes ||
      cross.rank !== nodeRank
    ) {
      throw new CollectiveOptionError(
        'layout',
        layout,
        'the local group must have LOCAL_WORLD_SIZE ranks and the cross group one per node',
      );
    }
    this.rank = nodeRank * localWorldSize + localRank;
    this.worldSize = nodes * localWorldSize;
  }

  async barrier(options: CollectiveCallOptions = {}): Promise<void> {
    await this.guard(async () => {
      await this.local.barrier(options);
      await this.cross.barrier(options);
      await this.local.barrier(options);
    });
  }

  broadcast(bytes: Uint8Array, root: number, options: CollectiveCallOptions = {}): Promise<Uint8Array> {
    if (!Number.isInteger(root) || root < 0 || root >= this.worldSize) {
      throw new CollectiveOptionError('root', root, `must be a rank in [0, ${this.worldSize - 1}]`);
    }
    const g = this.layout.localWorldSize;
    const rootNode = Math.floor(root / g);
    return this.guard(async () => {
      const onRootNode =
        this.layout.nodeRank === rootNode ? await this.local.broadcast(bytes, root % g, options) : bytes;
      return this.cross.broadcast(onRootNode, rootNode, options);
    });
  }

  allGather(bytes: Uint8Array, options: CollectiveCallOptions = {}): Promise<Uint8Array[]> {
    return this.guard(async () => {
      const mine = await this.local.allGather(bytes, options);
      const nodes = await this.cross.allGather(pack(mine), options);
      return nodes.flatMap(unpack);
    });
  }

  allReduceSum(vector: Float32Array, options: AllReduceOptions = {}): Promise<Float32Array> {
    const wire = options.wire ?? 'fp32';
    const { nodeRank, localRank, localWorldSize: g, nodes } = this.layout;
    const sliceStart = (i: number) => Math.floor((i * vector.length) / g);
    const [start, end] = [sliceStart(localRank), sliceStart(localRank + 1)];
    return this.guard(async () => {
      // 1. Every local rank gets this node's contributions to its slice (each rank sends all of its vector).
      const contributions = (await this.local.allGather(bytesOf(vector), options)).map((bytes) =>
        floatsOf(bytes).subarray(start, end),
      );
      if (wire === 'bf16') contributions.forEach((part) => roundToBf16(part));
      // 2. The chain over nodes, in node (so rank) order.
      let acc: Float32Array = new Float32Array(end - start);
      for (let node = 0; node < nodes; node++) {
        if (node === nodeRank) {
          contributions.forEach((part, j) => {
            if (node === 0 && j === 0) acc.set(part);
            else for (let i = 0; i < acc.length; i++) acc[i]! += part[i]!;
          });
          if (node === nodes - 1 && wire === 'bf16') roundToBf16(acc);
        }
        if (nodes > 1) {
          const received = await this.cross.broadcast(bytesOf(acc), node, options);
          if (node !== nodeRank) acc = floatsOf(received);
        }
      }
      // 3. Every rank of the node gets every final slice.
      const slices = await this.local.allGather(bytesOf(acc), options);
      slices.forEach((slice, i) => vector.set(floatsOf(slice), sliceStart(i)));
      return vector;
    });
  }

  abort(reason: string): void {
    this.local.abort(reason);
    this.cross.abort(reason);
  }

  async close(): Promise<void> {
    await Promise.all([this.local.close(), this.cross.close()]);
  }

  /** A failure in either group aborts the other, so no rank waits for a peer that already failed. */
  private async guard<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      if (error instanceof CollectiveError) this.abort(error.message);
      throw error;
    }
  }
}

export interface HierarchicalGroupOptions extends NatsGroupOptions {
  /** This node's directory for the local transport's sockets (one per node, shared by its ranks). */
  socketDir: string;
  /** LOCAL_WORLD_SIZE. */
  localWorldSize: number;
}

/** Joins the local group of this node and the cross-node group of this local rank (rank = node * g + local). */
export async function joinHierarchicalGroup(
  options: HierarchicalGroupOptions,
): Promise<HierarchicalCollective> {
  const g = options.localWorldSize;
  if (!Number.isInteger(g) || g < 1 || options.worldSize % g !== 0) {
    throw new CollectiveOptionError('LOCAL_WORLD_SIZE', g, `must divide WORLD_SIZE (${options.worldSize})`);
  }
  const layout: HierarchicalLayout = {
    nodeRank: Math.floor(options.rank / g),
    localRank: options.rank % g,
    localWorldSize: g,
    nodes: options.worldSize / g,
  };
  const { socketDir, localWorldSize: _g, ...nats } = options;
  const [local, cross] = await Promise.all([
    joinLocalGroup({ ...options, socketDir, rank: layout.localRank, worldSize: g }),
    joinNatsGroup({
      ...nats,
      rank: layout.nodeRank,
      worldSize: layout.nodes,
      channel: `l${layout.localRank}`,
    }),
  ]);
  return new HierarchicalCollective(local, cross, layout);
}
