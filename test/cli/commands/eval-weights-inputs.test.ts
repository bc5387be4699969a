// `baclctl eval --weights` refuses what it can check before any rank starts: a weights file or shards
// directory that does not exist (exit 3, naming it), a config that does not exist, and --results with --weights
// (exit 2), all in-process.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { makeWorkDir } from '../../harness/index.js';
import { cliRoot } from '../kube-fixture.js';

describe('baclctl eval --weights inputs', function () {
  this.timeout(60_000);
  let dir: string;
  let shards: string;
  let weights: string;

  before(function () {
    process.env.NODE_ENV = 'test';
    dir = makeWorkDir('eval-weights-inputs');
    shards = join(dir, 'val');
    mkdirSync(shards);
    writeFileSync(join(shards, 'manifest.json'), '{}');
    weights = join(dir, 'w.safetensors');
    writeFileSync(weights, '');
  });

  const evaluate = (args: string[]) =>
    runCommand(['eval', '--out', join(dir, 'out'), ...args], { root: cliRoot });

  it('names a weights file that does not exist (exit 3)', async function () {
    const missing = join(dir, 'nope.safetensors');
    const { error } = await evaluate(['--config', 'tiny', '--weights', missing, '--data', shards]);
    expect(error?.oclif?.exit).to.equal(3);
    expect(error?.code).to.equal('NOT_FOUND');
    expect(error?.message).to.contain(`--weights ${missing} does not exist`);
  });

  it('names a shards directory without a manifest (exit 3) and says how to prepare one', async function () {
    const { error } = await evaluate(['--config', 'tiny', '--weights', weights, '--data', dir + '/none']);
    expect(error?.oclif?.exit).to.equal(3);
    expect(error?.message).to.contain('holds no prepared shards');
  });

  it('names a config that does not exist (exit 3)', async function () {
    const { error } = await evaluate(['--config', 'no-such-config', '--weights', weights, '--data', shards]);
    expect(error?.oclif?.exit).to.equal(3);
    expect(error?.message).to.contain('no-such-config');
  });

  it("refuses an --out holding a training run: its config.yaml and eval/ are that run's", async function () {
    const run = join(dir, 'run');
    mkdirSync(join(run, 'checkpoints'), { recursive: true });
    const { error } = await runCommand(
      ['eval', '--config', 'tiny', '--weights', weights, '--data', shards, '--out', run],
      { root: cliRoot },
    );
    expect(error?.code).to.equal('ALREADY_EXISTS');
    expect(error?.message).to.contain(`--out ${run} holds a training run`);
  });

  it('refuses --results with --weights (exit 2) before reading anything', async function () {
    const { error } = await runCommand(
      ['eval', '--gt', 'g.json', '--results', 'r.json', '--weights', weights],
      { root: cliRoot },
    );
    expect(error?.oclif?.exit).to.equal(2);
    expect(error?.code).to.equal('USAGE');
    expect(error?.message).to.contain('--weights belongs to evaluating --weights');
  });
});
