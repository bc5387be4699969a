// Kill and resume with real child processes (toy-trainer.ts): a run SIGKILLed between writing a checkpoint's
// parts and committing it, and a run stopped by SIGTERM, both resume to the same bits as an uninterrupted run.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ExitCode } from '../../../common/index.js';
import { listCheckpoints, openCheckpointStore, readLatestPointer } from '../../../worker/internal.js';
import { makeWorkDir } from '../../harness/index.js';

const script = fileURLToPath(new URL('./toy-trainer.ts', import.meta.url));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the toy trainer; `onLine` may kill it. */
function trainer(
  args: string[],
  env: Record<string, string> = {},
  onLine: (line: string, kill: (signal: NodeJS.Signals) => void) => void = () => undefined,
): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line, (signal) => child.kill(signal));
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

describe('checkpoint resume across process deaths', function () {
  this.timeout(180_000);
  const root = makeWorkDir('checkpoint-resume');

  it('a run SIGKILLed between parts and commit resumes from the previous checkpoint to the same bits', async function () {
    const straight = join(root, 'straight');
    const first = await trainer([straight, '25', '5']);
    expect(first, first.stderr).to.include({ code: 0 });

    const killed = join(root, 'killed');
    const died = await trainer([killed, '25', '5'], { STALL_AFTER_PARTS: '15' }, (line, kill) => {
      if (line === 'parts 15') kill('SIGKILL');
    });
    expect(died, died.stderr).to.include({ signal: 'SIGKILL' });
    const store = openCheckpointStore(killed);
    expect((await readLatestPointer(store, 'stage1'))?.step).to.equal(10);
    expect((await listCheckpoints(store, 'stage1')).map((l) => [l.step, l.committed])).to.deep.equal([
      [5, true],
      [10, true],
      [15, false],
    ]);

    const again = await trainer([killed, '25', '5']);
    expect(again, again.stderr).to.include({ code: 0 });
    expect(again.stdout).to.contain('resumed 10\n');
    const [a, b] = await Promise.all([
      readFile(join(straight, 'final.bin')),
      readFile(join(killed, 'final.bin')),
    ]);
    expect(b.length).to.equal(a.length).and.be.greaterThan(0);
    expect(b.equals(a)).to.equal(true);
    // keepLast 2 after the final commit at 25.
    expect((await listCheckpoints(store, 'stage1')).map((l) => l.step)).to.deep.equal([20, 25]);
  });

  it(`SIGTERM finishes the step, saves a checkpoint and exits ${ExitCode.interrupted}; resuming matches`, async function () {
    const stopped = join(root, 'stopped');
    let sent = false;
    const run = await trainer([stopped, '100000', '1000'], { SLOW: '1' }, (line, kill) => {
      if (!sent && line === 'step 7') {
        sent = true;
        kill('SIGTERM');
      }
    });
    expect(run, run.stderr).to.include({ code: ExitCode.interrupted, signal: null });
    const saved = Number(/^saved (\d+)$/m.exec(run.stdout)?.[1]);
    expect(saved).to.be.at.least(7);
    const store = openCheckpointStore(stopped);
    expect((await readLatestPointer(store, 'stage1'))?.step).to.equal(saved);

    const total = String(saved + 6);
    const resumed = await trainer([stopped, total, '1000']);
    expect(resumed, resumed.stderr).to.include({ code: 0 });
    expect(resumed.stdout).to.contain(`resumed ${saved}\n`);
    const straight = join(root, 'straight-term');
    const uninterrupted = await trainer([straight, total, '1000']);
    expect(uninterrupted, uninterrupted.stderr).to.include({ code: 0 });
    const [a, b] = await Promise.all([
      readFile(join(straight, 'final.bin')),
      readFile(join(stopped, 'final.bin')),
    ]);
    expect(b.equals(a)).to.equal(true);
  });
});
