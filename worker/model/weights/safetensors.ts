// A reader for the safetensors format (huggingface/safetensors): an 8-byte little-endian header length N,
// N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {string: string}}`, then
// the raw little-endian data, offsets relative to its start. Validated as the reference implementation does:
// byte ranges must match dtype × shape, follow each other without gaps or overlaps from 0, and end where the
// file ends. Floating tensors convert to float32 (F32 as is, F16/BF16 exactly, F64 rounded).
import { WeightsFormatError } from './errors.js';
import { bfloat16ToFloat32, float16ToFloat32 } from './float-conversion.js';
import { elementCount } from './tensor-blob.js';

const ITEM_SIZE: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
};

/** The reference implementation refuses headers over 100 MB; so do we (a corrupt length would allocate). */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsEntry {
  name: string;
  /** The file's dtype string, e.g. 'F32', 'BF16', 'I64'. */
  dtype: string;
  shape: number[];
  /** The raw bytes, a view into the file (not copied). */
  bytes: Uint8Array;
}

export interface SafetensorsFile {
  source: string;
  tensors: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
}

const isNaturalArray = (value: unknown): value is number[] =>
  Array.isArray(value) && value.every((v) => Number.isSafeInteger(v) && (v as number) >= 0);

/** Parses the header and checks every byte range; the data stay in `bytes` until converted. */
export function readSafetensors(bytes: Uint8Array, source: string): SafetensorsFile {
  if (bytes.byteLength < 8) throw new WeightsFormatError(source, 'is shorter than the 8-byte header length');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, bytes.byteLength - 8))) {
    throw new WeightsFormatError(source, `header length ${headerLength} exceeds the file or 100 MB`);
  }
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (error) {
    throw new WeightsFormatError(source, 'header is not UTF-8 JSON', { cause: error });
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new WeightsFormatError(source, 'header is not a JSON object');
  }
  const { __metadata__: metadata = {}, ...described } = header as Record<string, unknown>;
  if (
    metadata === null ||
    typeof metadata !== 'object' ||
    Object.values(metadata).some((v) => typeof v !== 'string')
  ) {
    throw new WeightsFormatError(source, '__metadata__ is not an object of strings');
  }
  const data = bytes.subarray(dataStart);
  const tensors = new Map<string, SafetensorsEntry>();
  const ranges: [number, number, string][] = [];
  for (const [name, info] of Object.entries(described)) {
    const { dtype, shape, data_offsets: offsets } = (info ?? {}) as Record<string, unknown>;
    const itemSize = typeof dtype === 'string' ? ITEM_SIZE[dtype] : undefined;
    if (
      itemSize === undefined ||
      !isNaturalArray(shape) ||
      !isNaturalArray(offsets) ||
      offsets.length !== 2
    ) {
      throw new WeightsFormatError(source, `tensor '${name}' has no valid dtype, shape and data_offsets`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin || end - begin !== elementCount(shape) * itemSize) {
      throw new WeightsFormatError(
        source,
        `tensor '${name}' spans ${end - begin} bytes; ${String(dtype)} [${shape.join(', ')}] needs ${elementCount(shape) * itemSize}`,
      );
    }
    ranges.push([begin, end, name]);
    tensors.set(name, { name, dtype: dtype as string, shape, bytes: data.subarray(begin, end) });
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let expectedBegin = 0;
  for (const [begin, end, name] of ranges) {
    if (begin !== expectedBegin) {
      throw new WeightsFormatError(
        source,
        `tensor '${name}' starts at byte ${begin}, expected ${expectedBegin} (gap or overlap)`,
      );
    }
    expectedBegin = end;
  }
  if (expectedBegin !== data.byteLength) {
    throw new WeightsFormatError(source, `tensors cover ${expectedBegin} of ${data.byteLength} data bytes`);
  }
  return { source, tensors, metadata: metadata as Record<string, string> };
}

/** The tensor's values as float32; throws for non-floating dtypes. */
export function safetensorsFloat32(entry: SafetensorsEntry, source: string): Float32Array {
  // A copy into a fresh buffer, aligned for the typed-array views below. (Not slice(): on a Node Buffer, as a
  // file or S3 read returns, slice() is a view of the whole pool, not a copy.)
  const copy = new Uint8Array(entry.bytes).buffer;
  switch (entry.dtype) {
    case 'F32':
      return new Float32Array(copy);
    case 'F16':
      return float16ToFloat32(new Uint16Array(copy));
    case 'BF16':
      return bfloat16ToFloat32(new Uint16Array(copy));
    case 'F64':
      return Float32Array.from(new Float64Array(copy));
    default:
      throw new WeightsFormatError(
        source,
        `tensor '${entry.name}' is ${entry.dtype}; expected F32, F16, BF16 or F64`,
      );
  }
}
