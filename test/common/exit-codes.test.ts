import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { errorCodes, ExitCode, packageRoot } from '../../common/index.js';

// The exit codes are a public contract (scripts, `&&` chains, a pod's exitCode): this test spells every one
// out, so changing a number or adding a code is a deliberate edit here, in the README and in docs/adr/0018.

describe('common/exit-codes: one table for every bacl process', function () {
  it('numbers the exit codes kubectl-like, with 130 for an interruption', function () {
    expect(ExitCode).to.deep.equal({
      ok: 0,
      failure: 1,
      usage: 2,
      notFound: 3,
      invalid: 4,
      diverged: 5,
      interrupted: 130,
    });
  });

  it('gives every stable error code one exit status', function () {
    const exits = Object.fromEntries(Object.entries(errorCodes).map(([code, entry]) => [code, entry.exit]));
    expect(exits).to.deep.equal({
      USAGE: 2,
      NOT_FOUND: 3,
      NO_LOGS: 3,
      CONFIG_INVALID: 4,
      JOB_INVALID: 4,
      DATA_INVALID: 4,
      ALREADY_EXISTS: 1,
      FORBIDDEN: 1,
      UNREACHABLE: 1,
      API_ERROR: 1,
      S3_ERROR: 1,
      TIMEOUT: 1,
      INSTALL_FAILED: 1,
      JOB_FAILED: 1,
      TRAINING_FAILED: 1,
      EVAL_FAILED: 1,
      INTERRUPTED: 130,
      INTERNAL: 1,
    });
  });

  it('is documented in the README, code by code', function () {
    const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
    const rows = new Map<string, number>();
    for (const match of readme.matchAll(/^\|\s*`([A-Z0-9_]+)`\s*\|\s*(\d+)\s*\|/gm)) {
      rows.set(match[1]!, Number(match[2]));
    }
    const documented = Object.fromEntries(Object.keys(errorCodes).map((code) => [code, rows.get(code)]));
    const expected = Object.fromEntries(
      Object.entries(errorCodes).map(([code, entry]) => [code, entry.exit]),
    );
    expect(documented).to.deep.equal(expected);
    expect([...rows.keys()].filter((code) => !(code in errorCodes))).to.deep.equal([]);
  });
});
