import { Command, Errors } from '@oclif/core';
import { ExitCode } from '../common/index.js';
import { toCliError } from './errors.js';

/**
 * What every baclctl command shares: `--json`, and errors mapped to stable codes, exit codes and a
 * "Try this" line (as JSON under --json).
 */
export abstract class BaclCommand extends Command {
  static override enableJsonFlag = true;

  private interruption: AbortController | undefined;
  private readonly onSignal = (signal: NodeJS.Signals) => this.interruption?.abort(signal);

  /**
   * Aborted by Ctrl-C (SIGINT) or SIGTERM. Long-running commands (wait, get -w, logs -f) pass it down, so a
   * signal ends their watches and streams and the command returns normally instead of dying mid-write. The
   * handlers are installed on first use only: a command that never asks keeps Node's default, where Ctrl-C
   * ends the process at once (a handler nobody listens to would swallow it).
   */
  protected get interrupted(): AbortSignal {
    if (!this.interruption) {
      this.interruption = new AbortController();
      process.once('SIGINT', this.onSignal);
      process.once('SIGTERM', this.onSignal);
    }
    return this.interruption.signal;
  }

  protected override async finally(error: Error | undefined): Promise<unknown> {
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
    return super.finally(error);
  }

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
        exit: cli.oclif.exit ?? ExitCode.failure,
        tryThis: cli.suggestions?.[0] ?? null,
      },
    };
  }
}

function isOclifParseError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'parse' in error && 'oclif' in error;
}
