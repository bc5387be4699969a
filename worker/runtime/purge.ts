// `bacl-worker purge <run prefix>/`: what the operator's purge pod runs when a BaclJob is deleted with
// runPolicy.deleteRunDataOnDelete (operator/reconcile/objects.ts buildPurgePod, ADR 0037). It deletes every
// object under the job's run prefix with the job's own S3 credentials (the SDK's default chain: the pod gets
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY through envFrom the job's Secret), so the operator needs no
// Secret. Only a run prefix (`s3://<bucket>/[<root>/]runs/<namespace>/<job>/<uid>/`) is accepted: a wrong
// argument must never empty a bucket. Listing and deleting repeat until a list comes back empty, so objects a
// late writer added while the pages were deleted go too. Each request goes through data's retryS3 with the
// job's policy (spec.s3.requestTimeoutSeconds, ADR 0040), so a store answering 503 or stalling for a while
// delays the purge instead of failing it.
import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { retryOptions, retryS3, type S3RetrySettings } from '../../data/index.js';
import { RuntimeError } from './errors.js';

/** The argument is not a run prefix (exit 2); the message says what one looks like. */
export class PurgeUsageError extends RuntimeError {
  override readonly name = 'PurgeUsageError';
}

/** The store refused or failed a list or delete (exit 1); names the prefix and the keys it could not delete. */
export class PurgeError extends RuntimeError {
  override readonly name = 'PurgeError';
}

const runPrefixPattern =
  /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/((?:[^/]+\/)*runs\/[^/]+\/[^/]+\/[^/]+\/)$/;

/** The bucket and key prefix of a run prefix URI; throws PurgeUsageError for anything else. */
export function parseRunPrefix(uri: string): { bucket: string; prefix: string } {
  const match = runPrefixPattern.exec(uri);
  if (!match) {
    throw new PurgeUsageError(
      `purge: ${JSON.stringify(uri)} is not a run prefix. Expected s3://<bucket>/[<root>/]runs/<namespace>/<job>/<uid>/ ` +
        '(with the trailing slash), as the operator passes it',
    );
  }
  return { bucket: match[1]!, prefix: match[2]! };
}

export interface PurgeOptions {
  signal?: AbortSignal;
  /** One line per deleted page, for the pod's log. */
  log?: (line: string) => void;
  /** The retry policy and log of each request. @default data's default policy, retries not logged */
  retry?: S3RetrySettings;
}

/** Deletes every object under the run prefix `uri`; resolves with how many were deleted. */
export async function purgeRunPrefix(
  client: S3Client,
  uri: string,
  options: PurgeOptions = {},
): Promise<number> {
  const { bucket, prefix } = parseRunPrefix(uri);
  const retry = retryOptions(options.retry ?? {}, options.signal);
  let deleted = 0;
  for (;;) {
    let page;
    try {
      page = await retryS3(
        { action: 'LIST', bucket, key: prefix },
        (attempt) =>
          client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }), { abortSignal: attempt }),
        retry,
      );
    } catch (error) {
      throw new PurgeError(`purge: listing ${uri} failed: ${message(error)}`, { cause: error });
    }
    const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
    if (keys.length === 0) return deleted;
    let result;
    try {
      // Deleting the same keys twice (an attempt cut after the store acted) is harmless.
      result = await retryS3(
        { action: 'DELETE', bucket, key: `${prefix} (${keys.length} keys)` },
        (attempt) =>
          client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }), {
            abortSignal: attempt,
          }),
        retry,
      );
    } catch (error) {
      throw new PurgeError(`purge: deleting under ${uri} failed: ${message(error)}`, { cause: error });
    }
    const errors = result.Errors ?? [];
    if (errors.length > 0) {
      const first = errors[0];
      throw new PurgeError(
        `purge: ${errors.length} object(s) under ${uri} were not deleted, e.g. ${first?.Key}: ` +
          `${first?.Code} ${first?.Message ?? ''}`.trimEnd(),
      );
    }
    deleted += keys.length;
    options.log?.(`purge: deleted ${keys.length} object(s) under ${uri} (${deleted} so far)`);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
