import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { decodeEvent, readRecords, TrainingBoard } from '../../../worker/internal.js';
import { makeWorkDir } from '../../harness/index.js';

/** Every scalar in the one event file under `dir`, as [tag, step, value]. */
function scalarsIn(dir: string): Array<[string, number, number]> {
  const files = readdirSync(dir);
  expect(files).to.have.length(1);
  const name = files[0] ?? '';
  return readRecords(readFileSync(join(dir, name)), name)
    .map(decodeEvent)
    .flatMap((event) =>
      Object.entries(event.scalars ?? {}).map(([tag, value]): [string, number, number] => [
        tag,
        event.step,
        value,
      ]),
    );
}

describe('worker/runtime/tensorboard: scalars under tb/<stage>/, read back', function () {
  it("writes losses, learning rate, momentum, throughput and AP with mmcv's tags", async function () {
    const tb = join(makeWorkDir('tb'), 'tb');
    const board = TrainingBoard.open(tb, 'representation', { backend: 'wasm', now: () => 1_764_788_400_000 });
    for (const step of [1, 2]) {
      board.step({
        step,
        lr: 0.25 * step,
        momentum: 0.9,
        losses: [
          ['loss_cls', 1 / step],
          ['loss', 2 / step],
        ],
        imagesPerSecond: 16 * step,
      });
    }
    board.evaluation(
      {
        AP: 0.25,
        AP50: 0.5,
        AP75: 0.125,
        APs: 0,
        APm: 0.5,
        APl: -1,
        APr: 0.0625,
        APc: 0.25,
        APf: 0.375,
        'AR@300': 0.5,
        'ARs@300': 0,
        'ARm@300': 0.5,
        'ARl@300': -1,
      },
      2,
    );
    await board.close();
    expect(readdirSync(tb)).to.deep.equal(['representation']);
    const f = Math.fround;
    expect(scalarsIn(join(tb, 'representation'))).to.deep.equal([
      ['train/loss_cls', 1, 1],
      ['train/loss', 1, 2],
      ['learning_rate', 1, 0.25],
      ['momentum', 1, f(0.9)],
      ['train/images_per_second', 1, 16],
      ['train/loss_cls', 2, 0.5],
      ['train/loss', 2, 1],
      ['learning_rate', 2, 0.5],
      ['momentum', 2, f(0.9)],
      ['train/images_per_second', 2, 32],
      ['val/bbox_AP', 2, 0.25],
      ['val/bbox_AP50', 2, 0.5],
      ['val/bbox_AP75', 2, 0.125],
      ['val/bbox_APs', 2, 0],
      ['val/bbox_APm', 2, 0.5],
      ['val/bbox_APl', 2, -1],
      ['val/bbox_APr', 2, 0.0625],
      ['val/bbox_APc', 2, 0.25],
      ['val/bbox_APf', 2, 0.375],
    ]);
  });
});
