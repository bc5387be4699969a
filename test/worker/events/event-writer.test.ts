import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  crc32c,
  decodeEvent,
  maskedCrc32c,
  openEventWriter,
  readRecords,
  TfRecordError,
  type ScalarEvent,
  initTf,
  type TfBackendName,
} from '../../../worker/internal.js';
import { makeWorkDir } from '../../harness/index.js';
import { forEachBackend } from '../tf/helpers.js';

/** The one event file in `dir`, decoded (every record's CRCs checked), with its name. */
function readEvents(dir: string): { name: string; events: ScalarEvent[] } {
  const files = readdirSync(dir);
  expect(files).to.have.length(1);
  const name = files[0] ?? '';
  return { name, events: readRecords(readFileSync(join(dir, name)), name).map(decodeEvent) };
}

/** What a training loop writes: two tags over three steps. */
async function writeSample(dir: string, backend: TfBackendName): Promise<void> {
  const writer = openEventWriter(dir, { backend });
  for (const step of [1, 2, 3]) {
    writer.scalar('loss/total', 4 / step, step);
    writer.scalar('lr', 0.02 * step, step);
  }
  await writer.close();
}

describe('worker/events TensorBoard event files', () => {
  it('computes CRC-32C and its TFRecord mask (published check value of "123456789")', () => {
    expect(crc32c(Buffer.from('123456789'))).to.equal(0xe3069283);
    expect(crc32c(new Uint8Array(0))).to.equal(0);
    const crc = 0xe3069283;
    expect(maskedCrc32c(Buffer.from('123456789'))).to.equal(
      (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0,
    );
  });

  forEachBackend(['wasm', 'tensorflow'], (backend) => {
    it('writes a file TensorBoard reads: version record, then each scalar with its step, CRCs valid', async () => {
      await initTf({ backend });
      const dir = makeWorkDir(`events-${backend}`);
      await writeSample(dir, backend);
      const { name, events } = readEvents(dir);
      expect(name).to.match(/^events\.out\.tfevents\.\d{10}\.[^.]+.*\.v2$/);
      expect(events[0]?.fileVersion).to.equal('brain.Event:2');
      const scalars = events.slice(1).map((e) => ({ step: e.step, ...e.scalars }));
      expect(scalars).to.deep.equal([
        { step: 1, 'loss/total': 4 },
        { step: 1, lr: Math.fround(0.02) },
        { step: 2, 'loss/total': 2 },
        { step: 2, lr: Math.fround(0.04) },
        { step: 3, 'loss/total': Math.fround(4 / 3) },
        { step: 3, lr: Math.fround(0.06) },
      ]);
      const now = Date.now() / 1000;
      for (const event of events) expect(event.wallTime).to.be.within(now - 600, now + 1);
      await initTf({ backend: 'wasm' });
    });
  });

  it('rejects a corrupted record, naming the file and the record', async () => {
    await initTf({ backend: 'wasm' });
    const dir = makeWorkDir('events-corrupt');
    await writeSample(dir, 'wasm');
    const { name } = readEvents(dir);
    const bytes = readFileSync(join(dir, name));
    bytes[bytes.length - 6] = (bytes[bytes.length - 6] ?? 0) ^ 0xff; // inside the last record's data
    writeFileSync(join(dir, name), bytes);
    expect(() => readRecords(readFileSync(join(dir, name)), name)).to.throw(
      TfRecordError,
      new RegExp(`${name.replace(/\./g, '\\.')}: bad data CRC in record 6`),
    );
  });
});
