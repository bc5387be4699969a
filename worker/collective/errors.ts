// The collectives' error catalogue. Every failure of a collective is one of these classes, so the trainer
// branches on the class (restart the group from the last checkpoint, or fix the config) and never on text.
// A failed collective poisons its group: every later call on it throws the same error, because the ranks can
// no longer agree on what was summed (NCCL's communicator abort has the same rule).

/** The collective calls, as named in errors. */
export type CollectiveName = 'rendezvous' | 'barrier' | 'broadcast' | 'allReduceSum' | 'allGather';

/** Where a collective failed: the local rank, the operation number (one per call, the same on every rank). */
export interface CollectiveSite {
  /** The rank that raised the error. */
  rank: number;
  /** The operation number: 0 for the first collective call after rendezvous, then 1, 2, ... (-1 before). */
  op: number;
  collective: CollectiveName;
  /** The trainer's step, when the caller passed one (CollectiveCallOptions.step). */
  step?: number;
}

const RESTART = 'restart the group from its last checkpoint (a new attempt)';

function where(site: CollectiveSite): string {
  const step = site.step === undefined ? '' : `step ${site.step}, `;
  return `rank ${site.rank} ${site.collective} (${step}op ${site.op})`;
}

/** The base class: every collective failure carries the site it happened at. */
export class CollectiveError extends Error {
  override readonly name: string = 'CollectiveError';
  readonly rank: number;
  readonly op: number;
  readonly collective: CollectiveName;
  readonly step: number | undefined;

  constructor(site: CollectiveSite, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.rank = site.rank;
    this.op = site.op;
    this.collective = site.collective;
    this.step = site.step;
  }
}

/** A peer died, stalled past the heartbeat timeout, or lost its connection (reported by itself or a third rank). */
export class PeerLostError extends CollectiveError {
  override readonly name: string = 'PeerLostError';
  /** The rank that was lost. */
  readonly peer: number;
  /** The rank that noticed first (the lost rank itself when its own connection dropped). */
  readonly reportedBy: number;
  /** What was noticed, e.g. `no heartbeat for 10034 ms`. */
  readonly reason: string;

  constructor(site: CollectiveSite, peer: number, reportedBy: number, reason: string) {
    super(site, `${where(site)}: lost peer rank ${peer} (${reason}, seen by rank ${reportedBy}); ${RESTART}`);
    this.peer = peer;
    this.reportedBy = reportedBy;
    this.reason = reason;
  }
}

/** The operation's deadline passed with chunks still missing; `missing` says which. */
export class CollectiveTimeoutError extends CollectiveError {
  override readonly name: string = 'CollectiveTimeoutError';
  readonly timeoutMs: number;
  /** What had not arrived, e.g. `reduce-scatter chunks from ranks 1, 3; all-gather chunks from owners 2`. */
  readonly missing: string;

  constructor(site: CollectiveSite, timeoutMs: number, missing: string) {
    super(
      site,
      `${where(site)}: no completion within ${timeoutMs} ms; still missing ${missing}; a peer is stalled or ` +
        `its messages were lost; ${RESTART}`,
    );
    this.timeoutMs = timeoutMs;
    this.missing = missing;
  }
}

/** The group was aborted: by this rank's AbortSignal, or by a rank that published an abort on the control subject. */
export class CollectiveAbortedError extends CollectiveError {
  override readonly name: string = 'CollectiveAbortedError';
  /** The rank that aborted. */
  readonly abortedBy: number;
  readonly reason: string;

  constructor(site: CollectiveSite, abortedBy: number, reason: string, options?: { cause?: unknown }) {
    super(site, `${where(site)}: aborted by rank ${abortedBy}: ${reason}`, options);
    this.abortedBy = abortedBy;
    this.reason = reason;
  }
}

/** This rank's own link to the other ranks broke (NATS disconnect, socket closed): messages may be lost. */
export class TransportLostError extends CollectiveError {
  override readonly name: string = 'TransportLostError';

  constructor(site: CollectiveSite, detail: string, options?: { cause?: unknown }) {
    super(site, `${where(site)}: transport lost (${detail}); messages may be lost; ${RESTART}`, options);
  }
}

/**
 * The ranks disagree: a different world size or config digest at rendezvous, two processes claiming one rank,
 * or ranks calling different collectives (or different lengths) at the same operation number.
 */
export class CollectiveMismatchError extends CollectiveError {
  override readonly name: string = 'CollectiveMismatchError';
  /** The rank whose message disagreed with this rank. */
  readonly peer: number;
  /** What disagreed, e.g. `worldSize` or `configDigest`. */
  readonly field: string;

  constructor(site: CollectiveSite, peer: number, field: string, detail: string) {
    super(
      site,
      `${where(site)}: rank ${peer} disagrees on ${field}: ${detail}; every rank must run the same config`,
    );
    this.peer = peer;
    this.field = field;
  }
}

/** A caller passed an invalid argument or option (bad rank, root, world size, subject token). */
export class CollectiveOptionError extends Error {
  override readonly name: string = 'CollectiveOptionError';
  readonly option: string;
  readonly value: unknown;

  constructor(option: string, value: unknown, requirement: string) {
    super(`${option} = ${JSON.stringify(value)} is invalid: ${requirement}`);
    this.option = option;
    this.value = value;
  }
}

/** A received frame is malformed (bad magic, version or length): a foreign publisher or a bug. */
export class FrameError extends Error {
  override readonly name: string = 'FrameError';
}
