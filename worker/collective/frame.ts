// The 32-byte little-endian header in front of every data message (spec/allreduce.md section 4.2):
//   0 u16 magic 0x5241 | 2 u8 version | 3 u8 phase | 4 u8 dtype | 5 u8 kind | 6 u16 src | 8 u16 owner
//   10 u16 bucket | 12 u32 op | 16 u32 chunk | 20 u32 nchunks | 24 u32 offset | 28 u32 count
// `op` is the operation number (one per collective call); offset and count are in elements (bytes for `bytes`).
// NATS text headers are never used: they are parsed per message and count against max_payload.
import { FrameError } from './errors.js';

export const FRAME_HEADER_BYTES = 32;
export const FRAME_MAGIC = 0x5241;
export const FRAME_VERSION = 1;

/** RS: a contribution to the shard's owner; AG: an owner's reduced chunk; BC: bytes of broadcast/allGather. */
export const Phase = { rs: 1, ag: 2, bc: 3 } as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

export const Dtype = { f32: 0, bf16: 2, bytes: 3 } as const;
export type Dtype = (typeof Dtype)[keyof typeof Dtype];

/** Which collective sent the frame, so ranks calling different collectives at one op fail with a mismatch. */
export const Kind = { allReduceSum: 1, broadcast: 2, allGather: 3, barrier: 4 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

export interface FrameHeader {
  phase: Phase;
  dtype: Dtype;
  kind: Kind;
  src: number;
  owner: number;
  bucket: number;
  op: number;
  chunk: number;
  nchunks: number;
  offset: number;
  count: number;
}

/** Writes `header` into the first 32 bytes of `frame`. */
export function encodeHeader(header: FrameHeader, frame: Uint8Array): void {
  if (frame.length < FRAME_HEADER_BYTES)
    throw new FrameError(`frame of ${frame.length} bytes has no room for a header`);
  const view = new DataView(frame.buffer, frame.byteOffset, FRAME_HEADER_BYTES);
  view.setUint16(0, FRAME_MAGIC, true);
  view.setUint8(2, FRAME_VERSION);
  view.setUint8(3, header.phase);
  view.setUint8(4, header.dtype);
  view.setUint8(5, header.kind);
  view.setUint16(6, header.src, true);
  view.setUint16(8, header.owner, true);
  view.setUint16(10, header.bucket, true);
  view.setUint32(12, header.op, true);
  view.setUint32(16, header.chunk, true);
  view.setUint32(20, header.nchunks, true);
  view.setUint32(24, header.offset, true);
  view.setUint32(28, header.count, true);
}

const PHASES = new Set<number>(Object.values(Phase));
const DTYPES = new Set<number>(Object.values(Dtype));
const KINDS = new Set<number>(Object.values(Kind));

/** Bytes one element of `dtype` takes on the wire. */
export function dtypeBytes(dtype: Dtype): number {
  return dtype === Dtype.f32 ? 4 : dtype === Dtype.bf16 ? 2 : 1;
}

/** Reads and checks the header of `frame`; the payload must hold exactly `count` elements. */
export function decodeHeader(frame: Uint8Array): FrameHeader {
  if (frame.length < FRAME_HEADER_BYTES)
    throw new FrameError(`message of ${frame.length} bytes is shorter than a frame header`);
  const view = new DataView(frame.buffer, frame.byteOffset, FRAME_HEADER_BYTES);
  const magic = view.getUint16(0, true);
  if (magic !== FRAME_MAGIC)
    throw new FrameError(`bad frame magic 0x${magic.toString(16)}; not a bacl collective message`);
  const version = view.getUint8(2);
  if (version !== FRAME_VERSION)
    throw new FrameError(
      `frame version ${version}; this worker speaks ${FRAME_VERSION} (mixed worker images?)`,
    );
  const phase = view.getUint8(3);
  const dtype = view.getUint8(4);
  const kind = view.getUint8(5);
  if (!PHASES.has(phase) || !DTYPES.has(dtype) || !KINDS.has(kind)) {
    throw new FrameError(`frame has unknown phase ${phase}, dtype ${dtype} or kind ${kind}`);
  }
  const header: FrameHeader = {
    phase: phase as Phase,
    dtype: dtype as Dtype,
    kind: kind as Kind,
    src: view.getUint16(6, true),
    owner: view.getUint16(8, true),
    bucket: view.getUint16(10, true),
    op: view.getUint32(12, true),
    chunk: view.getUint32(16, true),
    nchunks: view.getUint32(20, true),
    offset: view.getUint32(24, true),
    count: view.getUint32(28, true),
  };
  const expected = FRAME_HEADER_BYTES + header.count * dtypeBytes(header.dtype);
  if (frame.length !== expected) {
    throw new FrameError(
      `frame from rank ${header.src} is ${frame.length} bytes; its header says ${expected}`,
    );
  }
  if (header.chunk >= header.nchunks) {
    throw new FrameError(`frame from rank ${header.src} has chunk ${header.chunk} of ${header.nchunks}`);
  }
  return header;
}
