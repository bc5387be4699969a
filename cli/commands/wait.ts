import { Flags } from '@oclif/core';
import type { BaclJob } from '../../common/index.js';
import { BaclCommand } from '../base-command.js';
import { JobsApi } from '../kube/jobs-api.js';
import { jobNameArg, singleJobFlags, kubeTarget } from '../kube-flags.js';
import { resourceName } from '../output/format.js';
import { parseDuration } from '../wait/duration.js';
import { parseWaitTarget } from '../wait/target.js';
import { waitWithProgress } from '../wait/with-progress.js';

export default class Wait extends BaclCommand {
  static override summary =
    'Wait until a BaclJob meets a condition, showing its progress; exit 0 only when met.';
  static override description =
    'On a terminal, one line redrawn in place: a bar, stage, epoch, step, images/s, loss and ETA. Otherwise ' +
    '(CI, pipes) a plain line on stderr whenever it changes. Exits 1 when the job can no longer meet the ' +
    'condition (it failed while you wait for Succeeded) or when --timeout passes, 3 when the job is deleted, ' +
    'and 130 on Ctrl-C (the job goes on).';

  static override examples = [
    '<%= config.bin %> <%= command.id %> lvis-v1-x7k2p --for=Succeeded',
    '<%= config.bin %> <%= command.id %> lvis-v1-x7k2p --for=condition=Running --timeout=10m',
    '<%= config.bin %> <%= command.id %> lvis-v1-x7k2p --for=Succeeded --timeout=24h && baclctl describe lvis-v1-x7k2p',
  ];

  static override args = jobNameArg;

  static override flags = {
    for: Flags.string({
      required: true,
      description:
        'Succeeded, Failed, or condition=TYPE[=True|False] (TYPE: Created, Running, Restarting, ...)',
    }),
    timeout: Flags.string({
      default: '0',
      description: 'give up after this long (90s, 30m, 2h); 0 waits forever',
    }),
    ...singleJobFlags,
  };

  async run(): Promise<BaclJob> {
    const { args, flags } = await this.parse(Wait);
    const target = parseWaitTarget(flags.for);
    const timeoutMs = parseDuration(flags.timeout, '--timeout');
    const { kubeConfig, namespace = 'default' } = kubeTarget(flags);
    const job = await waitWithProgress(kubeConfig, new JobsApi(kubeConfig), {
      namespace,
      name: args.name,
      target,
      timeoutMs,
      signal: this.interrupted,
    });
    this.log(`${resourceName(job)} condition met: ${target.text}`);
    return job;
  }
}
