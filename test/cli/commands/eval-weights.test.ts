// `baclctl eval --weights` as users run it (issue #14 point 3), real processes: the tiny config trained a few
// steps by `baclctl run` (one wasm rank, a private cache), its final weights written by THIS test as an
// mmdetection state dict (mmdet's names, OIHW convs, [out, in] Linears, shared_fcs.0 on the CHW flatten, the
// BN counters and FCBL buffers a BACL checkpoint holds) with the test's own safetensors writer; then
// - `baclctl eval --config --weights --data` on 1 and on 2 rank processes writes the run's detections.json
//   byte for byte, and prints the same metrics;
// - --gt names the ground truth instead of the copy beside the shards;
// - a file that does not fit fails with EVAL_FAILED and the rank's one error naming every problem tensor.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadTrainingConfig } from '../../../common/internal.js';
import {
  decodeSharedState,
  LocalCheckpointStore,
  readCheckpoint,
  readLatestPointer,
  type NamedArray,
} from '../../../worker/internal.js';
import { makeWorkDir } from '../../harness/index.js';
import {
  f32Bytes,
  i64Bytes,
  writeSafetensors,
  type WrittenTensor,
} from '../../worker/model/weights/safetensors-writer.js';
import { cliRoot } from '../kube-fixture.js';

const micro = [
  'schedule.representation.iterations=6',
  'schedule.representation.warmup_iters=2',
  'schedule.representation.lr_steps=[5]',
  'schedule.classifier.iterations=4',
  'schedule.classifier.lr_steps=[3]',
  'checkpoint.every_steps=100',
].flatMap((set) => ['--set', set]);

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

let cache: string;

function baclctl(args: string[]): Promise<Finished> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--disable-warning=ExperimentalWarning', 'bin/dev.js', ...args],
    {
      cwd: cliRoot,
      env: { ...process.env, BACL_CACHE_DIR: cache, BACL_TF_BACKEND: 'wasm', NODE_ENV: 'development' },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

/**
 * The detector's arrays (tfjs layouts: HWIO, [in, out], shared_fcs.0 on the NHWC flatten) as mmdet saves them,
 * by index arithmetic written here from the layouts' definitions, not by the product's converter.
 */
function toMmdet(array: NamedArray, roiSize: number, channels: number): WrittenTensor {
  const values = array.data as Float32Array;
  const out = new Float32Array(values.length);
  let shape = [...array.shape];
  if (array.shape.length === 4) {
    const [kh, kw, inputs, outputs] = array.shape as [number, number, number, number];
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let i = 0; i < inputs; i++)
          for (let o = 0; o < outputs; o++)
            out[((o * inputs + i) * kh + y) * kw + x] = values[((y * kw + x) * inputs + i) * outputs + o]!;
    shape = [outputs, inputs, kh, kw];
  } else if (array.shape.length === 2) {
    const [inputs, outputs] = array.shape as [number, number];
    const plane = roiSize * roiSize;
    const flattened = array.name === 'roi_head.bbox_head.shared_fcs.0.weight';
    for (let i = 0; i < inputs; i++) {
      // NHWC input i = p·C + c is torch's c·H·W + p for the flattened RoI map; any other Linear keeps i.
      const torchInput = flattened ? (i % channels) * plane + Math.floor(i / channels) : i;
      for (let o = 0; o < outputs; o++) out[o * inputs + torchInput] = values[i * outputs + o]!;
    }
    shape = [outputs, inputs];
  } else out.set(values);
  return { dtype: 'F32', shape, bytes: f32Bytes(out) };
}

describe('baclctl eval --weights (real processes: the CLI and wasm ranks)', function () {
  this.timeout(1_200_000);
  let run: string;
  let shards: string;
  let weights: string;
  let tensors: Record<string, WrittenTensor>;
  let dir: string;

  before(async function () {
    cache = makeWorkDir('eval-weights-cache');
    dir = makeWorkDir('eval-weights');
    run = join(dir, 'run');
    const trained = await baclctl([
      'run',
      'tiny',
      '--workers',
      '1',
      '--backend',
      'wasm',
      '--out',
      run,
      ...micro,
    ]);
    expect(trained.code, trained.stderr).to.equal(0);
    const store = new LocalCheckpointStore(run);
    const latest = await readLatestPointer(store, 'classifier');
    const loaded = await readCheckpoint(store, 'classifier', latest!.step);
    const { config } = loadTrainingConfig(join(run, 'config.yaml'));
    tensors = {};
    for (const array of decodeSharedState(loaded).weights) {
      tensors[array.name] = toMmdet(array, config.model.roi_head.roi_size, config.model.neck.out_channels);
    }
    // What else a BACL stage-2 checkpoint holds: FCBL's LTI came with the weights above; BN counters too.
    expect(tensors).to.have.property('roi_head.bbox_head.loss_cls.cm_numerator');
    tensors['backbone.bn1.num_batches_tracked'] = { dtype: 'I64', shape: [], bytes: i64Bytes([0]) };
    weights = join(dir, 'tiny_mmdet.safetensors');
    writeFileSync(weights, writeSafetensors(tensors));
    shards = join(cache, 'datasets', readdirSync(join(cache, 'datasets'))[0]!, 'shards-val');
  });

  for (const workers of [1, 2]) {
    it(`evaluates the converted checkpoint on ${workers} rank process${workers === 1 ? '' : 'es'} into the run's detections, byte for byte`, async function () {
      const out = join(dir, `eval-${workers}`);
      const { code, stdout, stderr } = await baclctl([
        'eval',
        '--config',
        join(run, 'config.yaml'),
        '--weights',
        weights,
        '--data',
        shards,
        '--workers',
        String(workers),
        '--out',
        out,
        '-o',
        'json',
      ]);
      expect(code, stderr).to.equal(0);
      expect(readFileSync(join(out, 'eval', 'detections.json'))).to.deep.equal(
        readFileSync(join(run, 'eval', 'detections.json')),
      );
      expect(JSON.parse(stdout)).to.deep.equal(
        JSON.parse(readFileSync(join(run, 'eval', 'metrics.json'), 'utf8')),
      );
      const log = readFileSync(join(out, 'logs', 'worker.log'), 'utf8');
      // Every parameter and BN statistic loaded; the BN counter and FCBL's two buffers skipped, with why.
      const loaded = Object.keys(tensors).length - 3;
      expect(log).to.match(new RegExp(`Loaded ${loaded} tensors from .*tiny_mmdet\\.safetensors; `));
      expect(log).to.contain('1 ignored: a train-mode BN counter');
      expect(log).to.contain("2 ignored: BACL's stage-2 training state");
    });
  }

  it('scores against --gt instead of the annotations beside the shards, and prints the table', async function () {
    // The same annotations with one category's frequency changed: APr/APc/APf move, the detections do not.
    const gt = JSON.parse(readFileSync(join(shards, 'annotations.json'), 'utf8')) as {
      categories: Array<{ frequency: string }>;
    };
    for (const category of gt.categories) category.frequency = 'f';
    const gtFile = join(dir, 'all-frequent.json');
    writeFileSync(gtFile, JSON.stringify(gt));
    const out = join(dir, 'eval-gt');
    const { code, stdout, stderr } = await baclctl([
      'eval',
      '--config',
      join(run, 'config.yaml'),
      '--weights',
      weights,
      '--data',
      shards,
      '--gt',
      gtFile,
      '--out',
      out,
    ]);
    expect(code, stderr).to.equal(0);
    expect(stdout).to.match(/by frequency\s+APr\s+-\s+APc\s+-\s+APf\s+[0-9.]+/);
    const metrics = JSON.parse(readFileSync(join(out, 'eval', 'metrics.json'), 'utf8')) as Record<
      string,
      number
    >;
    expect(metrics.APr).to.equal(-1);
    expect(metrics.APf).to.equal(metrics.AP);
    expect(stderr).to.contain(`Detections and metrics: ${out}/eval/`);
  });

  it('fails with EVAL_FAILED and one error naming every missing, unexpected and mis-shaped tensor', async function () {
    const bad = { ...tensors };
    delete bad['neck.lateral_convs.0.conv.bias'];
    const fcCls = bad['roi_head.bbox_head.fc_cls.weight']!;
    bad['roi_head.bbox_head.fc_cls.weight'] = { ...fcCls, shape: [...fcCls.shape].reverse() };
    bad['roi_head.mask_head.conv_logits.bias'] = { dtype: 'F32', shape: [1], bytes: f32Bytes([0]) };
    const badFile = join(dir, 'bad.safetensors');
    writeFileSync(badFile, writeSafetensors(bad));
    const failed = await baclctl([
      'eval',
      '--config',
      join(run, 'config.yaml'),
      '--weights',
      badFile,
      '--data',
      shards,
      '--out',
      join(dir, 'eval-bad'),
    ]);
    expect(failed.code).to.equal(1);
    // oclif wraps the message at the terminal width, each line after ` › `: one line again.
    const stderr = failed.stderr.replace(/\s*\n\s*›\s*/g, ' ');
    expect(stderr).to.contain('Code: EVAL_FAILED');
    expect(stderr).to.contain(`${badFile} does not fit the model`);
    expect(stderr).to.contain('missing neck.lateral_convs.0.conv.bias');
    expect(stderr).to.contain('unexpected roi_head.mask_head.conv_logits.bias');
    expect(stderr).to.match(
      /mis-shaped roi_head\.bbox_head\.fc_cls\.weight \(file F32 \[\d+, \d+\], model float/,
    );
  });
});
