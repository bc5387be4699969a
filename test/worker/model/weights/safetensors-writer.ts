// A minimal safetensors writer for tests, written from the format description independently of the reader
// under test: JSON header with data_offsets, padded with spaces to 8 bytes, after its u64 little-endian length.

export interface WrittenTensor {
  dtype: string;
  shape: number[];
  /** Raw little-endian element bytes. */
  bytes: Uint8Array;
}

export function writeSafetensors(
  tensors: Record<string, WrittenTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = metadata === undefined ? {} : { __metadata__: metadata };
  let offset = 0;
  for (const [name, tensor] of Object.entries(tensors)) {
    header[name] = {
      dtype: tensor.dtype,
      shape: tensor.shape,
      data_offsets: [offset, offset + tensor.bytes.length],
    };
    offset += tensor.bytes.length;
  }
  let json = JSON.stringify(header);
  while ((8 + Buffer.byteLength(json)) % 8 !== 0) json += ' ';
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let position = 8 + headerBytes.length;
  for (const tensor of Object.values(tensors)) {
    out.set(tensor.bytes, position);
    position += tensor.bytes.length;
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Float32 values as F32 bytes (little-endian, via DataView so host order cannot leak in). */
export function f32Bytes(values: ArrayLike<number>): Uint8Array {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] ?? 0, true);
  return new Uint8Array(view.buffer);
}

/** 16-bit patterns as F16/BF16 bytes. */
export function u16Bytes(patterns: number[]): Uint8Array {
  const view = new DataView(new ArrayBuffer(patterns.length * 2));
  patterns.forEach((p, i) => view.setUint16(i * 2, p, true));
  return new Uint8Array(view.buffer);
}

/** Int64 values as I64 bytes (torch's num_batches_tracked). */
export function i64Bytes(values: number[]): Uint8Array {
  const view = new DataView(new ArrayBuffer(values.length * 8));
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return new Uint8Array(view.buffer);
}
