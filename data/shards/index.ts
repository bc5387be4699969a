// Webdataset-style tar shards of an LVIS dataset: prepare (write), the manifest, and a per-rank reader.
export { decodeJpeg, type DecodedImage } from './decode.js';
export {
  DestinationNotEmptyError,
  ShardError,
  ShardFormatError,
  ShardLocationError,
  ShardRecordError,
  SourceImageError,
  type ShardErrorKind,
} from './errors.js';
export {
  objectKey,
  parseShardLocation,
  resolveS3ClientConfig,
  type S3Settings,
  type ShardLocation,
} from './location.js';
export {
  readShardManifest,
  shardAnnotationsName,
  shardManifestName,
  shardManifestSchema,
  type ShardEntry,
  type ShardManifest,
} from './manifest.js';
export {
  defaultShardBytes,
  prepareShards,
  sampleKey,
  type PrepareShardsOptions,
  type PrepareShardsResult,
} from './prepare.js';
export {
  openShardDataset,
  ShardDatasetReader,
  type DatasetSample,
  type ShardReaderOptions,
} from './reader.js';
export {
  defaultS3RetryPolicy,
  describeRetry,
  isRetryableS3Error,
  resolveS3RetryPolicy,
  retryDelayMs,
  retryOptions,
  retryS3,
  uploadWithin,
  S3RequestFailedError,
  type S3Request,
  type S3RetryNotice,
  type S3RetryOptions,
  type S3RetryPolicy,
  type S3RetrySettings,
} from './s3-retry.js';
export { planRankShare, type RankShareOptions, type ShardSlice } from './share.js';
export type { DatasetSink, DatasetSource } from './dataset-io.js';
export { openDatasetSink, openDatasetSource } from './store.js';
export { readTarEntries, tarEnd, tarMember, TarFormatError, type TarEntry } from './tar.js';
