import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  evaluationMetricsSchema,
  metricsObjectPath,
  type BaclJob,
  type Results,
} from '../../common/index.js';
import { runPrefix } from '../reconcile/naming.js';
import { RunDataError } from './errors.js';
import type { KubeApi } from './kube-api.js';

// The operator's S3 access: the evaluate stage's metrics.json (read once its node-0 pod succeeded) and the
// run prefix (deleted with the job when runPolicy.deleteRunDataOnDelete is set). Credentials are the job's
// own S3 Secret, the one its workers get through envFrom, so the operator needs no store-wide credentials.

export interface RunData {
  /** The job's metrics.json as status.results; undefined only when the object does not exist (a real 404). */
  readMetrics(job: BaclJob): Promise<Results | undefined>;
  /** Deletes every object under `uri` (an s3:// prefix ending in '/'). */
  deletePrefix(job: BaclJob, uri: string): Promise<number>;
}

export function splitS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new Error(`not an s3:// URI: ${uri}`);
  return { bucket: match[1] ?? '', key: match[2] ?? '' };
}

export class S3RunData implements RunData {
  constructor(private readonly api: KubeApi) {}

  async readMetrics(job: BaclJob): Promise<Results | undefined> {
    const uri = `${runPrefix(job)}/${metricsObjectPath}`;
    const { bucket, key } = splitS3Uri(uri);
    const client = await this.client(job, uri);
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const text = (await object.Body?.transformToString()) ?? '';
      const metrics = evaluationMetricsSchema.parse(JSON.parse(text));
      return { ...metrics, uri };
    } catch (error) {
      if (
        error instanceof NoSuchKey ||
        (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)
      )
        return undefined;
      throw new RunDataError(name(job), uri, { cause: error });
    } finally {
      client.destroy();
    }
  }

  async deletePrefix(job: BaclJob, uri: string): Promise<number> {
    const { bucket, key: prefix } = splitS3Uri(uri);
    const client = await this.client(job, uri);
    let deleted = 0;
    try {
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
        if (keys.length > 0) {
          await client.send(
            new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }),
          );
          deleted += keys.length;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return deleted;
    } catch (error) {
      throw new RunDataError(name(job), uri, { cause: error });
    } finally {
      client.destroy();
    }
  }

  private async client(job: BaclJob, uri: string): Promise<S3Client> {
    const { s3 } = job.spec;
    const namespace = job.metadata.namespace ?? 'default';
    const secret = await this.api.readSecret(namespace, s3.credentialsSecret);
    const field = (key: string) => {
      const value = secret?.data?.[key];
      return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
    };
    const accessKeyId = field('AWS_ACCESS_KEY_ID');
    const secretAccessKey = field('AWS_SECRET_ACCESS_KEY');
    if (!accessKeyId || !secretAccessKey) {
      throw new RunDataError(name(job), uri, {
        cause: new Error(
          `Secret ${namespace}/${s3.credentialsSecret} is missing or lacks AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
        ),
      });
    }
    const sessionToken = field('AWS_SESSION_TOKEN');
    return new S3Client({
      region: s3.region,
      forcePathStyle: s3.forcePathStyle,
      ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
      credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    });
  }
}

const name = (job: BaclJob) => `${job.metadata.namespace ?? 'default'}/${job.metadata.name}`;
