import type { BaclJob } from '../../common/index.js';
import type { JobsApi } from './jobs-api.js';

/** The run-policy switches the CLI flips; both are mutable once the job exists (docs/adr/0004-bacljob-api.md). */
export type RunPolicySwitch = 'suspend' | 'deleteRunDataOnDelete';

/**
 * Sets one `spec.runPolicy` switch with a JSON patch. The `test` operation makes the patch apply only to the
 * job as read, so a concurrent change is reported (409/422) instead of silently overwritten. Returns the job
 * and whether anything changed (kubectl's "(no change)").
 */
export async function setRunPolicySwitch(
  api: JobsApi,
  namespace: string,
  name: string,
  field: RunPolicySwitch,
  value: boolean,
): Promise<{ job: BaclJob; changed: boolean }> {
  const current = await api.get(namespace, name);
  if (current.spec.runPolicy[field] === value) return { job: current, changed: false };
  const job = await api.patch(namespace, name, [
    { op: 'test', path: '/metadata/resourceVersion', value: current.metadata.resourceVersion },
    // runPolicy always exists on a stored job: the CRD defaults it ({} filled with its field defaults).
    { op: 'add', path: `/spec/runPolicy/${field}`, value },
  ]);
  return { job, changed: true };
}
