import { expect } from 'chai';
import {
  CollectiveMismatchError,
  CollectiveOptionError,
  HeartbeatMonitor,
  RendezvousBook,
  type Join,
  groupSubjects,
  messagePrefix,
  MessageReader,
  MessageType,
} from '../../../worker/internal.js';

const join = (rank: number, extra: Partial<Join> = {}): Join => ({
  rank,
  worldSize: 3,
  configDigest: 'sha256:x',
  maxFrameBytes: 1024,
  instance: `i${rank}`,
  ready: false,
  ...extra,
});

describe('worker/collective rendezvous, heartbeats and subjects (pure)', function () {
  it('completes only when every rank has said it has seen everyone', function () {
    const book = new RendezvousBook(join(0));
    book.add(join(1));
    expect(book.missing()).to.deep.equal([2]);
    expect(book.announcement.ready).to.equal(false);
    book.add(join(2));
    expect(book.announcement.ready).to.equal(true); // rank 0 has now seen all three
    expect(book.complete).to.equal(false);
    book.add(join(1, { ready: true }));
    book.add(join(2, { ready: false })); // a late, older announcement
    expect(book.complete).to.equal(false);
    book.add(join(2, { ready: true }));
    expect(book.complete).to.equal(true);
  });

  it('names the rank and field that disagree: world size, config digest, frame size, a doubly claimed rank', function () {
    const book = new RendezvousBook(join(0));
    expect(() => book.add(join(1, { configDigest: 'sha256:y' }))).to.throw(
      CollectiveMismatchError,
      /rank 1 disagrees on configDigest/,
    );
    expect(() => book.add(join(2, { worldSize: 4 }))).to.throw(CollectiveMismatchError, /worldSize/);
    expect(() => book.add(join(2, { maxFrameBytes: 8 }))).to.throw(CollectiveMismatchError, /maxFrameBytes/);
    book.add(join(1));
    expect(() => book.add(join(1, { instance: 'other' }))).to.throw(
      CollectiveMismatchError,
      /two processes claim/,
    );
  });

  it('declares a peer lost after the timeout, but not after this process itself was frozen', function () {
    const monitor = new HeartbeatMonitor(0, 3, 100, 1000, 0);
    for (let t = 100; t <= 900; t += 100) {
      monitor.beat(1, t);
      monitor.beat(2, t);
      expect(monitor.check(t)).to.equal(undefined);
    }
    for (let t = 1000; t <= 1900; t += 100) {
      monitor.beat(1, t);
      expect(monitor.check(t)).to.equal(undefined);
    }
    expect(monitor.check(2000)).to.deep.equal({ rank: 2, silentMs: 1100 });
    const frozen = new HeartbeatMonitor(0, 2, 100, 1000, 0);
    expect(frozen.check(5000)).to.equal(undefined); // our own timer ran 5 s late: no verdict
    for (let t = 5100; t <= 5900; t += 100) expect(frozen.check(t)).to.equal(undefined);
    expect(frozen.check(6000)).to.deep.equal({ rank: 1, silentMs: 1100 });
  });

  it('puts job, attempt and operation in every subject and refuses names that are not one token', function () {
    const subjects = groupSubjects('team-a/r50_fpn', 2);
    expect(subjects.rdzv).to.equal('bacl.team-a.r50_fpn.2.rdzv');
    expect(subjects.ctl).to.equal('bacl.team-a.r50_fpn.2.ctl');
    expect(subjects.data('rs', 7, 3)).to.equal('bacl.team-a.r50_fpn.2.op.7.rs.3');
    expect(subjects.dataSubscriptions(1)).to.deep.equal([
      'bacl.team-a.r50_fpn.2.op.*.rs.1',
      'bacl.team-a.r50_fpn.2.op.*.ag.*',
      'bacl.team-a.r50_fpn.2.op.*.bc.*',
    ]);
    expect(() => groupSubjects('a.b/c', 0)).to.throw(CollectiveOptionError, /BACL_JOB/);
    expect(() => groupSubjects('only-name', 0)).to.throw(CollectiveOptionError, /BACL_JOB/);
    expect(() => groupSubjects('a/b', -1)).to.throw(CollectiveOptionError, /BACL_ATTEMPT/);
  });
});

describe('worker/collective socket framing (pure)', function () {
  it('splits a stream into messages however the reads are cut', function () {
    const messages: [number, number[]][] = [];
    const stream: number[] = [];
    for (const [type, length] of [
      [MessageType.data, 300],
      [MessageType.grant, 4],
      [MessageType.notice, 0],
      [MessageType.data, 7],
    ] as const) {
      stream.push(
        ...messagePrefix(type, length),
        ...Array.from({ length }, (_, i) => (i * 31 + length) % 256),
      );
    }
    for (const cut of [1, 2, 5, 64, stream.length]) {
      messages.length = 0;
      const reader = new MessageReader((type, body) => messages.push([type, [...body]]));
      for (let at = 0; at < stream.length; at += cut)
        reader.push(Uint8Array.from(stream.slice(at, at + cut)));
      expect(messages.map(([type, body]) => [type, body.length])).to.deep.equal([
        [MessageType.data, 300],
        [MessageType.grant, 4],
        [MessageType.notice, 0],
        [MessageType.data, 7],
      ]);
      expect(messages[3]![1]).to.deep.equal(Array.from({ length: 7 }, (_, i) => (i * 31 + 7) % 256));
    }
  });
});
