// What a pod's launcher tells its group when one of its rank processes dies abnormally (pure; ADR 0042). A rank
// killed by a signal (SIGKILL from the kernel's OOM killer, a segfault) says nothing to its peers: without this
// notice they learn it only at the collective's heartbeat timeout (10 s, nats-collective.ts), blocked in an
// all-reduce and deaf to SIGTERM meanwhile. The launcher, its parent, sees the death at once with its signal or
// exit code, and publishes an AbortNotice on the group's control subject, as if from the dead rank: the
// survivors fail their collective at once with CollectiveAbortedError("... aborted by rank 1: rank 1's process
// was killed by SIGKILL (seen by its launcher on node rank 1)"). A rank that announced its own failure first is
// unaffected: the engine keeps the first failure it hears of (engine.ts: fail).
import type { AbortNotice } from '../collective/transport.js';
import { groupSubjects } from '../collective/subjects.js';
import { exitStatus, type RankExit } from './launcher.js';
import type { LauncherGroupEnv, PodEnv } from './rank-env.js';

/** One message to publish: the notice, as JSON, on `subject`. */
export interface DeathNotice {
  subject: string;
  notice: AbortNotice;
}

/** Why the group is aborted, e.g. `rank 1's process was killed by SIGKILL (seen by its launcher on node rank 1)`. */
export function rankDeathReason(exit: RankExit, nodeRank: number): string {
  const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? '?'}`;
  return `rank ${exit.rank}'s process ${how} (seen by its launcher on node rank ${nodeRank})`;
}

/**
 * The notices for rank `exit.rank`'s death; none for a clean exit (status 0). The flat group's control subject
 * gets one from the dead rank's global rank; with several ranks per pod, so does cross-node group `l<local rank>`
 * of the hierarchical mode (hierarchical.ts), whose ranks are node ranks: the launcher cannot tell which mode
 * the config picked, and a notice on a subject nobody subscribes to costs nothing.
 */
export function rankDeathNotices(
  exit: RankExit,
  pod: PodEnv,
  group: Pick<LauncherGroupEnv, 'job' | 'attempt'>,
): DeathNotice[] {
  if (exitStatus(exit) === 0) return [];
  const reason = rankDeathReason(exit, pod.nodeRank);
  const notices: DeathNotice[] = [
    {
      subject: groupSubjects(group.job, group.attempt).ctl,
      notice: { from: exit.rank, kind: 'abort', reason },
    },
  ];
  if (pod.localWorldSize > 1) {
    const localRank = exit.rank - pod.nodeRank * pod.localWorldSize;
    notices.push({
      subject: groupSubjects(group.job, group.attempt, `l${localRank}`).ctl,
      notice: { from: pod.nodeRank, kind: 'abort', reason },
    });
  }
  return notices;
}
