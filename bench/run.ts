// npm run bench: runs every bench/**/*.bench.ts in one process and prints what each measured. Speed goals are
// reported as ratios measured in the same run (never asserted in tests): this machine has 2 shared cores.
//
// A benchmark file default-exports a Benchmark (bench/benchmark.ts). `npm run bench -- <filter>` runs only files whose path
// contains <filter>.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Benchmark, BenchFigure } from './benchmark.js';

const benchDir = fileURLToPath(new URL('.', import.meta.url));

function findBenchFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findBenchFiles(path);
    return entry.name.endsWith('.bench.ts') ? [path] : [];
  });
}

function formatFigure(figure: BenchFigure): string {
  const ratio = figure.ratio ? `  (${figure.ratio.value.toFixed(2)}x ${figure.ratio.against})` : '';
  return `  ${figure.name.padEnd(48)} ${figure.value.toPrecision(4).padStart(12)} ${figure.unit}${ratio}`;
}

async function main(): Promise<number> {
  const filter = process.argv[2] ?? '';
  const files = findBenchFiles(benchDir)
    .filter((file) => file.includes(filter))
    .sort();
  if (files.length === 0) {
    console.log(filter ? `No benchmark matches "${filter}".` : 'No benchmarks yet (bench/**/*.bench.ts).');
    return 0;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort(new Error('interrupted')));
  let failed = 0;
  for (const file of files) {
    const { default: benchmark } = (await import(pathToFileURL(file).href)) as { default: Benchmark };
    console.log(`\n${benchmark.title} (${relative(benchDir, file)})`);
    try {
      const figures = await benchmark.run({
        signal: controller.signal,
        log: (line) => console.log(`  ${line}`),
      });
      for (const figure of figures) console.log(formatFigure(figure));
    } catch (error) {
      failed += 1;
      console.error(`  failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
