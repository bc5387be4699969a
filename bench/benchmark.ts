// The contract between bench/run.ts and each bench/**/*.bench.ts file.

/** One measured figure; `ratio` compares it with a baseline measured in the same run. */
export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  ratio?: { value: number; against: string };
}

export interface Benchmark {
  title: string;
  run(context: { signal: AbortSignal; log: (line: string) => void }): Promise<BenchFigure[]>;
}
