// A rank that uses the launcher link (run with --import tsx by the launcher tests): `report` sends one progress
// report through launcherSink and exits; `orphan` waits, and when its launcher is gone writes
// `$MARK_DIR/gone-<rank>` and exits.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launcherSink, watchLauncher } from '../../../worker/internal.js';

const rank = Number(process.env.RANK);
console.log('ready');
if (process.argv[2] === 'report') {
  launcherSink()?.send({ kind: 'progress', stage: 'representation', step: rank, totalSteps: 10 });
} else {
  const keepAlive = setInterval(() => undefined, 1000);
  watchLauncher(() => {
    writeFileSync(join(process.env.MARK_DIR ?? '.', `gone-${rank}`), String(process.pid));
    clearInterval(keepAlive);
  });
}
