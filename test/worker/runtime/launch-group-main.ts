// A pod's launcher wired as bacl-worker's (worker/main.ts: launch), for the death-notice tests: `node --import
// tsx launch-group-main.ts` reads WORLD_SIZE, LOCAL_WORLD_SIZE, NODE_RANK and, for the death notice, NATS_URL,
// NATS_CREDS, BACL_JOB and BACL_ATTEMPT, forks the collectives test rank (rank-main.ts, RANK_PLAN from the
// environment) per local rank, and exits with the launcher's exit code. Its own lines go to stderr as
// `launcher: ...`.
import { fileURLToPath } from 'node:url';
import {
  DeathAnnouncer,
  forwardProcessSignals,
  launchRanks,
  readLauncherGroupEnv,
  readPodEnv,
} from '../../../worker/internal.js';

const rankMain = fileURLToPath(new URL('../collective/rank-main.ts', import.meta.url));
const pod = readPodEnv(process.env);
const natsGroup = readLauncherGroupEnv(process.env);
const announcer = natsGroup
  ? DeathAnnouncer.start({
      group: natsGroup,
      pod,
      log: (line) => process.stderr.write(`launcher: ${line}\n`),
    })
  : undefined;
const group = launchRanks({
  command: process.execPath,
  args: ['--import', 'tsx', rankMain],
  env: process.env,
  pod,
  io: { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
  ...(announcer ? { onRankFailure: (exit) => announcer.announce(exit) } : {}),
});
forwardProcessSignals(group);
const { exitCode } = await group.done;
await announcer?.close();
process.exitCode = exitCode;
