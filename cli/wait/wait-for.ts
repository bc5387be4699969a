import type { KubeConfig } from '@kubernetes/client-node';
import type { BaclJob } from '../../common/index.js';
import { cliError } from '../errors.js';
import type { JobsApi } from '../kube/jobs-api.js';
import { followJobs } from '../kube/watch-jobs.js';
import { judge, type WaitTarget } from './target.js';

export interface WaitOptions {
  namespace: string;
  name: string;
  target: WaitTarget;
  /** Milliseconds; 0 waits without limit. */
  timeoutMs: number;
  /** Ctrl-C. */
  signal: AbortSignal;
  /** Called with every version of the job seen, the first one included (the progress view). */
  onJob?: (job: BaclJob) => void;
}

/**
 * Watches one job until `target` holds and returns it. Throws a CLI error when the job can no longer meet it
 * (JOB_FAILED), disappears (NOT_FOUND), the timeout passes (TIMEOUT) or the user interrupts (INTERRUPTED);
 * every one exits non-zero, so `wait && next-step` only goes on when the condition was met.
 */
export async function waitForJob(
  kubeConfig: KubeConfig,
  api: JobsApi,
  options: WaitOptions,
): Promise<BaclJob> {
  const { namespace, name, target } = options;
  await api.get(namespace, name); // a missing job is a 404 now, not a silent wait
  const timeout = options.timeoutMs > 0 ? AbortSignal.timeout(options.timeoutMs) : undefined;
  const signal = timeout ? AbortSignal.any([options.signal, timeout]) : options.signal;
  for await (const event of followJobs(kubeConfig, api, { namespace, name, signal })) {
    if (event.type === 'SYNCED') continue;
    if (event.type === 'DELETED') {
      throw cliError(`bacljob ${namespace}/${name} was deleted while waiting for ${target.text}`, {
        code: 'NOT_FOUND',
        tryThis: 'baclctl get -n ' + namespace + ' lists the jobs that remain',
      });
    }
    options.onJob?.(event.job);
    const verdict = judge(event.job, target);
    if (verdict.kind === 'met') return event.job;
    if (verdict.kind === 'impossible') {
      throw cliError(`bacljob ${namespace}/${name} will never be ${target.text}: ${verdict.reason}`, {
        code: 'JOB_FAILED',
        tryThis: `baclctl describe ${name} -n ${namespace} and baclctl logs ${name} -n ${namespace} show why`,
      });
    }
  }
  if (timeout?.aborted) {
    throw cliError(
      `timed out after ${options.timeoutMs / 1000}s waiting for ${target.text} on bacljob ${namespace}/${name}`,
      {
        code: 'TIMEOUT',
        tryThis: 'wait again with a longer --timeout (0 waits without limit)',
      },
    );
  }
  throw cliError(`interrupted while waiting for ${target.text} on bacljob ${namespace}/${name}`, {
    code: 'INTERRUPTED',
    tryThis: `the job goes on running; baclctl wait ${name} -n ${namespace} --for=${target.text} waits again`,
  });
}
