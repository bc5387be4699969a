import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readReliability, recordReliability, type ReliabilityEntry } from './entries.js';
import { renderReliability } from './render.js';

const fault: ReliabilityEntry = {
  kind: 'fault',
  id: 'worker-sigkill',
  test: 'e2e faults a worker SIGKILLed mid-epoch',
  fault: 'SIGKILL rank 1 at step 4',
  happened: 'the group restarted from ckpt-3 | attempt 1',
  outcome: { state: 'Succeeded' },
  recoverSeconds: 12.345,
  stepsLost: 1,
  finalAp: 0.5,
  referenceAp: 0.5,
  bitwiseEqual: true,
};
const badInput: ReliabilityEntry = {
  kind: 'bad-input',
  id: 'nodes-zero',
  test: 'bad input table',
  surface: 'api-server',
  input: 'spec.nodes: 0',
  message: 'spec.nodes: Invalid value: 0: should be greater than or equal to 1',
  leftBehind: 'nothing',
};

describe('reliability report: entries and docs/reliability.md', function () {
  it('records entries as <kind>/<id>.json and reads them back, refusing a malformed one by path', function () {
    const dir = mkdtempSync(join(tmpdir(), 'bacl-reliability-test-'));
    recordReliability(fault, dir);
    recordReliability(badInput, dir);
    expect(readReliability(dir)).to.deep.equal([fault, badInput]);
    expect(() => recordReliability({ ...fault, id: 'Not Kebab' }, dir)).to.throw();
    recordReliability({ kind: 'security', id: 'x', test: 't', property: 'p', evidence: 'e' }, dir);
    writeFileSync(join(dir, 'security', 'x.json'), '{"kind":"security","id":"x"}');
    expect(() => readReliability(dir)).to.throw(/security\/x.json: not a reliability entry/);
  });

  it('renders each kind as a table row with its anchor, escaping pipes; an empty kind says so', function () {
    const text = renderReliability([fault, badInput], {
      commit: 'abc1234',
      date: '2026-12-04',
      machine: '2 x CPU',
      command: 'npm run reliability',
    });
    expect(text).to.include('commit abc1234');
    expect(text).to.include(
      '| <a id="worker-sigkill"></a>SIGKILL rank 1 at step 4 | the group restarted from ckpt-3 \\| attempt 1 | Succeeded | 12.3 | 1 | 0.5000 | 0.5000 | yes |',
    );
    expect(text).to.include('| <a id="nodes-zero"></a>API server | spec.nodes: 0 |');
    expect(text).to.include('No security property was recorded in this run.');
  });
});
