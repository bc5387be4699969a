// How @tensorflow/tfjs-node is installed (docs/adr/0021-native-tensorflow-backend.md): its own install script must
// never run under npm ci (it wipes deps/ and downloads from a host we cannot reach), it must share the project's
// one tfjs-core (two would mean two engines: its backend invisible to our tf), and the GPU build is the same
// package linked against the GPU wheel, not tfjs-node-gpu.
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  allowScripts: Record<string, boolean>;
};

describe('the @tensorflow/tfjs-node dependency', () => {
  it('is pinned with its install script denied in allowScripts', () => {
    expect(pkg.dependencies['@tensorflow/tfjs-node']).to.equal('4.22.0');
    expect(pkg.allowScripts['@tensorflow/tfjs-node']).to.equal(false);
    expect(pkg.dependencies).to.not.have.property('@tensorflow/tfjs-node-gpu');
  });

  it('resolves the same @tensorflow/tfjs and tfjs-core files as the project (one engine)', () => {
    const ours = createRequire(`${root}/package.json`);
    const theirs = createRequire(ours.resolve('@tensorflow/tfjs-node/package.json'));
    for (const name of ['@tensorflow/tfjs', '@tensorflow/tfjs-core']) {
      expect(realpathSync(theirs.resolve(name)), name).to.equal(realpathSync(ours.resolve(name)));
    }
  });

  it('builds with the pinned node-gyp the install script uses', () => {
    expect(pkg.devDependencies['node-gyp']).to.match(/^\d+\.\d+\.\d+$/);
    expect(readFileSync(`${root}/scripts/tf-native.sh`, 'utf8')).to.contain(
      'node_modules/node-gyp/bin/node-gyp.js',
    );
  });
});
