// A minimal POSIX ustar writer and streaming reader: all a webdataset-style shard needs (regular files with
// short names). Written here rather than taken from tar-stream so the reader pulls from any async byte stream
// (an S3 body) with backpressure and never holds more than one member, and so headers are byte-for-byte
// deterministic (mtime 0, uid/gid 0), which makes shards reproducible.

import { DataError } from '../errors.js';

const block = 512;

/** The archive is damaged or cut short; the shard reader names the shard and record (ShardFormatError). */
export class TarFormatError extends DataError {
  override name = 'TarFormatError';
  /** Byte offset of the offending header or member in the archive. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(
      `${message} (at byte ${offset})`,
      'invalid',
      'the archive is damaged: rebuild the dataset with `baclctl data prepare`',
    );
    this.offset = offset;
  }
}

function writeOctal(header: Buffer, value: number, offset: number, length: number): void {
  header.write(value.toString(8).padStart(length - 1, '0') + '\0', offset, length, 'ascii');
}

/** Header + data + padding for one regular file. */
export function tarMember(name: string, data: Uint8Array): Buffer[] {
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length > 100) throw new RangeError(`tar member name longer than 100 bytes: ${name}`);
  const header = Buffer.alloc(block);
  nameBytes.copy(header, 0);
  writeOctal(header, 0o644, 100, 8);
  writeOctal(header, 0, 108, 8);
  writeOctal(header, 0, 116, 8);
  writeOctal(header, data.length, 124, 12);
  writeOctal(header, 0, 136, 12);
  header.fill(' ', 148, 156);
  header.write('0', 156, 'ascii');
  header.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  const padding = (block - (data.length % block)) % block;
  return [header, Buffer.from(data.buffer, data.byteOffset, data.length), Buffer.alloc(padding)];
}

/** The end-of-archive marker: two zero blocks. */
export function tarEnd(): Buffer {
  return Buffer.alloc(2 * block);
}

/** Bytes a member takes in the archive. */
export function tarMemberSize(dataLength: number): number {
  return block + Math.ceil(dataLength / block) * block;
}

export interface TarEntry {
  name: string;
  data: Buffer;
  /** Offset of the entry's header in the archive. */
  offset: number;
}

/** A FIFO of byte chunks that hands out exact-size pieces, concatenating only what a piece spans. */
class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;

  push(chunk: Uint8Array): void {
    this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    this.length += chunk.length;
  }

  take(count: number): Buffer {
    const parts: Buffer[] = [];
    let left = count;
    while (left > 0) {
      const head = this.chunks[0]!;
      if (head.length <= left) {
        parts.push(head);
        this.chunks.shift();
        left -= head.length;
      } else {
        parts.push(head.subarray(0, left));
        this.chunks[0] = head.subarray(left);
        left = 0;
      }
    }
    this.length -= count;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, count);
  }
}

function parseOctal(header: Buffer, offset: number, length: number): number {
  const text = header
    .toString('ascii', offset, offset + length)
    .replace(/[\0 ]+$/, '')
    .trim();
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}

function checksumOk(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < block; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
  return sum === parseOctal(header, 148, 8);
}

/** The regular-file members of a tar stream, in order; throws TarFormatError on a damaged or cut archive. */
export async function* readTarEntries(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<TarEntry> {
  const queue = new ByteQueue();
  const iterator: AsyncIterator<Uint8Array> | Iterator<Uint8Array> =
    Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : chunks[Symbol.iterator]();
  let offset = 0;
  const fill = async (count: number): Promise<boolean> => {
    while (queue.length < count) {
      const next = await iterator.next();
      if (next.done) return false;
      queue.push(next.value);
    }
    return true;
  };
  try {
    for (;;) {
      if (!(await fill(block))) throw new TarFormatError('the archive ends without its end marker', offset);
      const header = queue.take(block);
      if (header.every((byte) => byte === 0)) return;
      if (!checksumOk(header)) throw new TarFormatError('a tar header has a wrong checksum', offset);
      const size = parseOctal(header, 124, 12);
      const nameEnd = header.indexOf(0, 0);
      const name = header.toString('utf8', 0, nameEnd < 0 || nameEnd > 100 ? 100 : nameEnd);
      const prefixEnd = header.indexOf(0, 345);
      const prefix = header.toString('utf8', 345, prefixEnd < 0 || prefixEnd > 500 ? 500 : prefixEnd);
      const type = String.fromCharCode(header[156]!);
      const padded = Math.ceil(size / block) * block;
      if (!(await fill(padded))) {
        throw new TarFormatError(`member ${name} is cut short (the archive is truncated)`, offset);
      }
      const body = queue.take(padded);
      if (type === '0' || type === '\0') {
        yield { name: prefix ? `${prefix}/${name}` : name, data: body.subarray(0, size), offset };
      }
      offset += block + padded;
    }
  } finally {
    await iterator.return?.();
  }
}
