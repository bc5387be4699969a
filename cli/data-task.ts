import { dataCliError } from './data-errors.js';
import { cliError } from './errors.js';

/**
 * Runs a data tool (`data synth`, `data prepare`) and words its failure for the user: an interruption (the
 * command's `interrupted` signal) is INTERRUPTED (exit 130, like `wait`), a data tool's error gets its code and
 * hint (`dataCliError`), anything else goes on to the command's general error mapping (LVIS files, bugs).
 */
export async function runDataTask<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (signal.aborted) {
      throw cliError('interrupted; nothing was left behind', {
        code: 'INTERRUPTED',
        tryThis: 'run the same command again: it starts afresh',
      });
    }
    throw dataCliError(error) ?? error;
  }
}
