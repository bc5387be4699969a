import { join } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { stringify } from 'yaml';
import {
  maxS3RequestTimeoutSeconds,
  maxTerminationGracePeriodSeconds,
  packageRoot,
  resolveConfig,
  type BaclJob,
} from '../../common/index.js';
import { BaclCommand } from '../base-command.js';
import { JobsApi } from '../kube/jobs-api.js';
import { singleJobFlags, kubeTarget } from '../kube-flags.js';
import { resourceName } from '../output/format.js';
import { buildJob, type BaclJobManifest } from '../submit/build-job.js';
import { submitConfigSchema } from '../submit/config-schema.js';
import { defaultImage, defaultNatsUrl, defaultS3Secret, defaultS3Uri } from '../submit/defaults.js';
import { generateJobName } from '../submit/job-name.js';
import { nextSteps } from '../submit/next-steps.js';
import { checkS3Secret } from '../submit/preflight.js';
import { parseWaitTarget } from '../wait/target.js';
import { waitWithProgress } from '../wait/with-progress.js';

export default class Submit extends BaclCommand {
  static override summary =
    'Create a BaclJob from a config: train on N nodes with G GPUs each, then evaluate.';
  static override description =
    'Resolves configs/<name>.yaml (or a .yaml path) with _base_ inheritance and --set overrides, validates ' +
    'it, and creates a BaclJob with the effective config embedded. Cluster settings (S3, NATS) default to ' +
    '$BACL_S3_URI, $BACL_S3_ENDPOINT, $BACL_S3_SECRET and $BACL_NATS_URL, else to the chart defaults.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> lvis_v1 --nodes 2 --gpus 8',
    '<%= config.bin %> <%= command.id %> tiny --nodes 1 --gpus 0 --set schedule.representation.iterations=200 --set schedule.representation.lr_steps=[160] --wait',
    '<%= config.bin %> <%= command.id %> ./my-experiment.yaml --name fcbl-ablation --dataset lvis-v05 -n research',
    '<%= config.bin %> <%= command.id %> lvis_v1 --nodes 4 --gpus 8 --dry-run -o yaml',
  ];

  static override args = {
    config: Args.string({
      required: true,
      description: 'a config name from configs/ or a path to a .yaml file',
    }),
  };

  static override flags = {
    nodes: Flags.integer({
      min: 1,
      default: 1,
      description: 'worker pods per training stage (one per node)',
    }),
    gpus: Flags.integer({
      min: 0,
      default: 1,
      description: 'GPUs per node, one rank each (0: one CPU rank)',
    }),
    set: Flags.string({ multiple: true, description: 'override a config field: path.to.field=value (YAML)' }),
    name: Flags.string({ description: 'job name (default: the config name and a random suffix)' }),
    image: Flags.string({ description: `worker image (default: ${defaultImage()})` }),
    dataset: Flags.string({
      description:
        "dataset under <s3>/datasets/ (default: from the config's data.dataset: lvis_v1 -> lvis-v1)",
    }),
    's3-uri': Flags.string({
      env: 'BACL_S3_URI',
      default: defaultS3Uri,
      description: "root of bacl's S3 data",
    }),
    's3-endpoint': Flags.string({
      env: 'BACL_S3_ENDPOINT',
      description: 'S3 endpoint URL of a non-AWS store (MinIO, ...), addressed path-style (default: AWS)',
    }),
    's3-request-timeout': Flags.integer({
      min: 1,
      max: maxS3RequestTimeoutSeconds,
      description:
        "seconds one S3 request attempt may take before it is cut and retried (spec.s3.requestTimeoutSeconds; default: the worker's 120)",
    }),
    's3-secret': Flags.string({
      env: 'BACL_S3_SECRET',
      default: defaultS3Secret,
      description: 'Secret with the S3 credentials',
    }),
    'nats-url': Flags.string({
      env: 'BACL_NATS_URL',
      default: defaultNatsUrl,
      description: 'NATS for the ranks',
    }),
    'grace-period': Flags.integer({
      min: 1,
      max: maxTerminationGracePeriodSeconds,
      description:
        'seconds a worker pod has from SIGTERM to SIGKILL to write its last checkpoint (spec.terminationGracePeriodSeconds; default 120)',
    }),
    'dry-run': Flags.boolean({
      default: false,
      description: 'print the BaclJob (-o yaml by default), create nothing',
    }),
    wait: Flags.boolean({
      default: false,
      exclusive: ['dry-run'],
      description: 'then wait until it succeeds',
    }),
    output: Flags.option({
      char: 'o',
      options: ['yaml', 'json', 'name'] as const,
      description: 'print the job',
    })(),
    ...singleJobFlags,
  };

  async run(): Promise<BaclJob | BaclJobManifest> {
    const { args, flags } = await this.parse(Submit);
    const resolved = resolveConfig(args.config, {
      configDir: join(packageRoot(), 'configs'),
      sets: flags.set ?? [],
    });
    const target = flags['dry-run'] ? undefined : kubeTarget(flags);
    const job = buildJob(resolved, submitConfigSchema, {
      name: flags.name ?? generateJobName(args.config),
      namespace: target?.namespace ?? dryRunNamespace(flags),
      nodes: flags.nodes,
      gpusPerNode: flags.gpus,
      image: flags.image ?? defaultImage(),
      dataset: flags.dataset,
      s3Uri: flags['s3-uri'],
      ...(flags['s3-endpoint'] === undefined ? {} : { s3Endpoint: flags['s3-endpoint'] }),
      ...(flags['s3-request-timeout'] === undefined
        ? {}
        : { s3RequestTimeoutSeconds: flags['s3-request-timeout'] }),
      s3Secret: flags['s3-secret'],
      ...(flags['grace-period'] === undefined
        ? {}
        : { terminationGracePeriodSeconds: flags['grace-period'] }),
      natsUrl: flags['nats-url'],
      source: { config: args.config, sets: flags.set ?? [] },
    });
    if (!target) {
      this.print(job, flags.output ?? 'yaml', '(dry run)');
      return job;
    }
    const namespace = job.metadata.namespace ?? 'default';
    await checkS3Secret(target.kubeConfig, namespace, flags['s3-secret']);
    const api = new JobsApi(target.kubeConfig);
    const created = await api.create(namespace, job);
    this.print(created, flags.output, 'created');
    if (!flags.wait) return created;
    return waitWithProgress(target.kubeConfig, api, {
      namespace: created.metadata.namespace ?? 'default',
      name: created.metadata.name,
      target: parseWaitTarget('Succeeded'),
      timeoutMs: 0,
      signal: this.interrupted,
    });
  }

  private print(
    job: Pick<BaclJob, 'metadata'>,
    format: 'yaml' | 'json' | 'name' | undefined,
    verb: string,
  ): void {
    if (format === 'yaml') this.log(stringify(job).trimEnd());
    else if (format === 'json') this.log(JSON.stringify(job, null, 4));
    else if (format === 'name') this.log(resourceName(job));
    else {
      this.log(`${resourceName(job)} ${verb}`);
      this.log(nextSteps(this.config.bin, job.metadata.name, job.metadata.namespace ?? 'default').join('\n'));
    }
  }
}

/** A dry run needs no cluster: the namespace comes from -n, else the kubeconfig if one loads, else default. */
function dryRunNamespace(flags: { namespace?: string; context?: string; kubeconfig?: string }): string {
  try {
    return kubeTarget(flags).namespace ?? 'default';
  } catch {
    return flags.namespace ?? 'default';
  }
}
