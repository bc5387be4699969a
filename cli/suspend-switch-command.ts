import type { BaclJob } from '../common/index.js';
import { BaclCommand } from './base-command.js';
import { JobsApi } from './kube/jobs-api.js';
import { setRunPolicySwitch } from './kube/run-policy.js';
import { jobNameArg, kubeTarget, singleJobFlags } from './kube-flags.js';
import { resourceName } from './output/format.js';

/** `suspend` and `resume`: one switch (spec.runPolicy.suspend), set to `suspend`, reported with `verb`. */
export abstract class SuspendSwitchCommand extends BaclCommand {
  static override args = jobNameArg;
  static override flags = singleJobFlags;

  protected abstract readonly suspend: boolean;
  protected abstract readonly verb: string;

  async run(): Promise<BaclJob> {
    const { args, flags } = await this.parse(SuspendSwitchCommand);
    const { kubeConfig, namespace = 'default' } = kubeTarget(flags);
    const api = new JobsApi(kubeConfig);
    const { job, changed } = await setRunPolicySwitch(api, namespace, args.name, 'suspend', this.suspend);
    this.log(`${resourceName(job)} ${this.verb}${changed ? '' : ' (no change)'}`);
    return job;
  }
}
