// The part of tensorflow.Event (tensorflow/core/util/event.proto) that scalar summaries use, as protobuf bytes:
//   Event { double wall_time = 1; int64 step = 2; oneof { string file_version = 3; Summary summary = 5; } }
//   Summary { repeated Value value = 1; }   Value { string tag = 1; float simple_value = 2; }
// TensorFlow's own WriteScalarSummary writes simple_value too, so both writers' files read the same.

export interface ScalarEvent {
  wallTime: number;
  step: number;
  /** Set on the first event of a file ("brain.Event:2"). */
  fileVersion?: string;
  /** tag -> value of the summary's simple values. */
  scalars: Record<string, number>;
}

function varint(value: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function lengthDelimited(field: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...varint(BigInt(bytes.length))]), bytes]);
}

export function encodeEvent(
  event: Omit<ScalarEvent, 'scalars'> & { scalars?: Record<string, number> },
): Buffer {
  const time = Buffer.alloc(9);
  time[0] = (1 << 3) | 1;
  time.writeDoubleLE(event.wallTime, 1);
  const parts: Buffer[] = [time, Buffer.from([(2 << 3) | 0, ...varint(BigInt(event.step))])];
  if (event.fileVersion !== undefined) parts.push(lengthDelimited(3, Buffer.from(event.fileVersion)));
  const values = Object.entries(event.scalars ?? {}).map(([tag, value]) => {
    const simple = Buffer.alloc(5);
    simple[0] = (2 << 3) | 5;
    simple.writeFloatLE(value, 1);
    return lengthDelimited(1, Buffer.concat([lengthDelimited(1, Buffer.from(tag)), simple]));
  });
  if (values.length > 0) parts.push(lengthDelimited(5, Buffer.concat(values)));
  return Buffer.concat(parts);
}

interface Field {
  field: number;
  wire: number;
  value: bigint | Buffer;
}

function* fields(bytes: Buffer): Generator<Field> {
  let at = 0;
  const readVarint = () => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = bytes[at++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
  };
  while (at < bytes.length) {
    const key = Number(readVarint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) yield { field, wire, value: readVarint() };
    else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      yield { field, wire, value: bytes.subarray(at, at + size) };
      at += size;
    } else if (wire === 2) {
      const size = Number(readVarint());
      yield { field, wire, value: bytes.subarray(at, at + size) };
      at += size;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
}

/** Reads an Event's wall time, step, file version and simple-value scalars (other fields are skipped). */
export function decodeEvent(bytes: Buffer): ScalarEvent {
  const event: ScalarEvent = { wallTime: 0, step: 0, scalars: {} };
  for (const { field, value } of fields(bytes)) {
    if (field === 1 && value instanceof Buffer) event.wallTime = value.readDoubleLE(0);
    else if (field === 2 && typeof value === 'bigint') event.step = Number(BigInt.asIntN(64, value));
    else if (field === 3 && value instanceof Buffer) event.fileVersion = value.toString();
    else if (field === 5 && value instanceof Buffer) {
      for (const entry of fields(value)) {
        if (entry.field !== 1 || !(entry.value instanceof Buffer)) continue;
        let tag = '';
        let simple: number | undefined;
        for (const part of fields(entry.value)) {
          if (part.field === 1 && part.value instanceof Buffer) tag = part.value.toString();
          if (part.field === 2 && part.value instanceof Buffer) simple = part.value.readFloatLE(0);
        }
        if (simple !== undefined) event.scalars[tag] = simple;
      }
    }
  }
  return event;
}
