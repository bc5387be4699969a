import { Flags } from '@oclif/core';
import { BaclCommand } from '../base-command.js';
import { JobsApi } from '../kube/jobs-api.js';
import { setRunPolicySwitch } from '../kube/run-policy.js';
import { jobNameArg, singleJobFlags, kubeTarget } from '../kube-flags.js';

export default class Delete extends BaclCommand {
  static override summary =
    'Delete a BaclJob; its pods go with it, its S3 run data only with --purge-checkpoints.';
  static override description =
    "The operator's finalizer deletes the job's pods, ConfigMap and Service, then lets the object go. " +
    'Checkpoints, detections and metrics under <s3>/runs/<namespace>/<job>/<uid>/ stay unless ' +
    '--purge-checkpoints, which sets spec.runPolicy.deleteRunDataOnDelete first so the finalizer deletes them too.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> lvis-v1-x7k2p',
    '<%= config.bin %> <%= command.id %> lvis-v1-x7k2p --purge-checkpoints -n research',
  ];

  static override args = jobNameArg;

  static override flags = {
    'purge-checkpoints': Flags.boolean({
      default: false,
      description: "also delete the job's S3 run data (checkpoints, detections, metrics)",
    }),
    ...singleJobFlags,
  };

  async run(): Promise<{ name: string; namespace: string; purgeCheckpoints: boolean }> {
    const { args, flags } = await this.parse(Delete);
    const { kubeConfig, namespace = 'default' } = kubeTarget(flags);
    const api = new JobsApi(kubeConfig);
    // Set before the delete: once deletionTimestamp is set the finalizer may run at any moment.
    if (flags['purge-checkpoints'])
      await setRunPolicySwitch(api, namespace, args.name, 'deleteRunDataOnDelete', true);
    await api.delete(namespace, args.name);
    this.log(
      `bacljob.bacl.dev "${args.name}" deleted${flags['purge-checkpoints'] ? ' (with its S3 run data)' : ''}`,
    );
    return { name: args.name, namespace, purgeCheckpoints: flags['purge-checkpoints'] };
  }
}
