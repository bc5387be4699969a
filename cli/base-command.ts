import { Command, Errors } from '@oclif/core';
import { toCliError } from './errors.js';

/**
 * What every baclctl command shares: `--json`, and errors mapped to stable codes, exit codes and a
 * "Try this" line (as JSON under --json).
 */
export abstract class BaclCommand extends Command {
  static override enableJsonFlag = true;

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    // oclif's own parse errors (unknown flag, missing argument) already carry exit 2: keep them.
    const mapped =
      error instanceof Errors.CLIError || isOclifParseError(error) ? error : toCliError(error, this.id ?? '');
    return super.catch(mapped);
  }

  protected override toErrorJson(error: unknown): unknown {
    const cli = error instanceof Errors.CLIError ? error : toCliError(error, this.id ?? '');
    return {
      error: {
        code: cli.code ?? 'INTERNAL',
        message: cli.message,
        exit: cli.oclif.exit ?? 1,
        tryThis: cli.suggestions?.[0] ?? null,
      },
    };
  }
}

function isOclifParseError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'parse' in error && 'oclif' in error;
}
