import type { V1Pod } from '@kubernetes/client-node';
import { Errors } from '@oclif/core';
import { expect } from 'chai';
import { selectLogPods, lineSplitter, logOptions } from '../../../cli/internal.js';
import type { BaclJob } from '../../../common/index.js';

const pod = (stage: string, attempt: number, nodeRank: number): V1Pod => ({
  metadata: {
    name: `j-${stage.slice(0, 3)}-${attempt}-${nodeRank}`,
    labels: {
      'bacl.dev/job': 'j',
      'bacl.dev/stage': stage,
      'bacl.dev/attempt': String(attempt),
      'bacl.dev/node-rank': String(nodeRank),
    },
  },
});
const job = (stage?: string): BaclJob =>
  ({
    metadata: { name: 'j' },
    spec: { nodes: 2, gpusPerNode: 4 },
    ...(stage ? { status: { stage } } : {}),
  }) as BaclJob;

// Pods of two groups of the classifier stage (attempt 2 replaced attempt 1) and an old representation group.
const pods = [
  pod('classifier', 2, 1),
  pod('representation', 0, 0),
  pod('classifier', 1, 0),
  pod('classifier', 2, 0),
];
const names = (selected: V1Pod[]) => selected.map((selectedPod) => selectedPod.metadata?.name);

describe('cli/logs: which pods logs reads, and how', function () {
  it("reads rank 0's pod of the current stage's latest attempt by default", function () {
    expect(names(selectLogPods(job('classifier'), pods, { all: false }))).to.deep.equal(['j-cla-2-0']);
  });

  it('maps a global rank to its node: rank 5 with 4 GPUs per node is node rank 1', function () {
    expect(names(selectLogPods(job('classifier'), pods, { all: false, rank: 5 }))).to.deep.equal([
      'j-cla-2-1',
    ]);
  });

  it('--all reads the whole group in node-rank order; --stage picks another stage', function () {
    expect(names(selectLogPods(job('classifier'), pods, { all: true }))).to.deep.equal([
      'j-cla-2-0',
      'j-cla-2-1',
    ]);
    expect(
      names(selectLogPods(job('classifier'), pods, { all: true, stage: 'representation' })),
    ).to.deep.equal(['j-rep-0-0']);
  });

  it('without a status stage, reads the latest stage that has pods', function () {
    expect(names(selectLogPods(job(), pods, { all: false }))).to.deep.equal(['j-cla-2-0']);
  });

  it('answers no pods (NO_LOGS) and a rank no pod runs (NOT_FOUND) with exit 3', function () {
    const refusal = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        expect(error).to.be.instanceOf(Errors.CLIError);
        return error as Errors.CLIError;
      }
      return expect.fail('expected a CLI error');
    };
    const none = refusal(() => selectLogPods(job('evaluate'), pods, { all: false }));
    expect(none.message).to.equal('bacljob j has no worker pods for stage evaluate yet');
    expect(none.oclif.exit).to.equal(3);
    const tooHigh = refusal(() => selectLogPods(job('classifier'), pods, { all: false, rank: 8 }));
    expect(tooHigh.message).to.equal('no pod runs rank 8 of bacljob j (stage classifier, attempt 2)');
    expect(tooHigh.suggestions).to.deep.equal(['ranks 0-7 exist; --all reads every pod']);
  });

  it('asks the pods/log endpoint for follow and tailLines as given', function () {
    expect(logOptions({ follow: true, tail: 50 })).to.deep.equal({
      follow: true,
      pretty: false,
      timestamps: false,
      tailLines: 50,
    });
    expect(logOptions({ follow: false })).to.not.have.property('tailLines');
  });

  it('splits the stream into prefixed lines across chunk boundaries, the last one without a newline', async function () {
    const lines: string[] = [];
    const splitter = lineSplitter('[p] ', (line) => lines.push(line));
    splitter.write('step 1 lo');
    splitter.write('ss 0.9\nstep 2');
    await new Promise<void>((resolve) => splitter.end(' loss 0.8', resolve));
    expect(lines).to.deep.equal(['[p] step 1 loss 0.9', '[p] step 2 loss 0.8']);
  });
});
