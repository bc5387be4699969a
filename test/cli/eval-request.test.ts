// `baclctl eval`'s flag combinations as pure logic: a detections file (--gt --results) or a checkpoint
// (--weights --config --data [--gt --workers --out]); every wrong combination a usage error naming the flags.
import { expect } from 'chai';
import { defaultEvalOut, evalRequest, pthConversion, type EvalFlags } from '../../cli/internal.js';

function refusal(flags: EvalFlags): { message: string; code: unknown; exit: unknown; tryThis: unknown } {
  try {
    evalRequest(flags);
  } catch (error) {
    const cli = error as Error & { code?: unknown; oclif?: { exit?: unknown }; suggestions?: string[] };
    return { message: cli.message, code: cli.code, exit: cli.oclif?.exit, tryThis: cli.suggestions?.[0] };
  }
  throw new Error(`evalRequest accepted ${JSON.stringify(flags)}`);
}

describe('cli/eval evalRequest', function () {
  it('reads a detections file request and a checkpoint request with its defaults', function () {
    expect(evalRequest({ gt: 'val.json', results: 'dt.json' })).to.deep.equal({
      kind: 'results',
      gt: 'val.json',
      results: 'dt.json',
    });
    expect(
      evalRequest({ config: 'lvis_v1', weights: 'w/bacl_r50.safetensors', data: 'shards/val' }),
    ).to.deep.equal({
      kind: 'weights',
      config: 'lvis_v1',
      weights: 'w/bacl_r50.safetensors',
      data: 'shards/val',
      workers: 1,
      out: 'bacl-runs/eval-bacl_r50',
    });
    expect(
      evalRequest({
        config: 'c.yaml',
        weights: 's3://m/x.safetensors',
        data: 's3://d/val',
        gt: 'val.json',
        workers: 4,
        out: 'o',
      }),
    ).to.deep.include({ gt: 'val.json', workers: 4, out: 'o' });
    expect(defaultEvalOut('s3://models/r101.safetensors')).to.equal('bacl-runs/eval-r101');
  });

  const refused: Array<[string, EvalFlags, RegExp]> = [
    ['nothing', {}, /nothing to evaluate: give --results .* or --weights/],
    ['--results without --gt', { results: 'dt.json' }, /--results needs --gt/],
    [
      '--results with --weights and --workers',
      { gt: 'g', results: 'dt.json', weights: 'w.safetensors', workers: 2 },
      /--results evaluates a detections file; --weights, --workers belong to evaluating --weights/,
    ],
    [
      '--config and --data without --weights',
      { config: 'lvis_v1', data: 'd' },
      /--config, --data are for evaluating --weights, which is missing/,
    ],
    ['--gt alone', { gt: 'val.json' }, /nothing to evaluate/],
    [
      '--weights without --config and --data',
      { weights: 'w.safetensors' },
      /--weights needs --config, --data/,
    ],
    ['--weights without --data', { weights: 'w.safetensors', config: 'lvis_v1' }, /--weights needs --data/],
  ];
  for (const [what, flags, message] of refused) {
    it(`refuses ${what} as a usage error (exit 2) with a Try this line`, function () {
      const error = refusal(flags);
      expect(error.message).to.match(message);
      expect(error.code).to.equal('USAGE');
      expect(error.exit).to.equal(2);
      expect(error.tryThis).to.match(/baclctl eval /);
    });
  }

  it('refuses a .pth with the Python that converts it', function () {
    const error = refusal({ weights: 'epoch_12.pth', config: 'lvis_v1', data: 'd' });
    expect(error.message).to.contain('epoch_12.pth is not a .safetensors file');
    expect(error.tryThis).to.equal(`convert it once: ${pthConversion}`);
    expect(pthConversion).to.contain("torch.load('model.pth', map_location='cpu')['state_dict']");
    expect(pthConversion).to.contain('st.save_file(');
  });
});
