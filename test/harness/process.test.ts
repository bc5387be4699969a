import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { ServerStartError, startProcess } from './process.js';
import { makeWorkDir, removeWorkDir } from './workdir.js';

// The harness itself: a server that dies at start-up is reported with its log, and stop() ends it by PID.
describe('harness: process management', function () {
  let dir: string;
  beforeEach(function () {
    dir = makeWorkDir('process');
  });
  afterEach(function () {
    if (this.currentTest?.state === 'passed') removeWorkDir(dir); // failures provoked on purpose keep nothing
  });

  it('reports a server that exits during start-up, with the tail of its log', async function () {
    const failure = await startProcess({
      name: 'doomed',
      bin: '/bin/sh',
      args: ['-c', 'echo "listen failed: address in use" >&2; exit 3'],
      dir,
      ready: () => Promise.resolve(false),
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).to.be.instanceOf(ServerStartError);
    const message = (failure as Error).message;
    expect(message).to.contain('doomed did not start: exited early (code 3');
    expect(message).to.contain('listen failed: address in use');
  });

  it('gives up on a server that never becomes ready, and kills it', async function () {
    const failure = await startProcess({
      name: 'sleepy',
      bin: '/bin/sh',
      args: ['-c', 'echo $$ > pid; exec sleep 60'],
      dir,
      ready: () => Promise.resolve(false),
      readyTimeoutMs: 300,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((failure as Error).message).to.contain('sleepy did not start: not ready within 300 ms');
    const pid = Number(readFileSync(`${dir}/pid`, 'utf8'));
    expect(isAlive(pid), `pid ${pid} still alive`).to.equal(false);
  });

  it('stops a running server by PID (SIGTERM) and resolves once it is gone', async function () {
    const server = await startProcess({
      name: 'steady',
      bin: '/bin/sh',
      args: ['-c', 'touch ready; exec sleep 60'],
      dir,
      ready: () => Promise.resolve(existsSync(`${dir}/ready`)),
    });
    expect(isAlive(server.pid)).to.equal(true);
    await server.stop();
    expect(server.running).to.equal(false);
    expect(isAlive(server.pid)).to.equal(false);
    expect((await server.exited).signal).to.equal('SIGTERM');
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
