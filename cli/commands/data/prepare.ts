import { S3Client } from '@aws-sdk/client-s3';
import { Flags } from '@oclif/core';
import { parseShardLocation, prepareShards, resolveS3ClientConfig } from '../../../data/index.js';
import { BaclCommand } from '../../base-command.js';
import { runDataTask } from '../../data-task.js';
import { cliError } from '../../errors.js';

const units: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** `64MiB`, `64MB`, `500KB`, `1048576` -> bytes. */
function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = units[match?.[2]?.toLowerCase() ?? 'x'];
  if (match === null || unit === undefined || Number(match[1]) * unit < 4096) {
    throw cliError(`--shard-size ${text}: not a size of at least 4 KiB`, {
      code: 'USAGE',
      tryThis: 'e.g. --shard-size 64MiB, 256MB or 1048576 (bytes)',
    });
  }
  return Math.round(Number(match[1]) * unit);
}

export default class DataPrepare extends BaclCommand {
  static override summary = 'Pack an LVIS annotation file and its images into tar shards (local or S3).';
  static override description =
    'Writes webdataset-style shards (<id>.jpg + <id>.json per image, about --shard-size each), a copy of the ' +
    'annotations and manifest.json (shards, counts, category statistics), manifest last: readers never see a ' +
    'partial dataset, and a failure removes what was written. Images are found as <images>/<split>2017/<file> ' +
    '(from coco_url) or <images>/<file>. S3 settings come from the flags, else AWS_ENDPOINT_URL_S3, AWS_REGION ' +
    'and the usual AWS credentials.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --annotations lvis_v1_train.json --images ./coco --out s3://bucket/bacl/datasets/lvis_v1/train',
    '<%= config.bin %> <%= command.id %> --annotations ./tiny/train.json --images ./tiny/images --out ./shards/tiny/train --shard-size 8MiB',
    '<%= config.bin %> <%= command.id %> --annotations ./tiny/val.json --images ./tiny/images --out s3://b/p/datasets/tiny/val --s3-endpoint http://127.0.0.1:7070 --skip-bad',
  ];

  static override flags = {
    annotations: Flags.string({ required: true, description: 'LVIS v0.5 or v1 annotation JSON' }),
    images: Flags.string({ required: true, description: 'directory holding the images' }),
    out: Flags.string({
      required: true,
      description: 's3://bucket/prefix or a local directory (must be empty)',
    }),
    'shard-size': Flags.string({
      default: '64MiB',
      description: 'target shard size (KB/MB/GB or KiB/MiB/GiB)',
    }),
    'skip-bad': Flags.boolean({ default: false, description: 'skip and count missing or unreadable images' }),
    'keep-segmentation': Flags.boolean({
      default: false,
      description: 'keep polygons in the per-image JSON',
    }),
    's3-endpoint': Flags.string({
      description: 'S3 endpoint URL (default: $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL)',
    }),
    's3-region': Flags.string({ description: 'S3 region (default: $AWS_REGION, else us-east-1)' }),
    's3-path-style': Flags.boolean({
      allowNo: true,
      description: 'path-style addressing (default: on when an endpoint is set)',
    }),
  };

  async run(): Promise<Record<string, unknown>> {
    const { flags } = await this.parse(DataPrepare);
    const shardBytes = parseSize(flags['shard-size']);
    const signal = this.interrupted;
    let s3: S3Client | undefined;
    try {
      return await runDataTask(signal, async () => {
        if (parseShardLocation(flags.out).kind === 's3') {
          const settings = {
            endpoint: flags['s3-endpoint'],
            region: flags['s3-region'],
            forcePathStyle: flags['s3-path-style'],
          };
          s3 = new S3Client(resolveS3ClientConfig(settings, process.env));
        }
        const { manifest, skipped } = await prepareShards({
          annotations: flags.annotations,
          images: flags.images,
          out: flags.out,
          s3,
          shardBytes,
          skipBad: flags['skip-bad'],
          keepSegmentation: flags['keep-segmentation'],
          signal,
        });
        for (const problem of skipped.slice(0, 10)) this.warn(`skipped ${problem.message}`);
        if (skipped.length > 10) this.warn(`skipped ${skipped.length - 10} more images`);
        const { totals } = manifest;
        this.log(
          `Wrote ${totals.shards} shards to ${flags.out}: ${totals.samples} images, ${totals.annotations} annotations, ` +
            `${(totals.bytes / 1024 ** 2).toFixed(1)} MiB; skipped ${totals.skipped}.`,
        );
        return { out: flags.out, ...totals };
      });
    } finally {
      s3?.destroy();
    }
  }
}
