// The safetensors reader on files written by the test's own writer: dtypes, metadata, F16/BF16 conversion and
// every header check.
import { expect } from 'chai';
import {
  bfloat16ToFloat32,
  float16ToFloat32,
  readSafetensors,
  safetensorsFloat32,
  WeightsFormatError,
} from '../../../../worker/internal.js';
import { f32Bytes, i64Bytes, u16Bytes, writeSafetensors } from './safetensors-writer.js';

describe('safetensors reader', () => {
  it('reads shapes, dtypes, metadata and F32 values bitwise', () => {
    const values = [1.5, -0, 3.4028234663852886e38, 1e-45, NaN, -2.75];
    const file = readSafetensors(
      writeSafetensors(
        {
          'layer1.0.conv1.weight': { dtype: 'F32', shape: [2, 3], bytes: f32Bytes(values) },
          'bn1.num_batches_tracked': { dtype: 'I64', shape: [], bytes: i64Bytes([42]) },
          empty: { dtype: 'F32', shape: [0, 4], bytes: new Uint8Array(0) },
        },
        { format: 'pt' },
      ),
      'test.safetensors',
    );
    expect(file.metadata).to.deep.equal({ format: 'pt' });
    expect([...file.tensors.values()].map((t) => [t.name, t.dtype, t.shape])).to.deep.equal([
      ['layer1.0.conv1.weight', 'F32', [2, 3]],
      ['bn1.num_batches_tracked', 'I64', []],
      ['empty', 'F32', [0, 4]],
    ]);
    const read = safetensorsFloat32(file.tensors.get('layer1.0.conv1.weight')!, file.source);
    expect(Buffer.from(read.buffer).equals(Buffer.from(Float32Array.from(values).buffer))).to.equal(true);
    expect(() => safetensorsFloat32(file.tensors.get('bn1.num_batches_tracked')!, file.source)).to.throw(
      WeightsFormatError,
      /is I64; expected F32, F16, BF16 or F64/,
    );
  });

  it('converts F16 (normals, subnormals, ±0, ±Inf, NaN) and BF16 exactly', () => {
    const halves = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x8000, 0x7c00, 0xfc00, 0x3555, 0x7e00];
    const expected = [1, -2, 65504, 2 ** -24, 1023 * 2 ** -24, -0, Infinity, -Infinity, 0.333251953125, NaN];
    expect(Array.from(float16ToFloat32(Uint16Array.from(halves)))).to.deep.equal(expected);
    const file = readSafetensors(
      writeSafetensors({
        half: { dtype: 'F16', shape: [10], bytes: u16Bytes(halves) },
        brain: { dtype: 'BF16', shape: [3], bytes: u16Bytes([0x3f80, 0xc040, 0x3eab]) },
      }),
      'half.safetensors',
    );
    expect(Array.from(safetensorsFloat32(file.tensors.get('half')!, file.source))).to.deep.equal(expected);
    const brain = safetensorsFloat32(file.tensors.get('brain')!, file.source);
    expect(Array.from(brain)).to.deep.equal([1, -3, new Float32Array(Uint32Array.of(0x3eab0000).buffer)[0]]);
    expect(Array.from(bfloat16ToFloat32(Uint16Array.of(0xff80)))).to.deep.equal([-Infinity]);
  });

  it('rejects truncated files, oversized headers, bad JSON, wrong sizes, gaps and overlaps', () => {
    const good = writeSafetensors({ a: { dtype: 'F32', shape: [2], bytes: f32Bytes([1, 2]) } });
    const cases: [string, Uint8Array, RegExp][] = [
      ['short', good.subarray(0, 4), /shorter than the 8-byte/],
      ['truncated data', good.subarray(0, good.length - 1), /cover 8 of 7 data bytes/],
      ['huge header', withHeaderLength(good, 2n ** 40n), /exceeds the file/],
      ['bad JSON', rawFile('{"a": ', new Uint8Array(0)), /not UTF-8 JSON/],
      ['array header', rawFile('[]', new Uint8Array(0)), /not a JSON object/],
      [
        'bad metadata',
        rawFile('{"__metadata__":{"n":1}}', new Uint8Array(0)),
        /__metadata__ is not an object of strings/,
      ],
      [
        'unknown dtype',
        rawFile('{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4)),
        /no valid dtype/,
      ],
      [
        'wrong size',
        rawFile('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', new Uint8Array(4)),
        /needs 8/,
      ],
      [
        'gap',
        rawFile('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', new Uint8Array(8)),
        /starts at byte 4, expected 0/,
      ],
      [
        'overlap',
        rawFile(
          '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
          new Uint8Array(4),
        ),
        /expected 4 \(gap or overlap\)/,
      ],
      [
        'trailing bytes',
        rawFile('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', new Uint8Array(2)),
        /cover 1 of 2/,
      ],
    ];
    for (const [label, bytes, message] of cases) {
      expect(() => readSafetensors(bytes, label), label)
        .to.throw(WeightsFormatError, message)
        .with.property('source', label);
    }
  });
});

function rawFile(header: string, data: Uint8Array): Uint8Array {
  const json = Buffer.from(header);
  const out = Buffer.alloc(8 + json.length + data.length);
  out.writeBigUInt64LE(BigInt(json.length));
  json.copy(out, 8);
  out.set(data, 8 + json.length);
  return out;
}

function withHeaderLength(file: Uint8Array, length: bigint): Uint8Array {
  const copy = Buffer.from(file);
  copy.writeBigUInt64LE(length);
  return copy;
}
