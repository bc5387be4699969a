// Float32 chunks to and from frames: fp32 as raw little-endian bytes, bf16 packed with RNE (bf16.ts). Frames
// are built in pooled buffers (frame-pool.ts) at offset 0, so their payload is always aligned; a received
// payload may not be (the NATS client hands views into its read buffers), and is then copied before being viewed.
import type { WireFormat } from './collective.js';
import { packBf16, unpackBf16 } from './bf16.js';
import { Dtype, encodeHeader, FRAME_HEADER_BYTES, type FrameHeader } from './frame.js';
import type { FramePool } from './frame-pool.js';

export function wireDtype(wire: WireFormat): Dtype {
  return wire === 'bf16' ? Dtype.bf16 : Dtype.f32;
}

/** Writes `header` (its dtype and count set from `wire` and `values`) then `values` on the wire into `frame`. */
export function encodeFloatFrameInto(
  frame: Uint8Array,
  header: Omit<FrameHeader, 'dtype' | 'count'>,
  values: Float32Array,
  wire: WireFormat,
): Uint8Array {
  encodeHeader({ ...header, dtype: wireDtype(wire), count: values.length }, frame);
  if (wire === 'bf16')
    packBf16(values, new Uint16Array(frame.buffer, frame.byteOffset + FRAME_HEADER_BYTES, values.length));
  else frame.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), FRAME_HEADER_BYTES);
  return frame;
}

/** Decodes the payload of `frame` (a float frame of `count` elements) into `out` (float32, `count` long). */
export function decodeFloatPayload(frame: Uint8Array, wire: WireFormat, out: Float32Array): void {
  const payload = frame.subarray(FRAME_HEADER_BYTES);
  if (wire === 'fp32') {
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(payload);
    return;
  }
  const aligned = payload.byteOffset % 2 === 0 ? payload : new Uint8Array(payload); // Buffer#slice would not copy
  unpackBf16(new Uint16Array(aligned.buffer, aligned.byteOffset, out.length), out);
}

/**
 * The payload of a float frame of `count` elements as it is on the wire (fp32: Float32Array, bf16: the
 * Uint16Array of bfloat16 bits): a view of `frame` when aligned (`pooled` false), else a copy in a buffer of
 * `pool` (`pooled` true: give it back with `pool.release` once used).
 */
export function viewPayload(
  frame: Uint8Array,
  count: number,
  wire: WireFormat,
  pool: FramePool,
): { values: Float32Array | Uint16Array; pooled: boolean } {
  const start = frame.byteOffset + FRAME_HEADER_BYTES;
  const size = wire === 'bf16' ? 2 : 4;
  if (start % size === 0) {
    const values =
      wire === 'bf16'
        ? new Uint16Array(frame.buffer, start, count)
        : new Float32Array(frame.buffer, start, count);
    return { values, pooled: false };
  }
  return { values: copyPayload(frame.subarray(FRAME_HEADER_BYTES), count, wire, pool), pooled: true };
}

/** A copy of a float payload's bytes in a buffer of `pool`, viewed as on the wire. */
export function copyPayload(
  payload: Uint8Array,
  count: number,
  wire: WireFormat,
  pool: FramePool,
): Float32Array | Uint16Array {
  const buffer = pool.take();
  new Uint8Array(buffer, 0, payload.length).set(payload);
  return wire === 'bf16' ? new Uint16Array(buffer, 0, count) : new Float32Array(buffer, 0, count);
}
