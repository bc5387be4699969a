import { expect } from 'chai';
import { readWorkerSettings, WorkerSettingsError } from '../../worker/internal.js';

function refused(argv: string[], env: NodeJS.ProcessEnv): string {
  try {
    readWorkerSettings(argv, env);
  } catch (error) {
    expect(error).to.be.instanceOf(WorkerSettingsError);
    return (error as Error).message;
  }
  expect.fail(`accepted ${argv.join(' ')} ${JSON.stringify(env)}`);
}

describe('worker settings (flags and environment, read once at start-up)', () => {
  it("defaults to 'auto' and one local rank", () => {
    expect(readWorkerSettings([], {})).to.deep.equal({
      help: false,
      version: false,
      backend: 'auto',
      backendSource: 'auto (default)',
      localRanks: 1,
    });
  });

  it('takes the backend from --backend, else BACL_TF_BACKEND, and says which', () => {
    expect(readWorkerSettings(['--backend', 'wasm'], {})).to.include({
      backend: 'wasm',
      backendSource: '--backend wasm',
    });
    expect(readWorkerSettings([], { BACL_TF_BACKEND: 'cpu' })).to.include({
      backend: 'cpu',
      backendSource: 'BACL_TF_BACKEND=cpu',
    });
    expect(readWorkerSettings(['--backend=tensorflow'], { BACL_TF_BACKEND: 'cpu' })).to.include({
      backend: 'tensorflow',
      backendSource: '--backend tensorflow',
    });
    // An empty variable (as a chart renders an unset value) is not set.
    expect(readWorkerSettings([], { BACL_TF_BACKEND: '' })).to.include({ backend: 'auto' });
  });

  it('refuses an unknown backend, naming the flag or the variable and the choices', () => {
    expect(refused(['--backend', 'gpu'], {})).to.equal(
      '--backend=gpu is not a tfjs backend. Try this: one of auto, tensorflow, wasm, cpu',
    );
    expect(refused([], { BACL_TF_BACKEND: 'native' })).to.equal(
      'BACL_TF_BACKEND=native is not a tfjs backend. Try this: one of auto, tensorflow, wasm, cpu',
    );
  });

  it('reads LOCAL_WORLD_SIZE as the ranks sharing this machine, refusing what is not a count', () => {
    expect(readWorkerSettings([], { LOCAL_WORLD_SIZE: '8' }).localRanks).to.equal(8);
    for (const bad of ['0', '-1', '1.5', 'eight']) {
      expect(refused([], { LOCAL_WORLD_SIZE: bad })).to.match(
        new RegExp(
          `^LOCAL_WORLD_SIZE=${bad.replace('.', '\\.')} is not a whole number of at least 1\\. Try this:`,
        ),
      );
    }
  });

  it('reads --log-interval as the steps between training lines, refusing what is not a count', () => {
    expect(readWorkerSettings(['--log-interval', '1'], {}).logInterval).to.equal(1);
    expect(readWorkerSettings([], {})).not.to.have.property('logInterval');
    for (const bad of ['0', '-2', '2.5', 'often']) {
      expect(refused([`--log-interval=${bad}`], {})).to.equal(
        `--log-interval ${bad} is not a whole number of steps of at least 1. Try this: --log-interval 50`,
      );
    }
  });

  it('refuses an unknown flag or argument, pointing at --help', () => {
    expect(refused(['--threads', '4'], {})).to.match(
      /Unknown option '--threads'.*\nTry this: bacl-worker --help$/s,
    );
    expect(refused(['train'], {})).to.match(/Unexpected argument 'train'.*\nTry this: bacl-worker --help$/s);
  });
});
