import { Flags } from '@oclif/core';
import { jobStages, parseBaclJob } from '../../common/index.js';
import { BaclCommand } from '../base-command.js';
import { JobsApi } from '../kube/jobs-api.js';
import { listJobPods } from '../kube/related.js';
import { jobNameArg, singleJobFlags, kubeTarget } from '../kube-flags.js';
import { selectLogPods } from '../logs/select-pods.js';
import { streamPodLogs } from '../logs/stream.js';

export default class Logs extends BaclCommand {
  static override summary =
    "Print (or follow) a BaclJob's worker logs: rank 0 by default, a rank's pod, or all.";
  static override description =
    "Reads the current group (latest attempt) of the job's current stage through the API server. A pod runs " +
    'one rank per GPU, so --rank R reads the pod of node rank R / gpus-per-node; --all reads every pod of the ' +
    'group, each line prefixed with [pod/<name>/worker]. -f follows until the pods end or Ctrl-C.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> lvis-v1-x7k2p -f',
    '<%= config.bin %> <%= command.id %> lvis-v1-x7k2p --rank 9 --tail 100',
    '<%= config.bin %> <%= command.id %> lvis-v1-x7k2p --all --stage representation',
  ];

  static override args = jobNameArg;

  static override flags = {
    follow: Flags.boolean({ char: 'f', default: false, description: 'keep streaming new lines' }),
    rank: Flags.integer({
      min: 0,
      exclusive: ['all'],
      description: 'the global rank whose pod to read (default 0)',
    }),
    all: Flags.boolean({ default: false, description: 'every pod of the group, lines prefixed by pod' }),
    stage: Flags.option({
      options: jobStages,
      description: "stage to read (default: the job's current stage)",
    })(),
    tail: Flags.integer({ min: 0, description: 'only the last N lines of each pod' }),
    ...singleJobFlags,
  };

  async run(): Promise<{ pods: string[] }> {
    const { args, flags } = await this.parse(Logs);
    const { kubeConfig, namespace = 'default' } = kubeTarget(flags);
    const job = parseBaclJob(await new JobsApi(kubeConfig).get(namespace, args.name));
    const pods = selectLogPods(job, await listJobPods(kubeConfig, namespace, args.name), flags);
    const names = pods.map((pod) => pod.metadata?.name ?? '');
    await streamPodLogs(kubeConfig, names, {
      namespace,
      prefixed: flags.all,
      follow: flags.follow,
      tail: flags.tail,
      signal: this.interrupted,
      emit: (line) => this.log(line),
    });
    return { pods: names };
  }
}
