// Float32 chunks to and from frames: fp32 as raw little-endian bytes, bf16 packed with RNE (bf16.ts).
// Frames are freshly allocated per send (the NATS client may send the buffer after publish() returns), so the
// payload is always aligned; a received payload may not be, and is then copied before being viewed.
import type { WireFormat } from './collective.js';
import { packBf16, unpackBf16 } from './bf16.js';
import { Dtype, encodeHeader, FRAME_HEADER_BYTES, type FrameHeader } from './frame.js';

export function wireDtype(wire: WireFormat): Dtype {
  return wire === 'bf16' ? Dtype.bf16 : Dtype.f32;
}

/** A new frame: `header` (its dtype and count set from `wire` and `values`) then `values` on the wire. */
export function encodeFloatFrame(
  header: Omit<FrameHeader, 'dtype' | 'count'>,
  values: Float32Array,
  wire: WireFormat,
): Uint8Array {
  const elementBytes = wire === 'bf16' ? 2 : 4;
  const frame = new Uint8Array(FRAME_HEADER_BYTES + values.length * elementBytes);
  encodeHeader({ ...header, dtype: wireDtype(wire), count: values.length }, frame);
  if (wire === 'bf16') packBf16(values, new Uint16Array(frame.buffer, FRAME_HEADER_BYTES, values.length));
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

/** A float32 view of an fp32 frame's payload without copying when it is aligned, else a copy. */
export function viewFp32Payload(frame: Uint8Array, count: number): Float32Array {
  const start = frame.byteOffset + FRAME_HEADER_BYTES;
  if (start % 4 === 0) return new Float32Array(frame.buffer, start, count);
  const out = new Float32Array(count);
  decodeFloatPayload(frame, 'fp32', out);
  return out;
}
