// The rank program `baclctl run` forks (worker/runtime/launcher.ts): bacl-worker's main in a process of its own,
// from the build (dist/worker/entry.js) or from the sources under tsx. bin/bacl-worker.js is the same for users.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
