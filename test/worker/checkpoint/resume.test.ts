// Kill and resume with real child processes (toy-trainer.ts): a run SIGKILLed between writing a checkpoint's
// parts and committing it (to a directory and to S3), and a run stopped by SIGTERM, both resume to the same bits as an uninterrupted run.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { ExitCode } from '../../../common/index.js';
import {
  listCheckpoints,
  openCheckpointStore,
  readLatestPointer,
  type CheckpointStore,
} from '../../../worker/internal.js';
import { makeWorkDir, sharedS3 } from '../../harness/index.js';

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

/** A run killed with SIGKILL after writing checkpoint 15's parts, before its commit, then resumed. */
async function killBeforeCommitAndResume(
  uri: string,
  finals: string,
  env: Record<string, string>,
  open: () => CheckpointStore,
): Promise<void> {
  const straight = join(finals, 'straight.bin');
  const first = await trainer([`${uri}/straight`, '25', '5', straight], env);
  expect(first, first.stderr).to.include({ code: 0 });

  const died = await trainer(
    [`${uri}/killed`, '25', '5', join(finals, 'unused.bin')],
    { ...env, STALL_AFTER_PARTS: '15' },
    (line, kill) => {
      if (line === 'parts 15') kill('SIGKILL');
    },
  );
  expect(died, died.stderr).to.include({ signal: 'SIGKILL' });
  const store = open();
  expect((await readLatestPointer(store, 'stage1'))?.step).to.equal(10);
  expect((await listCheckpoints(store, 'stage1')).map((l) => [l.step, l.committed])).to.deep.equal([
    [5, true],
    [10, true],
    [15, false],
  ]);

  const resumedFile = join(finals, 'resumed.bin');
  const again = await trainer([`${uri}/killed`, '25', '5', resumedFile], env);
  expect(again, again.stderr).to.include({ code: 0 });
  expect(again.stdout).to.contain('resumed 10\n');
  const [a, b] = await Promise.all([readFile(straight), readFile(resumedFile)]);
  expect(b.length).to.equal(a.length).and.be.greaterThan(0);
  expect(b.equals(a)).to.equal(true);
  // keepLast 2 after the final commit at 25.
  expect((await listCheckpoints(store, 'stage1')).map((l) => l.step)).to.deep.equal([20, 25]);
}

describe('checkpoint resume across process deaths', function () {
  this.timeout(180_000);
  const root = makeWorkDir('checkpoint-resume');

  it('a run SIGKILLed between parts and commit resumes to the same bits (directory)', async function () {
    await killBeforeCommitAndResume(join(root, 'local'), join(root, 'local-finals'), {}, () =>
      openCheckpointStore(join(root, 'local', 'killed')),
    );
  });

  it('a run SIGKILLed between parts and commit resumes to the same bits (S3)', async function () {
    const server = await sharedS3();
    const s3 = server.client();
    const bucket = `ckpt-resume-${randomBytes(4).toString('hex')}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const env = {
      AWS_ENDPOINT_URL: server.endpoint,
      AWS_REGION: server.region,
      AWS_ACCESS_KEY_ID: server.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    };
    await killBeforeCommitAndResume(`s3://${bucket}/runs/ns/job`, join(root, 's3-finals'), env, () =>
      openCheckpointStore(`s3://${bucket}/runs/ns/job/killed`, { s3 }),
    );
  });

  it(`SIGTERM finishes the step, saves a checkpoint and exits ${ExitCode.interrupted}; resuming matches`, async function () {
    const stopped = join(root, 'stopped');
    let sent = false;
    const run = await trainer(
      [stopped, '100000', '1000', join(root, 'unused.bin')],
      { SLOW: '1' },
      (line, kill) => {
        if (!sent && line === 'step 7') {
          sent = true;
          kill('SIGTERM');
        }
      },
    );
    expect(run, run.stderr).to.include({ code: ExitCode.interrupted, signal: null });
    const saved = Number(/^saved (\d+)$/m.exec(run.stdout)?.[1]);
    expect(saved).to.be.at.least(7);
    const store = openCheckpointStore(stopped);
    expect((await readLatestPointer(store, 'stage1'))?.step).to.equal(saved);

    const total = String(saved + 6);
    const resumedFile = join(root, 'stopped.bin');
    const resumed = await trainer([stopped, total, '1000', resumedFile]);
    expect(resumed, resumed.stderr).to.include({ code: 0 });
    expect(resumed.stdout).to.contain(`resumed ${saved}\n`);
    const straight = join(root, 'straight-term.bin');
    const uninterrupted = await trainer([join(root, 'straight-term'), total, '1000', straight]);
    expect(uninterrupted, uninterrupted.stderr).to.include({ code: 0 });
    const [a, b] = await Promise.all([readFile(straight), readFile(resumedFile)]);
    expect(b.equals(a)).to.equal(true);
  });
});
