import { Args, Flags } from '@oclif/core';
import type { BaclJob } from '../../common/index.js';
import { BaclCommand } from '../base-command.js';
import { cliError } from '../errors.js';
import { printWatch } from '../get/watch-printer.js';
import { JobsApi } from '../kube/jobs-api.js';
import { followJobs } from '../kube/watch-jobs.js';
import { kubeFlags, kubeTarget } from '../kube-flags.js';
import { outputFlag } from '../output/flag.js';
import { formatJobs } from '../output/format.js';

export default class Get extends BaclCommand {
  static override summary = 'List BaclJobs (or show one) as kubectl get bacljobs does.';
  static override description =
    'Columns: STAGE, STATE, WORKERS (ready/desired), PROGRESS (of the current stage), AP, APR (rare ' +
    'categories), AGE; -o wide adds RESTARTS and LOSS. -w prints a row each time a job changes, until Ctrl-C.';

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> -A -o wide',
    '<%= config.bin %> <%= command.id %> lvis-v1-x7k2p -w',
    '<%= config.bin %> <%= command.id %> lvis-v1-x7k2p -o yaml',
  ];

  static override args = {
    name: Args.string({ description: 'a job name; all jobs of the namespace without it' }),
  };

  static override flags = {
    ...kubeFlags,
    output: outputFlag(),
    watch: Flags.boolean({ char: 'w', default: false, description: 'after listing, print a row per change' }),
  };

  async run(): Promise<BaclJob[]> {
    const { args, flags } = await this.parse(Get);
    const { kubeConfig, namespace } = kubeTarget(flags);
    const api = new JobsApi(kubeConfig);
    const options = { format: flags.output, allNamespaces: namespace === undefined };
    if (args.name !== undefined && namespace === undefined) {
      throw cliError('a job name needs one namespace, not -A', {
        code: 'USAGE',
        tryThis: `${this.config.bin} get ${args.name} -n NAMESPACE`,
      });
    }
    if (flags.watch) {
      if (args.name !== undefined) await api.get(namespace ?? 'default', args.name); // 404 before watching
      const events = followJobs(kubeConfig, api, { namespace, name: args.name, signal: this.interrupted });
      await printWatch(events, { ...options, now: () => new Date() }, (text) => this.log(text));
      return [];
    }
    const jobs =
      args.name !== undefined
        ? [await api.get(namespace ?? 'default', args.name)]
        : (await api.list(namespace)).items;
    if (jobs.length === 0 && options.format !== 'json' && options.format !== 'yaml') {
      this.logToStderr(
        namespace === undefined ? 'No resources found' : `No resources found in ${namespace} namespace.`,
      );
      return jobs;
    }
    this.log(formatJobs(jobs, { ...options, now: new Date() }, args.name !== undefined));
    return jobs;
  }
}
