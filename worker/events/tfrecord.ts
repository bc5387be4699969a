// TFRecord framing: per record, uint64 length (LE), uint32 masked CRC-32C of those 8 bytes, the data, uint32
// masked CRC-32C of the data (tensorflow/core/lib/io/record_writer.cc). TensorBoard event files are TFRecords of
// Event protos.
import { maskedCrc32c } from './crc32c.js';

export class TfRecordError extends Error {
  override readonly name = 'TfRecordError';
}

export function frameRecord(data: Uint8Array): Buffer {
  const header = Buffer.alloc(12);
  header.writeBigUInt64LE(BigInt(data.length), 0);
  header.writeUInt32LE(maskedCrc32c(header.subarray(0, 8)), 8);
  const footer = Buffer.alloc(4);
  footer.writeUInt32LE(maskedCrc32c(data), 0);
  return Buffer.concat([header, data, footer]);
}

/** The records of a TFRecord file, each CRC checked; `file` names it in errors. */
export function readRecords(bytes: Buffer, file: string): Buffer[] {
  const records: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 12 > bytes.length) throw new TfRecordError(`${file}: truncated record header at byte ${at}`);
    const length = Number(bytes.readBigUInt64LE(at));
    if (bytes.readUInt32LE(at + 8) !== maskedCrc32c(bytes.subarray(at, at + 8))) {
      throw new TfRecordError(`${file}: bad length CRC at byte ${at} (record ${records.length})`);
    }
    const data = bytes.subarray(at + 12, at + 12 + length);
    if (data.length !== length || at + 16 + length > bytes.length) {
      throw new TfRecordError(`${file}: truncated record ${records.length} at byte ${at}`);
    }
    if (bytes.readUInt32LE(at + 12 + length) !== maskedCrc32c(data)) {
      throw new TfRecordError(`${file}: bad data CRC in record ${records.length} at byte ${at}`);
    }
    records.push(data);
    at += 16 + length;
  }
  return records;
}
