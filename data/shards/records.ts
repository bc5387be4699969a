// Turns a shard's tar members into records: consecutive members with the same key (the name up to its first
// dot) form one sample, which must hold exactly a .jpg and a .json. The JSON is checked against the LVIS
// schemas, so a bad record is reported as "shard, key, what is wrong" before anything trains on it.
import { z } from 'zod';
import {
  LvisFormatError,
  lvisAnnotationSchema,
  lvisImageSchema,
  validateLvisValue,
} from '../../common/index.js';
import type { LvisAnnotation, LvisImage } from '../../common/index.js';
import { ShardFormatError, ShardRecordError } from './errors.js';
import { readTarEntries, TarFormatError } from './tar.js';

export interface ShardRecord {
  shard: string;
  /** The shard's full location (an s3:// URI or a path), named in errors; the shard name when not given. */
  where?: string;
  key: string;
  /** Position of the record in its shard. */
  index: number;
  jpeg: Buffer;
  json: Buffer;
}

/** A record's members, or the error that makes it unusable (the stream itself stays readable). */
export type RecordOrError =
  { ok: true; record: ShardRecord } | { ok: false; index: number; error: ShardRecordError };

/** The records of one shard; throws ShardFormatError when the tar stream itself is damaged. */
export async function* readShardRecords(
  shard: string,
  bytes: AsyncIterable<Uint8Array>,
  where: string = shard,
): AsyncGenerator<RecordOrError> {
  let current: { key: string; members: Map<string, Buffer> } | undefined;
  let index = 0;
  let lastKey: string | undefined;
  const complete = (key: string, members: Map<string, Buffer>): RecordOrError => {
    const jpeg = members.get('jpg');
    const json = members.get('json');
    const extra = [...members.keys()].filter((extension) => extension !== 'jpg' && extension !== 'json');
    if (jpeg === undefined || json === undefined || extra.length > 0) {
      const problem =
        extra.length > 0
          ? `unexpected members ${extra.map((e) => `${key}.${e}`).join(', ')}`
          : `no ${key}.${jpeg === undefined ? 'jpg' : 'json'} member`;
      return { ok: false, index, error: new ShardRecordError(shard, key, problem, { where }) };
    }
    return { ok: true, record: { shard, where, key, index, jpeg, json } };
  };
  try {
    for await (const entry of readTarEntries(bytes)) {
      const dot = entry.name.indexOf('.');
      const key = dot < 0 ? entry.name : entry.name.slice(0, dot);
      const extension = dot < 0 ? '' : entry.name.slice(dot + 1);
      if (current !== undefined && current.key !== key) {
        yield complete(current.key, current.members);
        lastKey = current.key;
        index += 1;
        current = undefined;
      }
      current ??= { key, members: new Map() };
      current.members.set(extension, entry.data);
    }
  } catch (error) {
    if (error instanceof TarFormatError) {
      throw new ShardFormatError(shard, error.message, current?.key ?? lastKey, { cause: error, where });
    }
    throw error;
  }
  if (current !== undefined) yield complete(current.key, current.members);
}

const sampleJsonSchema = z.object({ image: lvisImageSchema, annotations: z.array(lvisAnnotationSchema) });

/** The record's JSON parsed and validated; errors name the shard, key and JSON path. */
export function parseRecordJson(record: ShardRecord): { image: LvisImage; annotations: LvisAnnotation[] } {
  let value: unknown;
  try {
    value = JSON.parse(record.json.toString('utf8'));
  } catch (error) {
    throw new ShardRecordError(record.shard, record.key, `${record.key}.json is not JSON`, {
      cause: error,
      where: record.where,
    });
  }
  try {
    return validateLvisValue(
      sampleJsonSchema,
      value,
      `${record.where ?? record.shard}:${record.key}.json`,
      [],
    );
  } catch (error) {
    const detail = error instanceof LvisFormatError ? `${error.jsonPath}: ${error.problem}` : String(error);
    throw new ShardRecordError(record.shard, record.key, `${record.key}.json ${detail}`, {
      cause: error,
      where: record.where,
    });
  }
}
