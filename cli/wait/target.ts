import { jobConditionTypes, type BaclJob, type ConditionType } from '../../common/index.js';
import { cliError } from '../errors.js';

// What `wait --for` accepts, kubectl-style: `Succeeded`, `Failed` (the terminal conditions, by name), or
// `condition=<Type>[=<True|False>]` for any condition of the job.

export interface WaitTarget {
  type: ConditionType;
  status: 'True' | 'False';
  /** As the user wrote it, for messages. */
  text: string;
}

export function parseWaitTarget(text: string): WaitTarget {
  const match = /^(?:condition=)?([A-Za-z]+)(?:=(True|False|true|false))?$/.exec(text);
  const type = jobConditionTypes.find((known) => known.toLowerCase() === match?.[1]?.toLowerCase());
  if (!match || !type || (match[2] !== undefined && !text.startsWith('condition='))) {
    throw cliError(`--for=${text} is not a condition a BaclJob has`, {
      code: 'USAGE',
      tryThis: `--for=Succeeded, --for=Failed or --for=condition=TYPE[=False] with TYPE one of ${jobConditionTypes.join(', ')}`,
    });
  }
  const status = match[2]?.toLowerCase() === 'false' ? 'False' : 'True';
  return { type, status, text };
}

export type WaitVerdict =
  | { kind: 'met' }
  | { kind: 'pending' }
  /** The job finished in a way that can never meet the target (waiting for Succeeded on a Failed job). */
  | { kind: 'impossible'; reason: string };

export function judge(job: BaclJob, target: WaitTarget): WaitVerdict {
  const conditions = job.status?.conditions ?? [];
  const condition = conditions.find((candidate) => candidate.type === target.type);
  if (condition?.status === target.status) return { kind: 'met' };
  // A terminal job changes no condition again (docs/adr/0005-reconcile-core.md), so waiting longer is futile.
  const terminal = conditions.find(
    (candidate) =>
      (candidate.type === 'Succeeded' || candidate.type === 'Failed') && candidate.status === 'True',
  );
  if (terminal) {
    return {
      kind: 'impossible',
      reason: `the job ${terminal.type === 'Failed' ? 'failed' : 'succeeded'} (${terminal.reason}: ${terminal.message})`,
    };
  }
  return { kind: 'pending' };
}
