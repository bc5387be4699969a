import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { nativeInstall } from '../worker/internal.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const execFileAsync = promisify(execFile);

/** This environment without the variables bacl-worker reads, plus `env`. */
function workerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean = { ...process.env };
  for (const name of ['BACL_TF_BACKEND', 'LOCAL_WORLD_SIZE', 'TF_NUM_INTRAOP_THREADS']) delete clean[name];
  return { ...clean, ...env };
}

/** Runs a bin as a user would (a child process with the Node 22 on PATH); never throws on a non-zero exit. */
async function runBin(
  bin: string,
  args: string[],
  node = process.execPath,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(node, [`${root}/bin/${bin}`, ...args], { cwd: root, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('bin/', function () {
  this.timeout(30_000);

  for (const bin of ['run.js', 'dev.js']) {
    it(`baclctl (${bin}) with no arguments lists its topics and commands`, async function () {
      const args = bin === 'dev.js' ? ['--import', 'tsx', `${root}/bin/dev.js`] : [`${root}/bin/run.js`];
      const { stdout } = await execFileAsync(process.execPath, args, { cwd: root });
      expect(stdout).to.contain('USAGE\n  $ baclctl [COMMAND]');
      expect(stdout).to.match(/TOPICS\n {2}backend +The tfjs backends/);
      expect(stdout).to.match(/\n {2}config +Inspect training configs/);
      expect(stdout).to.match(/\n {2}help +Display help for baclctl\./);
      expect(stdout).to.match(/\n {2}submit +Create a BaclJob from a config/);
    });
  }

  it('the build writes oclif.manifest.json naming every command of cli/commands, which bin/run.js reads', async function () {
    const manifestPath = join(root, 'oclif.manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      version: string;
      commands: Record<string, { flags: Record<string, unknown> }>;
    };
    const ids = readdirSync(join(root, 'cli', 'commands'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => file.slice(0, -'.ts'.length).split(sep).join(':'))
      .sort();
    expect(Object.keys(manifest.commands).sort()).to.deep.equal(ids);
    expect(manifest.commands.eval?.flags).to.include.keys('gt', 'results', 'threads', 'weights', 'visualize');
    // Used: a command the manifest does not list is not found by bin/run.js (the sources' bin/dev.js ignores it).
    const scratch = mkdtempSync(join(tmpdir(), 'bacl-manifest-'));
    for (const entry of ['dist', 'node_modules']) symlinkSync(join(root, entry), join(scratch, entry));
    for (const entry of ['package.json', 'bin'])
      cpSync(join(root, entry), join(scratch, entry), { recursive: true });
    const { eval: _eval, ...withoutEval } = manifest.commands;
    writeFileSync(
      join(scratch, 'oclif.manifest.json'),
      JSON.stringify({ ...manifest, commands: withoutEval }),
    );
    const hidden = await execFileAsync(process.execPath, [join(scratch, 'bin', 'run.js'), 'eval', '--help'], {
      cwd: scratch,
    }).then(
      () => 'found',
      (error: { stderr?: string }) => error.stderr ?? '',
    );
    expect(hidden).to.match(/eval/);
    expect(hidden).to.not.equal('found');
  });

  it('baclctl --version names the package and the Node it runs on', async function () {
    const { code, stdout } = await runBin('run.js', ['--version']);
    expect(code).to.equal(0);
    expect(stdout).to.match(/^bacl\/\d+\.\d+\.\d+ \S+ node-v22\./);
  });

  for (const name of ['bacl-operator', 'bacl-worker']) {
    it(`${name} --help prints its usage and exits 0`, async function () {
      const { code, stdout } = await runBin(`${name}.js`, ['--help']);
      expect(code).to.equal(0);
      expect(stdout).to.contain(`Usage: ${name} [flags]`);
    });

    it(`${name} refuses an unknown flag with exit 2 and a "Try this" line`, async function () {
      const { code, stderr } = await runBin(`${name}.js`, ['--no-such-flag']);
      expect(code).to.equal(2);
      expect(stderr).to.contain("Unknown option '--no-such-flag'");
      expect(stderr).to.contain(`Try this: ${name} --help`);
    });
  }

  describe('bacl-worker start-up (the real bin and addon; the fallback paths are in test/worker/main.test.ts)', () => {
    // One rank whose config is missing: it starts its backend, then fails with exit 4 naming the file.
    const notBuilt = ['bacl-worker: rank 0: no config file "/nonexistent/bacl/config.yaml"'];
    const rank = (env: NodeJS.ProcessEnv, ranks = 1) =>
      workerEnv({
        RANK: '0',
        WORLD_SIZE: String(ranks),
        BACL_JOB: 'test/start-up',
        BACL_STAGE: 'evaluate',
        BACL_CONFIG: '/nonexistent/bacl/config.yaml',
        BACL_RUN_URI: join(tmpdir(), 'bacl-start-up-run'),
        ...env,
      });
    /** TensorFlow's and tfjs-node's own start-up noise (absl banner, deprecation warnings) left out. */
    const ourLines = (stderr: string) =>
      stderr.split('\n').filter((line) => line.startsWith('bacl-worker: ') || line.startsWith('Try this:'));
    const native = nativeInstall();
    const cores = availableParallelism();

    it("'auto' (the default) logs one line naming the backend it started, then the rank's own failure", async function () {
      const { code, stdout, stderr } = await runBin('bacl-worker.js', [], undefined, rank({}));
      expect(code).to.equal(4);
      expect(stdout).to.equal('');
      if (native.installed) {
        const threads = `${cores} intra-op thread${cores === 1 ? '' : 's'}`;
        expect(ourLines(stderr)).to.deep.equal([
          `bacl-worker: rank 0: tfjs backend tensorflow: TensorFlow ${native.manifest.tf}, CPU only, ${threads}`,
          ...notBuilt,
        ]);
      } else {
        const lines = ourLines(stderr);
        expect(lines[0]).to.match(
          /^bacl-worker: rank 0: native TensorFlow backend not available: .*Try this: baclctl backend install/,
        );
        expect(lines.slice(1)).to.deep.equal([
          'bacl-worker: rank 0: tfjs backend wasm: SIMD, 1 thread',
          ...notBuilt,
        ]);
      }
    });

    it('shares the cores among LOCAL_WORLD_SIZE ranks (native intra-op threads)', async function () {
      if (!native.installed) this.skip(); // wasm runs one thread whatever LOCAL_WORLD_SIZE says
      const { code, stderr } = await runBin(
        'bacl-worker.js',
        [],
        undefined,
        rank({ LOCAL_WORLD_SIZE: String(cores) }, cores),
      );
      expect(code).to.equal(4);
      expect(ourLines(stderr)[0]).to.match(
        /^bacl-worker: rank 0: tfjs backend tensorflow: .*, 1 intra-op thread$/,
      );
    });

    for (const [args, env, line] of [
      [['--backend', 'wasm'], {}, 'bacl-worker: rank 0: tfjs backend wasm: SIMD, 1 thread'],
      [[], { BACL_TF_BACKEND: 'cpu' }, 'bacl-worker: rank 0: tfjs backend cpu'],
      [
        ['--backend=wasm'],
        { BACL_TF_BACKEND: 'cpu' },
        'bacl-worker: rank 0: tfjs backend wasm: SIMD, 1 thread',
      ],
    ] as const) {
      it(`starts the backend ${[...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...args].join(' ')} asks for`, async function () {
        const { code, stderr } = await runBin('bacl-worker.js', [...args], undefined, rank(env));
        expect(code).to.equal(4);
        expect(ourLines(stderr)).to.deep.equal([line, ...notBuilt]);
      });
    }

    it('refuses an unknown backend with exit 2, naming the flag or the variable and the choices', async function () {
      const flag = await runBin(
        'bacl-worker.js',
        ['--backend', 'gpu'],
        undefined,
        workerEnv({ BACL_TF_BACKEND: 'cpu' }),
      );
      expect(flag.code).to.equal(2);
      expect(flag.stderr).to.equal(
        'bacl-worker: --backend=gpu is not a tfjs backend. Try this: one of auto, tensorflow, wasm, cpu\n',
      );
      const env = await runBin('bacl-worker.js', [], undefined, workerEnv({ BACL_TF_BACKEND: 'native' }));
      expect(env.code).to.equal(2);
      expect(env.stderr).to.equal(
        'bacl-worker: BACL_TF_BACKEND=native is not a tfjs backend. Try this: one of auto, tensorflow, wasm, cpu\n',
      );
    });

    it('--help documents --backend, BACL_TF_BACKEND and LOCAL_WORLD_SIZE', async function () {
      const { code, stdout } = await runBin('bacl-worker.js', ['--help']);
      expect(code).to.equal(0);
      expect(stdout).to.match(
        /--backend NAME +tfjs backend: auto \(default: tensorflow when its addon loads, else wasm\)/,
      );
      expect(stdout).to.contain('Beats BACL_TF_BACKEND.');
      expect(stdout).to.contain('LOCAL_WORLD_SIZE');
    });
  });

  it('says what to do when started on a Node older than 22', async function () {
    const oldNode = '/usr/bin/node';
    const version = await execFileAsync(oldNode, ['--version']).then(
      ({ stdout }) => stdout.trim(),
      () => undefined,
    );
    if (!version || Number(version.slice(1).split('.')[0]) >= 22) this.skip(); // needs an old Node to run under
    const { code, stderr } = await runBin('run.js', ['--help'], oldNode);
    expect(code).to.equal(1);
    expect(stderr).to.contain(`bacl needs Node 22; this is Node ${version.slice(1)}`);
    expect(stderr).to.contain('Try this:');
  });
});
