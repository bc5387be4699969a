import { expect } from 'chai';
import {
  addBf16,
  addFloat32,
  addFloat32Finish,
  addRoundedBf16,
  finishBf16,
  finishPairBf16,
  sumPairFloat32,
  FramePool,
  bf16AllReduceBound,
  packBf16,
  roundToBf16,
  unpackBf16,
  CreditLedger,
  GrantTracker,
  windowFrames,
  CollectiveOptionError,
  FrameError,
  decodeHeader,
  Dtype,
  encodeHeader,
  FRAME_HEADER_BYTES,
  Kind,
  Phase,
  type FrameHeader,
  chunkElements,
  chunkPayloadBytes,
  planAllReduce,
  fixedOrderSum,
  sumInRankOrder,
} from '../../../worker/internal.js';
import { seededVectors } from './vectors.js';

describe('worker/collective pure parts', function () {
  describe('plan', function () {
    it('chunks fit the transport frame: min(preferred, max_payload - 32), in elements of the wire', function () {
      expect(chunkPayloadBytes(8 * 1024 * 1024)).to.equal(512 * 1024);
      expect(chunkPayloadBytes(16 * 1024)).to.equal(16 * 1024 - FRAME_HEADER_BYTES);
      expect(chunkElements(16 * 1024 - 32, 'fp32')).to.equal(4088);
      expect(chunkElements(16 * 1024 - 32, 'bf16')).to.equal(8176);
      expect(() => chunkPayloadBytes(35)).to.throw(CollectiveOptionError, /maxFrameBytes/);
    });

    it('shards cover [0, N) exactly once, in rank order, each cut into chunks of at most E', function () {
      for (const [length, n, perChunk] of [
        [1, 4, 3],
        [10, 3, 4],
        [1000, 4, 7],
        [0, 2, 5],
        [65537, 3, 4088],
      ] as const) {
        const shards = planAllReduce(length, n, perChunk);
        expect(shards.map((s) => s.owner)).to.deep.equal([...Array(n).keys()]);
        let at = 0;
        for (const shard of shards) {
          expect(shard.offset).to.equal(at);
          let chunkAt = shard.offset;
          shard.chunks.forEach((chunk, index) => {
            expect(chunk.index).to.equal(index);
            expect(chunk.offset).to.equal(chunkAt);
            expect(chunk.count).to.be.within(1, perChunk);
            chunkAt += chunk.count;
          });
          expect(chunkAt).to.equal(shard.offset + shard.count);
          at += shard.count;
        }
        expect(at).to.equal(length);
        const sizes = shards.map((s) => s.count);
        expect(Math.max(...sizes) - Math.min(...sizes)).to.be.at.most(1);
      }
    });

    it('refuses a world size or length outside the header fields', function () {
      expect(() => planAllReduce(4, 0, 1)).to.throw(CollectiveOptionError, /worldSize/);
      expect(() => planAllReduce(2 ** 32, 2, 1)).to.throw(CollectiveOptionError, /vector.length/);
    });
  });

  describe('frame header', function () {
    const header: FrameHeader = {
      phase: Phase.ag,
      dtype: Dtype.bf16,
      kind: Kind.allReduceSum,
      src: 65534,
      owner: 3,
      bucket: 7,
      op: 2 ** 32 - 1,
      chunk: 5,
      nchunks: 6,
      offset: 123456789,
      count: 3,
    };

    it('round-trips every field at the documented little-endian offsets', function () {
      const frame = new Uint8Array(FRAME_HEADER_BYTES + 6);
      encodeHeader(header, frame);
      expect(decodeHeader(frame)).to.deep.equal(header);
      expect([...frame.subarray(0, 6)]).to.deep.equal([
        0x41,
        0x52,
        1,
        Phase.ag,
        Dtype.bf16,
        Kind.allReduceSum,
      ]);
      const view = new DataView(frame.buffer);
      expect(view.getUint32(12, true)).to.equal(2 ** 32 - 1);
      expect(view.getUint32(24, true)).to.equal(123456789);
    });

    it('refuses a foreign magic, another version, a wrong length or a chunk past nchunks', function () {
      const frame = new Uint8Array(FRAME_HEADER_BYTES + 6);
      encodeHeader(header, frame);
      expect(() => decodeHeader(frame.subarray(0, 36))).to.throw(FrameError, /36 bytes; its header says 38/);
      const badMagic = frame.slice();
      badMagic[0] = 0;
      expect(() => decodeHeader(badMagic)).to.throw(FrameError, /magic/);
      const badVersion = frame.slice();
      badVersion[2] = 9;
      expect(() => decodeHeader(badVersion)).to.throw(FrameError, /version 9/);
      const pastEnd = new Uint8Array(FRAME_HEADER_BYTES + 6);
      encodeHeader({ ...header, chunk: 6 }, pastEnd);
      expect(() => decodeHeader(pastEnd)).to.throw(FrameError, /chunk 6 of 6/);
      expect(() => decodeHeader(new Uint8Array(10))).to.throw(FrameError, /shorter/);
    });
  });

  describe('bf16', function () {
    it('rounds to nearest, ties to even, and keeps NaN a NaN and infinities infinite', function () {
      const bits = new Uint32Array([
        0x3f800000, // 1: exact
        0x3f808000, // 1 + 2^-8: tie, 0x3f80 is even -> down
        0x3f818000, // tie, 0x3f81 is odd -> up to 0x3f82
        0x3f808001, // above the tie -> up
        0x7f800001, // a signalling NaN with a low payload: must not become infinity
        0xff800000, // -inf
        0x7f7fffff, // float32 max rounds up to infinity (overflow)
      ]);
      const packed = new Uint16Array(bits.length);
      packBf16(new Float32Array(bits.buffer), packed);
      const hex = [...packed].map((b) => b.toString(16));
      expect([hex[0], hex[1], hex[2], hex[3], hex[5], hex[6]]).to.deep.equal([
        '3f80',
        '3f80',
        '3f82',
        '3f81',
        'ff80',
        '7f80',
      ]);
      expect(packed[4]! & 0x7fff).to.be.above(0x7f80); // still a NaN
      const back = new Float32Array(bits.length);
      unpackBf16(packed, back);
      expect(Number.isNaN(back[4])).to.equal(true);
      expect(back[0]).to.equal(1);
      expect(back[5]).to.equal(-Infinity);
    });

    it('stays within 2^-8 relative error over many magnitudes, and roundToBf16 agrees with pack+unpack', function () {
      const values = seededVectors(1, 20000, 7)[0]!;
      const packed = new Uint16Array(values.length);
      packBf16(values, packed);
      const back = new Float32Array(values.length);
      unpackBf16(packed, back);
      const rounded = Float32Array.from(values);
      roundToBf16(rounded);
      for (let i = 0; i < values.length; i++) {
        expect(Math.abs(back[i]! - values[i]!)).to.be.at.most(2 ** -8 * Math.abs(values[i]!));
        expect(Object.is(rounded[i], back[i])).to.equal(true);
      }
    });
  });

  describe('running-sum kernels (the owner adds contributions in rank order as they come)', function () {
    // Random values plus ties, NaN payloads, infinities, float32 max, subnormals and signed zeros.
    function awkward(seed: number): Float32Array {
      const values = seededVectors(1, 4000, seed)[0]!;
      const bits = new Uint32Array(values.buffer);
      const special = [
        0x3f808000, 0x3f818000, 0x7f800001, 0xffc00001, 0x7f800000, 0xff800000, 0x7f7fffff, 0xff7fffff,
        0x00000001, 0x80008000, 0x00000000, 0x80000000, 0x7fffffff,
      ];
      special.forEach((b, i) => (bits[i * 7 + (seed % 5)] = b));
      return values;
    }
    const sameBits = (a: Float32Array, b: Float32Array) =>
      Buffer.compare(
        Buffer.from(a.buffer, a.byteOffset, a.byteLength),
        Buffer.from(b.buffer, b.byteOffset, b.byteLength),
      ) === 0;

    for (const n of [1, 2, 3, 4]) {
      it(`${n} contributions in every mix of forms: the same bits as fixedOrderSum (fp32 and bf16)`, function () {
        const inputs = Array.from({ length: n }, (_, r) => awkward(r + 3 * n));
        const length = inputs[0]!.length;
        const scratch = new Float32Array(length);
        for (let own = 0; own < n; own++) {
          // fp32: the own contribution is a view of the result vector, the others arrive as float32 arrays.
          const fp32 = Float32Array.from(inputs[own]!);
          const acc = new Float32Array(length);
          for (let r = 0; r < n; r++) {
            const term = r === own ? fp32 : inputs[r]!;
            if (r === n - 1 && r > 0) addFloat32Finish(acc, term, fp32);
            else addFloat32(acc, term, r === 0);
          }
          if (n === 1) fp32.set(acc);
          expect(sameBits(fp32, fixedOrderSum(inputs, 'fp32')), `fp32 own ${own}`).to.equal(true);
          // bf16: the own contribution is rounded on the fly, the others arrive packed.
          const bf16 = Float32Array.from(inputs[own]!);
          const sum = new Float32Array(length);
          const wire = new Uint16Array(length);
          const packed = inputs.map((input) => {
            const out = new Uint16Array(length);
            packBf16(input, out);
            return out;
          });
          for (let r = 0; r < n; r++) {
            const term = r === own ? bf16 : packed[r]!;
            if (r === n - 1 && r > 0) finishBf16(sum, term, bf16, wire);
            else if (term instanceof Uint16Array) addBf16(sum, term, r === 0, scratch);
            else addRoundedBf16(sum, term, r === 0, scratch);
          }
          if (n === 1) finishBf16(sum, undefined, bf16, wire);
          const expected = fixedOrderSum(inputs, 'bf16');
          expect(sameBits(bf16, expected), `bf16 own ${own}`).to.equal(true);
          const unpacked = new Float32Array(length);
          unpackBf16(wire, unpacked);
          expect(sameBits(unpacked, expected), `bf16 wire, own ${own}`).to.equal(true);
          if (n === 2) {
            // Two ranks: the one-pass pair kernels, the own contribution being the result vector itself.
            const other = inputs[1 - own]!;
            const pair = Float32Array.from(inputs[own]!);
            const frame = new Float32Array(length);
            sumPairFloat32(own === 0 ? pair : other, own === 0 ? other : pair, frame, pair);
            const fp32Sum = fixedOrderSum(inputs, 'fp32');
            expect(sameBits(pair, fp32Sum) && sameBits(frame, fp32Sum), `fp32 pair, own ${own}`).to.equal(
              true,
            );
            const pairBf16 = Float32Array.from(inputs[own]!);
            finishPairBf16(pairBf16, packed[1 - own]!, own === 0, pairBf16, wire, scratch);
            unpackBf16(wire, unpacked);
            expect(
              sameBits(pairBf16, expected) && sameBits(unpacked, expected),
              `bf16 pair, own ${own}`,
            ).to.equal(true);
          }
        }
      });
    }

    it('the frame pool hands a released buffer out again, once, and keeps only its own', function () {
      const pool = new FramePool(64, 2);
      const a = pool.frame(40);
      expect(a.length).to.equal(40);
      expect(pool.allocated).to.equal(1);
      pool.release(a);
      pool.release(a); // a second release must not make it come out twice
      const b = pool.frame(64);
      const c = pool.frame(10);
      expect(b.buffer).to.equal(a.buffer);
      expect(c.buffer).to.not.equal(a.buffer);
      expect(pool.allocated).to.equal(2);
      pool.release(new Uint8Array(32)); // not of this pool
      expect(pool.frame(8).buffer.byteLength).to.equal(64);
      expect(pool.allocated).to.equal(3);
      expect(pool.frame(65).length).to.equal(65); // too large: unpooled
    });
  });

  describe('fixed-order sum', function () {
    it('adds in rank order in float32, which is not the same as another order', function () {
      const parts = [new Float32Array([1e8]), new Float32Array([1]), new Float32Array([-1e8])];
      const out = new Float32Array(1);
      sumInRankOrder(parts, out);
      expect(out[0]).to.equal(0); // (1e8 + 1) rounds to 1e8 in float32
      const reversed = new Float32Array(1);
      sumInRankOrder([parts[2]!, parts[1]!, parts[0]!], reversed);
      expect(reversed[0]).to.equal(0);
      sumInRankOrder([parts[0]!, parts[2]!, parts[1]!], reversed);
      expect(reversed[0]).to.equal(1);
    });

    it('bf16: every element within the documented bound of the exact sum', function () {
      for (const n of [2, 3, 4]) {
        const inputs = seededVectors(n, 5000, 11 + n);
        const sum = fixedOrderSum(inputs, 'bf16');
        for (let i = 0; i < sum.length; i++) {
          let exact = 0;
          let magnitudes = 0;
          for (const input of inputs) {
            exact += input[i]!;
            magnitudes += Math.abs(input[i]!);
          }
          expect(Math.abs(sum[i]! - exact)).to.be.at.most(bf16AllReduceBound(magnitudes, n));
        }
      }
    });
  });

  describe('credit windows', function () {
    it('splits the receiver window over its senders, at least 2 frames', function () {
      expect(windowFrames(16 * 1024 * 1024, 3, 512 * 1024 + 32)).to.equal(15);
      expect(windowFrames(1024, 8, 512 * 1024)).to.equal(2);
      expect(() => windowFrames(0, 2, 10)).to.throw(CollectiveOptionError, /receiverWindowBytes/);
    });

    it('a sender spends at most the window until the receiver grants more; fan-out needs every receiver', function () {
      const ledger = new CreditLedger(3, 0, 2);
      expect(ledger.canSend(1)).to.equal(true);
      ledger.spend(1);
      ledger.spend(1);
      expect(ledger.canSend(1)).to.equal(false);
      expect(ledger.canSend(2)).to.equal(true);
      expect(ledger.canSendAll()).to.equal(false);
      expect(ledger.grant(1, 1)).to.equal(false); // older than what it already has
      expect(ledger.grant(1, 4)).to.equal(true);
      expect(ledger.canSendAll()).to.equal(true);
      ledger.spendAll();
      expect(ledger.describe(1)).to.equal('3/4');
      expect(ledger.describe(2)).to.equal('1/2');
    });

    it('a receiver grants processed + window every half window, cumulatively', function () {
      const tracker = new GrantTracker(2, 4);
      expect(tracker.processed(1)).to.equal(undefined);
      expect(tracker.processed(1)).to.equal(6);
      expect(tracker.processed(1)).to.equal(undefined);
      expect(tracker.processed(1)).to.equal(8);
      expect(tracker.processed(0)).to.equal(undefined);
    });
  });
});
