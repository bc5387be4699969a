import { Args } from '@oclif/core';
import type { BaclJob } from '../../common/index.js';
import { BaclCommand } from '../base-command.js';
import { JobsApi } from '../kube/jobs-api.js';
import { setRunPolicySwitch } from '../kube/run-policy.js';
import { kubeFlags, kubeTarget } from '../kube-flags.js';
import { resourceName } from '../output/format.js';

export default class Resume extends BaclCommand {
  static override summary = 'Resume a suspended BaclJob from the last complete checkpoint of its stage.';
  static override description =
    "Clears spec.runPolicy.suspend. The operator creates the stage's pods again (a new attempt, not counted " +
    'as a restart) and the ranks load the latest checkpoint.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> lvis-v1-x7k2p',
    '<%= config.bin %> <%= command.id %> lvis-v1-x7k2p -n research --json',
  ];

  static override args = { name: Args.string({ required: true, description: 'the job name' }) };

  static override flags = {
    namespace: kubeFlags.namespace,
    context: kubeFlags.context,
    kubeconfig: kubeFlags.kubeconfig,
  };

  async run(): Promise<BaclJob> {
    const { args, flags } = await this.parse(Resume);
    const { kubeConfig, namespace = 'default' } = kubeTarget(flags);
    const { job, changed } = await setRunPolicySwitch(
      new JobsApi(kubeConfig),
      namespace,
      args.name,
      'suspend',
      false,
    );
    this.log(`${resourceName(job)} ${changed ? 'resumed' : 'resumed (no change)'}`);
    return job;
  }
}
