// Packs samples (<key>.jpg + <key>.json) into tar shards of about `targetBytes` each, handing every finished
// shard to `flush` before the next one grows: memory holds one shard at most.
import { tarEnd, tarMember, tarMemberSize } from './tar.js';
import type { ShardEntry } from './manifest.js';

export interface ShardSample {
  key: string;
  jpeg: Buffer;
  json: Buffer;
  annotations: number;
}

export function shardName(index: number): string {
  return `shard-${String(index).padStart(6, '0')}.tar`;
}

export class ShardPacker {
  private parts: Buffer[] = [];
  private bytes = 0;
  private samples = 0;
  private annotations = 0;
  private firstKey = '';
  private lastKey = '';
  readonly shards: ShardEntry[] = [];

  constructor(
    private readonly targetBytes: number,
    private readonly flush: (name: string, body: Buffer) => Promise<void>,
  ) {}

  /** Adds a sample; starts a new shard first when this one would pass the target size. */
  async add(sample: ShardSample): Promise<void> {
    const size = tarMemberSize(sample.jpeg.length) + tarMemberSize(sample.json.length);
    if (this.samples > 0 && this.bytes + size + 1024 > this.targetBytes) await this.finish();
    if (this.samples === 0) this.firstKey = sample.key;
    this.parts.push(
      ...tarMember(`${sample.key}.jpg`, sample.jpeg),
      ...tarMember(`${sample.key}.json`, sample.json),
    );
    this.bytes += size;
    this.samples += 1;
    this.annotations += sample.annotations;
    this.lastKey = sample.key;
  }

  /** Writes the shard in progress, if it has samples. */
  async finish(): Promise<void> {
    if (this.samples === 0) return;
    const body = Buffer.concat([...this.parts, tarEnd()]);
    const name = shardName(this.shards.length);
    await this.flush(name, body);
    this.shards.push({
      name,
      samples: this.samples,
      annotations: this.annotations,
      bytes: body.length,
      firstKey: this.firstKey,
      lastKey: this.lastKey,
    });
    this.parts = [];
    this.bytes = this.samples = this.annotations = 0;
  }
}
