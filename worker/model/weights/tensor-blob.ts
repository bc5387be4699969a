// The checkpoint format: one binary blob of raw little-endian tensor data and a JSON manifest that says, per
// tensor, its name, kind, dtype, shape and byte range, plus the blob's length and SHA-256 (a truncated or
// mixed-up blob fails loudly instead of loading garbage). Each tensor starts on an 8-byte boundary, so any typed
// array can view it in place. Bitwise round trip: the bytes are the typed arrays' own (typed arrays use the
// host's byte order, little-endian on every platform Node and tfjs-node run on: x86-64 and arm64).
import { createHash } from 'node:crypto';
import { WeightsFormatError } from './errors.js';

export type ArrayDtype = 'float32' | 'int32' | 'uint8';

/** A tensor as plain data: what checkpoints hold and what imports produce. */
export interface NamedArray {
  name: string;
  /** 'parameter' (learned) or 'state' (BN statistics, FCBL and FHM state); informative only. */
  kind: 'parameter' | 'state';
  dtype: ArrayDtype;
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

export interface ManifestTensor {
  name: string;
  kind: 'parameter' | 'state';
  dtype: ArrayDtype;
  shape: number[];
  /** Byte offset in the blob. */
  offset: number;
  byteLength: number;
}

export interface WeightsManifest {
  format: 'bacl-weights';
  version: 1;
  /** The blob's object name, relative to the manifest's directory. */
  blob: string;
  byteLength: number;
  sha256: string;
  tensors: ManifestTensor[];
}

const ALIGNMENT = 8;
const BYTES_PER_ELEMENT: Record<ArrayDtype, number> = { float32: 4, int32: 4, uint8: 1 };

export const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function dtypeOf(data: NamedArray['data']): ArrayDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  return 'uint8';
}

/** Lays `arrays` out in one blob and describes them; names must be unique. */
export function encodeWeights(
  arrays: readonly NamedArray[],
  blobName: string,
): { manifest: WeightsManifest; blob: Uint8Array } {
  const seen = new Set<string>();
  let offset = 0;
  const tensors = arrays.map((array): ManifestTensor => {
    if (seen.has(array.name)) throw new WeightsFormatError(blobName, `tensor '${array.name}' appears twice`);
    seen.add(array.name);
    if (dtypeOf(array.data) !== array.dtype || array.data.length !== elementCount(array.shape)) {
      throw new WeightsFormatError(
        blobName,
        `tensor '${array.name}' has ${array.data.length} ${dtypeOf(array.data)} values for ${array.dtype} [${array.shape.join(', ')}]`,
      );
    }
    offset = Math.ceil(offset / ALIGNMENT) * ALIGNMENT;
    const entry = { ...pick(array), offset, byteLength: array.data.byteLength };
    offset += array.data.byteLength;
    return entry;
  });
  const blob = new Uint8Array(offset);
  arrays.forEach((array, i) => {
    const bytes = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
    blob.set(bytes, tensors[i]?.offset ?? 0);
  });
  const sha256 = createHash('sha256').update(blob).digest('hex');
  return {
    manifest: {
      format: 'bacl-weights',
      version: 1,
      blob: blobName,
      byteLength: blob.byteLength,
      sha256,
      tensors,
    },
    blob,
  };
}

function pick({
  name,
  kind,
  dtype,
  shape,
}: Pick<NamedArray, 'name' | 'kind' | 'dtype' | 'shape'>): Omit<ManifestTensor, 'offset' | 'byteLength'> {
  return { name, kind, dtype, shape: [...shape] };
}

/** Checks the blob against the manifest and returns copies of every tensor, in manifest order. */
export function decodeWeights(manifest: WeightsManifest, blob: Uint8Array, source: string): NamedArray[] {
  if (blob.byteLength !== manifest.byteLength) {
    throw new WeightsFormatError(
      source,
      `blob has ${blob.byteLength} bytes; manifest says ${manifest.byteLength}`,
    );
  }
  const sha256 = createHash('sha256').update(blob).digest('hex');
  if (sha256 !== manifest.sha256) {
    throw new WeightsFormatError(
      source,
      `blob SHA-256 ${sha256} differs from the manifest's ${manifest.sha256}`,
    );
  }
  return manifest.tensors.map((tensor) => {
    const { name, dtype, shape, offset, byteLength } = tensor;
    const size = BYTES_PER_ELEMENT[dtype] as number | undefined;
    if (
      size === undefined ||
      byteLength !== elementCount(shape) * size ||
      offset + byteLength > blob.byteLength
    ) {
      throw new WeightsFormatError(source, `tensor '${name}' has an invalid dtype, shape or byte range`);
    }
    // slice() copies into a fresh, aligned buffer: the result never aliases the caller's bytes.
    const bytes = blob.slice(offset, offset + byteLength).buffer;
    const data =
      dtype === 'float32'
        ? new Float32Array(bytes)
        : dtype === 'int32'
          ? new Int32Array(bytes)
          : new Uint8Array(bytes);
    return { ...pick(tensor), data };
  });
}

/** Parses and shape-checks a manifest's JSON. */
export function parseManifest(bytes: Uint8Array, source: string): WeightsManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new WeightsFormatError(source, 'manifest is not JSON', { cause: error });
  }
  const manifest = parsed as Partial<WeightsManifest> | null;
  if (
    manifest === null ||
    manifest.format !== 'bacl-weights' ||
    manifest.version !== 1 ||
    typeof manifest.blob !== 'string' ||
    typeof manifest.byteLength !== 'number' ||
    typeof manifest.sha256 !== 'string' ||
    !Array.isArray(manifest.tensors)
  ) {
    throw new WeightsFormatError(source, "manifest is not a 'bacl-weights' version 1 manifest");
  }
  return manifest as WeightsManifest;
}
