import { expect } from 'chai';
import {
  answerStandardFlags,
  ExitCode,
  packageVersion,
  type ProgramInfo,
  type ProgramIO,
} from '../../common/index.js';

const info: ProgramInfo = {
  name: 'bacl-example',
  summary: 'an example program',
  usage: 'bacl-example [flags]',
  description: ['What it does.'],
  flags: ['  -h, --help   Show this help and exit.'],
};

function captureIO(): ProgramIO & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (text: string) => void (io.out += text),
    stderr: (text: string) => void (io.err += text),
  };
  return io;
}

describe('common/program', function () {
  it('answers --help with the summary, usage, description and flags', function () {
    const io = captureIO();
    expect(answerStandardFlags(info, ['--help'], io)).to.equal(ExitCode.ok);
    expect(io.out).to.equal(
      'bacl-example: an example program\n\nUsage: bacl-example [flags]\n\nWhat it does.\n\nFlags:\n' +
        '  -h, --help   Show this help and exit.\n',
    );
    expect(answerStandardFlags(info, ['-h'], captureIO())).to.equal(ExitCode.ok);
  });

  it('answers --version with the package version', function () {
    const io = captureIO();
    expect(answerStandardFlags(info, ['--version'], io)).to.equal(ExitCode.ok);
    expect(io.out).to.equal(`bacl-example ${packageVersion()}\n`);
    expect(packageVersion()).to.match(/^\d+\.\d+\.\d+/);
  });

  it('turns an unknown flag or a stray argument into a usage error (exit 2) naming it', function () {
    const io = captureIO();
    expect(answerStandardFlags(info, ['--frobnicate'], io)).to.equal(ExitCode.usage);
    expect(io.err).to.equal("bacl-example: Unknown option '--frobnicate'\nTry this: bacl-example --help\n");
    const stray = captureIO();
    expect(answerStandardFlags(info, ['extra'], stray)).to.equal(ExitCode.usage);
    expect(stray.err).to.contain("'extra'");
  });

  it('lets the program go on when no standard flag was given', function () {
    const io = captureIO();
    expect(answerStandardFlags(info, [], io)).to.equal(undefined);
    expect(io.out + io.err).to.equal('');
  });
});
