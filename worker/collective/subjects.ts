// NATS subjects of one group (design.md): everything under bacl.<ns>.<job>.<attempt>, inside the job's root (the
// only subjects its minted NATS user may use, ADR 0038), so a restarted group (attempt + 1) never reads a dead
// group's messages, and data subjects carry the operation number:
//   .rdzv  joins          .ctl  aborts          .hb  heartbeats          .credit.<rank>  grants to <rank>
//   .op.<op>.rs.<owner>   contributions to a shard's owner
//   .op.<op>.ag.<owner>   an owner's reduced chunks      .op.<op>.bc.<src>  broadcast / allGather bytes
import { jobInboxPrefix, jobSubjectRoot } from '../../common/index.js';
import { CollectiveOptionError } from './errors.js';
import type { Route } from './transport.js';

const TOKEN = /^[A-Za-z0-9_-]+$/;

export interface GroupSubjects {
  base: string;
  /** The connection's inbox prefix (nats.js inboxPrefix): the job's, so replies stay inside its root. */
  inbox: string;
  rdzv: string;
  ctl: string;
  hb: string;
  credit(rank: number): string;
  data(route: Route, op: number, rank: number): string;
  /** What rank `rank` subscribes to for data: its reduce-scatter inbox and everyone's fan-out. */
  dataSubscriptions(rank: number): string[];
}

/**
 * Subjects for job `namespace/name`, attempt `attempt`; names must be single NATS tokens (no dots). `channel`
 * separates several groups of one attempt (hierarchical mode: one cross-node group per local rank, `l<i>`).
 */
export function groupSubjects(job: string, attempt: number, channel?: string): GroupSubjects {
  const [namespace, name, extra] = job.split('/');
  if (!namespace || !name || extra !== undefined || !TOKEN.test(namespace) || !TOKEN.test(name)) {
    throw new CollectiveOptionError(
      'BACL_JOB',
      job,
      'must be <namespace>/<name> of letters, digits, - and _ (no dots: each part is one NATS subject token)',
    );
  }
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new CollectiveOptionError('BACL_ATTEMPT', attempt, 'must be a non-negative integer');
  }
  if (channel !== undefined && !TOKEN.test(channel)) {
    throw new CollectiveOptionError('channel', channel, 'must be one NATS subject token');
  }
  const base = `${jobSubjectRoot(namespace, name)}.${attempt}${channel === undefined ? '' : `.${channel}`}`;
  return {
    base,
    inbox: jobInboxPrefix(namespace, name),
    rdzv: `${base}.rdzv`,
    ctl: `${base}.ctl`,
    hb: `${base}.hb`,
    credit: (rank) => `${base}.credit.${rank}`,
    data: (route, op, rank) => `${base}.op.${op}.${route}.${rank}`,
    dataSubscriptions: (rank) => [`${base}.op.*.rs.${rank}`, `${base}.op.*.ag.*`, `${base}.op.*.bc.*`],
  };
}
