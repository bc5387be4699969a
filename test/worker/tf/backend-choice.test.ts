import { expect } from 'chai';
import { chooseBackend, intraOpThreads, TfBackendError } from '../../../worker/internal.js';

describe('worker/tf backend choice', () => {
  it('takes --backend over BACL_TF_BACKEND over auto', () => {
    expect(chooseBackend('cpu', { BACL_TF_BACKEND: 'wasm' })).to.equal('cpu');
    expect(chooseBackend(undefined, { BACL_TF_BACKEND: 'tensorflow' })).to.equal('tensorflow');
    expect(chooseBackend(undefined, {})).to.equal('auto');
    expect(chooseBackend('', { BACL_TF_BACKEND: '' })).to.equal('auto');
  });

  it('names the flag or variable and the valid choices for an unknown backend', () => {
    expect(() => chooseBackend('webgl', {})).to.throw(
      TfBackendError,
      '--backend=webgl is not a tfjs backend. Try this: one of auto, tensorflow, wasm, cpu',
    );
    expect(() => chooseBackend(undefined, { BACL_TF_BACKEND: 'node' })).to.throw(
      TfBackendError,
      /BACL_TF_BACKEND=node/,
    );
  });

  it('gives each local rank an even share of the cores, at least one thread', () => {
    expect(intraOpThreads(16, 8)).to.equal(2);
    expect(intraOpThreads(16, 3)).to.equal(5);
    expect(intraOpThreads(2, 1)).to.equal(2);
    expect(intraOpThreads(2, 4)).to.equal(1);
    expect(intraOpThreads(8, 0)).to.equal(8);
  });
});
