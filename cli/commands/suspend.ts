import { Args } from '@oclif/core';
import type { BaclJob } from '../../common/index.js';
import { BaclCommand } from '../base-command.js';
import { JobsApi } from '../kube/jobs-api.js';
import { setRunPolicySwitch } from '../kube/run-policy.js';
import { kubeFlags, kubeTarget } from '../kube-flags.js';
import { resourceName } from '../output/format.js';

export default class Suspend extends BaclCommand {
  static override summary =
    'Suspend a BaclJob: its worker pods are deleted, the deadline clock stops; resume continues from the checkpoint.';
  static override description =
    'Sets spec.runPolicy.suspend. The operator deletes the worker pods (the GPUs are free again) and keeps the job; `resume` starts the stage again from its last complete checkpoint.';

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
    const { args, flags } = await this.parse(Suspend);
    const { kubeConfig, namespace = 'default' } = kubeTarget(flags);
    const { job, changed } = await setRunPolicySwitch(
      new JobsApi(kubeConfig),
      namespace,
      args.name,
      'suspend',
      true,
    );
    this.log(`${resourceName(job)} ${changed ? 'suspended' : 'suspended (no change)'}`);
    return job;
  }
}
