// How to start a rank process of this very build: `node [--import tsx] <worker/entry.{js,ts}>`. The built
// package runs dist/worker/entry.js; the sources (tests, `npm run dev`) run worker/entry.ts under tsx, so a
// `baclctl run` from either starts ranks of the same code as itself.
import { fileURLToPath } from 'node:url';

export interface ProgramCommand {
  command: string;
  args: string[];
}

export function workerEntryCommand(): ProgramCommand {
  const here = fileURLToPath(import.meta.url);
  const fromSources = here.endsWith('.ts');
  const entry = fileURLToPath(new URL(fromSources ? './entry.ts' : './entry.js', import.meta.url));
  const loader = process.execArgv.some((arg) => /^--(import|loader)(=|$)/.test(arg) && arg.includes('tsx'));
  const tsxArgs = fromSources && !loader && !process.execArgv.includes('tsx') ? ['--import', 'tsx'] : [];
  return { command: process.execPath, args: [...process.execArgv, ...tsxArgs, entry] };
}
