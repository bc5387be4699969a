// The one error for a wrong rank environment: every missing or bad variable at once, each with what it should
// be, so one failed pod start shows everything to fix (ADR 0026). Exit status: usage (common/exit-codes.ts).
import { ExitCode } from '../../common/index.js';

/** One variable that is missing or wrong. */
export interface RankEnvProblem {
  /** The variable's name, e.g. `RANK`. */
  variable: string;
  /** Its value as found; undefined when it is not set. */
  value: string | undefined;
  /** What it should be, e.g. `a whole number below WORLD_SIZE (4)`. */
  expected: string;
}

export class RankEnvError extends Error {
  override readonly name = 'RankEnvError';
  readonly exitCode = ExitCode.usage;
  readonly problems: readonly RankEnvProblem[];

  constructor(problems: readonly RankEnvProblem[]) {
    const lines = problems.map(({ variable, value, expected }) => {
      const found = value === undefined ? ' is not set' : `=${JSON.stringify(value)}`;
      return `  ${variable}${found}: should be ${expected}`;
    });
    const count = problems.length === 1 ? '1 variable' : `${problems.length} variables`;
    super(
      `the rank environment is wrong (${count}):\n${lines.join('\n')}\n` +
        'Try this: start ranks through the operator, `baclctl run` or the launcher, which set these ' +
        '(shared/design.md, "Rank environment contract")',
    );
    this.problems = problems;
  }
}
