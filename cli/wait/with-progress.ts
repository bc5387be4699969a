import type { KubeConfig } from '@kubernetes/client-node';
import type { BaclJob } from '../../common/index.js';
import type { JobsApi } from '../kube/jobs-api.js';
import { ProgressView, type ProgressSink } from './progress-view.js';
import { waitForJob, type WaitOptions } from './wait-for.js';

/**
 * waitForJob with the progress view drawn on `sink` (stderr: stdout stays for the result, so
 * `baclctl wait ... -o name | xargs` and the like keep working). The view's line is ended however the wait ends.
 */
export async function waitWithProgress(
  kubeConfig: KubeConfig,
  api: JobsApi,
  options: Omit<WaitOptions, 'onJob'>,
  sink: ProgressSink = process.stderr,
): Promise<BaclJob> {
  const view = new ProgressView(sink, options.name);
  try {
    return await waitForJob(kubeConfig, api, { ...options, onJob: (job) => view.update(job) });
  } finally {
    view.finish();
  }
}
