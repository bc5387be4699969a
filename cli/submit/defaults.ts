import { packageVersion } from '../../common/index.js';

// What `baclctl submit` puts into a BaclJob when the user does not say. Each has a flag and, for the
// cluster-wide ones, an environment variable (read once by oclif when it parses the flags), so a team sets
// them once in its shell profile instead of on every command.

/** The worker image built from this very version: `ghcr.io/bacl/worker:<package version>` (--image). */
export function defaultImage(): string {
  return `ghcr.io/bacl/worker:${packageVersion()}`;
}

/** Where the ranks rendezvous: the NATS Service the chart installs (--nats-url, $BACL_NATS_URL). */
export const defaultNatsUrl = 'nats://nats.bacl:4222';

/** Root of bacl's S3 data: datasets/ and runs/ live under it (--s3-uri, $BACL_S3_URI). */
export const defaultS3Uri = 's3://bacl';

/** The Secret with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the job's namespace (--s3-secret, $BACL_S3_SECRET). */
export const defaultS3Secret = 'bacl-s3';
