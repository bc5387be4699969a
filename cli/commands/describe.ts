import { parseBaclJob } from '../../common/index.js';
import { BaclCommand } from '../base-command.js';
import { renderDescription, type Described } from '../describe/render.js';
import { JobsApi } from '../kube/jobs-api.js';
import { listJobEvents, listJobPods } from '../kube/related.js';
import { jobNameArg, singleJobFlags, kubeTarget } from '../kube-flags.js';

export default class Describe extends BaclCommand {
  static override summary =
    'Show one BaclJob in full: spec, conditions, workers, progress, checkpoint, AP, events.';
  static override description =
    'Like kubectl describe: the spec in short (config, image, dataset, world size, policies), the state with ' +
    'its conditions, the current progress and last checkpoint, LVIS AP with the rare/common/frequent groups ' +
    'once evaluated, the worker pods and the events the operator recorded.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> lvis-v1-x7k2p',
    '<%= config.bin %> <%= command.id %> lvis-v1-x7k2p -n research --json',
  ];

  static override args = jobNameArg;

  static override flags = {
    ...singleJobFlags,
  };

  async run(): Promise<Described> {
    const { args, flags } = await this.parse(Describe);
    const { kubeConfig, namespace = 'default' } = kubeTarget(flags);
    // Parsed with the API schema: defaults filled in, and a malformed object is an error rather than a crash.
    const job = parseBaclJob(await new JobsApi(kubeConfig).get(namespace, args.name));
    const [pods, events] = await Promise.all([
      listJobPods(kubeConfig, namespace, args.name),
      listJobEvents(kubeConfig, namespace, args.name),
    ]);
    const described = { job, pods, events };
    this.log(renderDescription(described, new Date()));
    return described;
  }
}
