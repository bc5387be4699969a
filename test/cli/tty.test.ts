import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { cliKube, cliRoot, type CliKube } from './kube-fixture.js';
import { runningStatus, succeededStatus } from './statuses.js';

// `wait` on a real terminal: util-linux `script` gives the process a pseudo-terminal, so process.stderr.isTTY
// is true exactly as in a user's shell. The plain-line mode is covered by wait.test.ts (no TTY there).
describe('baclctl wait on a terminal (pseudo-terminal through script(1), real kube-apiserver)', function () {
  this.timeout(180_000);
  let kube: CliKube;

  before(async function () {
    kube = await cliKube('cli-tty');
    await kube.createJob('shown');
    await kube.writeStatus('shown', runningStatus(420));
  });

  it('redraws one progress line in place with a bar, then prints the result on its own line', async function () {
    const command = [
      'NODE_ENV=development',
      JSON.stringify(process.execPath),
      '--import tsx --disable-warning=ExperimentalWarning bin/dev.js wait shown --for=Succeeded',
      ...kube.target.map((arg) => JSON.stringify(arg)),
    ].join(' ');
    const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: cliRoot });
    let output = '';
    let advanced = false;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!advanced && output.includes(' 420/1000 ')) {
        advanced = true;
        void kube
          .writeStatus('shown', runningStatus(430))
          .then(() => kube.writeStatus('shown', succeededStatus()));
      }
    });
    const code = await new Promise<number | null>((resolve) =>
      child.on('exit', (exitCode) => resolve(exitCode)),
    );
    expect(code, output).to.equal(0);
    const redraws = output.split('\r\u001b[2K').slice(1);
    expect(redraws.length, output).to.be.at.least(2);
    // script(1) without a terminal around it makes an unsized one (0 columns), read as 80: the words fit
    // whole and the bar is left out.
    expect(redraws[0]).to.equal('shown Running classifier e3 420/1000 42% ETA 12m loss 0.8123 312.5 img/s');
    expect(output).to.match(/\r?\nbacljob\.bacl\.dev\/shown condition met: Succeeded/);
  });
});
