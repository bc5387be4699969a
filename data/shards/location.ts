// Where a dataset lives: `s3://bucket/prefix` or a local directory, and the S3 client settings to reach it.
// The settings are resolved once from explicit values and an environment object passed in (never read from
// process.env here), so the CLI and the worker share one rule.
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { ShardLocationError } from './errors.js';

export type ShardLocation =
  { kind: 's3'; bucket: string; prefix: string; text: string } | { kind: 'local'; dir: string; text: string };

/** Parses `s3://bucket/prefix` (prefix may be empty) or treats the text as a local path. */
export function parseShardLocation(text: string): ShardLocation {
  if (!text.startsWith('s3://')) {
    if (/^[a-z0-9]+:\/\//i.test(text)) {
      throw new ShardLocationError(
        text,
        'only s3:// URIs and local paths are supported',
        'use s3://bucket/prefix',
      );
    }
    return { kind: 'local', dir: text, text };
  }
  const rest = text.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new ShardLocationError(text, `"${bucket}" is not a valid bucket name`, 'use s3://bucket/prefix');
  }
  return { kind: 's3', bucket, prefix, text };
}

/** The object key of `name` under a location's prefix. */
export function objectKey(location: { prefix: string }, name: string): string {
  return location.prefix === '' ? name : `${location.prefix}/${name}`;
}

export interface S3Settings {
  /** A non-AWS endpoint (MinIO, versitygw, Ceph): `http://host:port`. @default $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL */
  endpoint?: string;
  /** @default $AWS_REGION, $AWS_DEFAULT_REGION, else us-east-1 */
  region?: string;
  /** Path-style addressing (`endpoint/bucket/key`). @default true when an endpoint is set */
  forcePathStyle?: boolean;
}

/**
 * S3 client settings from explicit values, then the standard AWS variables in `env`. Credentials are left to
 * the SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, IRSA), which reads them itself.
 * The SDK's own retries are off (maxAttempts 1): every request goes through retryS3 (s3-retry.ts), one layer.
 */
export function resolveS3ClientConfig(
  settings: S3Settings,
  env: Record<string, string | undefined>,
): S3ClientConfig {
  const endpoint = settings.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const region = settings.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const config: S3ClientConfig = {
    region,
    forcePathStyle: settings.forcePathStyle ?? endpoint !== undefined,
    maxAttempts: 1,
  };
  if (endpoint !== undefined) {
    if (!/^https?:\/\/[^/]+/.test(endpoint)) {
      throw new ShardLocationError(
        endpoint,
        'an S3 endpoint is an http(s) URL',
        'e.g. --s3-endpoint http://minio:9000',
      );
    }
    config.endpoint = endpoint;
  }
  return config;
}
