// `npm run reliability`: runs the reliability suite (test/e2e/) with a fresh entry directory, then renders what
// it recorded into docs/reliability.md. Extra arguments go to mocha (e.g. --grep to rerun one fault; the
// report then holds only that run's entries, so commit a report from a full run).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../../common/index.js';
import { readReliability } from './entries.js';
import { renderReliability } from './render.js';

const root = packageRoot();
const dir = mkdtempSync(join(tmpdir(), 'bacl-reliability-'));
const command = 'npm run reliability';
const machine = `${cpus().length} x ${cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(
  totalmem() / 2 ** 30,
)} GiB, load average ${loadavg()[0]?.toFixed(1)} at the start`;
const git = (args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout.trim();

const mocha = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'), 'test/e2e/**/*.test.ts', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: { ...process.env, BACL_RELIABILITY_DIR: dir } },
);
const entries = readReliability(dir);
const commit = `${git(['rev-parse', '--short', 'HEAD'])}${git(['status', '--porcelain']) ? '+dirty' : ''}`;
const out = join(root, 'docs', 'reliability.md');
writeFileSync(
  out,
  renderReliability(entries, { commit, date: new Date().toISOString().slice(0, 10), machine, command }),
);
console.log(`${out}: ${entries.length} entries from ${dir}`);
process.exit(mocha.status ?? 1);
