import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { main } from '../../worker/internal.js';

/** Runs bacl-worker's main in this process and returns its exit code and what it wrote. */
async function runMain(
  argv: string[],
  env: NodeJS.ProcessEnv,
  nativeDir: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = { stdout: (text: string) => (stdout += text), stderr: (text: string) => (stderr += text) };
  const code = await main(argv, io, { env, nativeDir });
  return { code, stdout, stderr };
}

/** One rank whose config is missing: it starts its backend, then fails with exit 4 naming the file. */
const startUpRank = {
  RANK: '0',
  WORLD_SIZE: '1',
  BACL_JOB: 'test/start-up',
  BACL_STAGE: 'evaluate',
  BACL_CONFIG: '/nonexistent/bacl/config.yaml',
  BACL_RUN_URI: join(tmpdir(), 'bacl-start-up-run'),
};

// The bin's own runs (test/bin.test.ts) use the real addon; these point the worker at a tfjs-node package
// directory without a usable one, so they run the same with or without the native backend installed.
describe('bacl-worker start-up without a usable native backend', () => {
  let dir: string;
  let empty: string;
  let damaged: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bacl-worker-main-'));
    empty = join(dir, 'empty');
    await mkdir(empty);
    damaged = join(dir, 'damaged');
    await mkdir(join(damaged, 'deps'), { recursive: true });
    await mkdir(join(damaged, 'lib', 'napi-v8'), { recursive: true });
    await writeFile(join(damaged, 'deps', 'bacl-native.json'), JSON.stringify({ tf: '2.21.0', napi: 8 }));
    await writeFile(join(damaged, 'lib', 'napi-v8', 'tfjs_binding.node'), 'not a shared object\n');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("'auto' says why it falls back and how to install, then logs the wasm start-up line", async () => {
    const { code, stdout, stderr } = await runMain([], { ...startUpRank }, damaged);
    expect(code).to.equal(4); // the config is missing
    expect(stdout).to.equal('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).to.match(
      /^bacl-worker: rank 0: native TensorFlow backend not available: its addon did not load \(.*tfjs_binding\.node: .*\); using wasm\. Try this: baclctl backend install/,
    );
    expect(lines.slice(1)).to.deep.equal([
      'bacl-worker: rank 0: tfjs backend wasm: SIMD, 1 thread',
      'bacl-worker: rank 0: no config file "/nonexistent/bacl/config.yaml"',
    ]);
  });

  for (const [argv, env, source] of [
    [['--backend', 'tensorflow'], { BACL_TF_BACKEND: 'wasm' }, '--backend tensorflow'],
    [[], { BACL_TF_BACKEND: 'tensorflow' }, 'BACL_TF_BACKEND=tensorflow'],
  ] as const) {
    it(`fails with exit 1 when ${source} is not installed, naming it, the install command and why`, async () => {
      const { code, stderr } = await runMain([...argv], { ...startUpRank, ...env }, empty);
      expect(code).to.equal(1);
      expect(stderr).to.equal(
        `bacl-worker: rank 0: ${source}: could not load the 'tensorflow' backend package. Try this: baclctl backend ` +
          'install (or: bash scripts/tf-native.sh [--gpu]) to build @tensorflow/tfjs-node, or use --backend wasm\n' +
          `Cause: its addon is not built (no ${join(empty, 'deps', 'bacl-native.json')})\n`,
      );
    });
  }
});
