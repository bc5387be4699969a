import { Errors } from '@oclif/core';
import { explainDataError } from '../data/index.js';

/**
 * Runs a data tool (`data synth`, `data prepare`) and words its failure for the user: an interruption (the
 * command's `interrupted` signal) exits 130, a known data error gets the code, exit code and hint the data
 * tools give it (`explainDataError`), anything else goes on to the command's general error mapping.
 */
export async function runDataTask<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (signal.aborted) {
      throw new Errors.CLIError('interrupted; nothing was left behind', { code: 'INTERRUPTED', exit: 130 });
    }
    const advice = explainDataError(error);
    if (advice === undefined || !(error instanceof Error)) throw error;
    throw new Errors.CLIError(error.message, {
      code: advice.code,
      exit: advice.exit,
      suggestions: [advice.tryThis],
    });
  }
}
