// A launcher process for the signal tests: `node --import tsx launch-main.ts <mode> ...` forks the pod's ranks
// (LOCAL_WORLD_SIZE, NODE_RANK, WORLD_SIZE from its environment) running RANK_SCRIPT in <mode> (or, for
// `--link <mode>`, link-rank.ts), forwards SIGTERM and SIGINT to them, and exits with the launcher's exit code.
import { fileURLToPath } from 'node:url';
import { forwardProcessSignals, launchRanks, readPodEnv } from '../../../worker/internal.js';
import { RANK_SCRIPT } from './rank-script.js';

const [first, ...rest] = process.argv.slice(2);
const linkRank = fileURLToPath(new URL('./link-rank.ts', import.meta.url));
const group = launchRanks({
  command: process.execPath,
  args:
    first === '--link' ? ['--import', 'tsx', linkRank, ...rest] : ['-e', RANK_SCRIPT, first ?? '', ...rest],
  env: process.env,
  pod: readPodEnv(process.env),
  io: { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
  failureGraceMs: 5000,
  killGraceMs: 5000,
});
forwardProcessSignals(group);
process.exitCode = (await group.done).exitCode;
