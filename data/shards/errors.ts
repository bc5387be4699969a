// The shard tools' error catalogue, in the data tools' family (../errors.ts). Each error names the place (shard
// and key, or source file and image id) and carries `hint` (what to do next) and `kind` (what went wrong:
// usage, not-found, invalid, exists).
import { DataError, type DataErrorKind } from '../errors.js';

export type ShardErrorKind = DataErrorKind;

export class ShardError extends DataError {
  override name = 'ShardError';
}

/** A record inside a shard is unusable (bad JSON, wrong types, undecodable JPEG, a member missing). */
export class ShardRecordError extends ShardError {
  override name = 'ShardRecordError';
  readonly shard: string;
  readonly key: string;
  readonly problem: string;

  /** `where`: the shard's full location (s3://bucket/prefix/shard-000000.tar or a path) for the message. */
  constructor(shard: string, key: string, problem: string, options?: { cause?: unknown; where?: string }) {
    super(
      `${options?.where ?? shard}: record ${key}: ${problem}`,
      'invalid',
      'rebuild the shard with `baclctl data prepare`, or read with skipBad to skip and count such records',
      options,
    );
    this.shard = shard;
    this.key = key;
    this.problem = problem;
  }
}

/** The shard itself is damaged (truncated, bad header) or disagrees with the manifest. */
export class ShardFormatError extends ShardError {
  override name = 'ShardFormatError';
  readonly shard: string;
  /** The last record read before the damage, if any. */
  readonly afterKey: string | undefined;

  constructor(
    shard: string,
    problem: string,
    afterKey: string | undefined,
    options?: { cause?: unknown; where?: string },
  ) {
    super(
      `${options?.where ?? shard}: ${problem}${afterKey === undefined ? '' : ` (after record ${afterKey})`}`,
      'invalid',
      'the shard is damaged: rebuild the dataset with `baclctl data prepare`',
      options,
    );
    this.shard = shard;
    this.afterKey = afterKey;
  }
}

/** An image that the annotations list is missing or unreadable in the images directory. */
export class SourceImageError extends ShardError {
  override name = 'SourceImageError';
  readonly imageId: number;
  /** The JSON path of the image in the annotation file, e.g. `images[3]`. */
  readonly jsonPath: string;
  readonly paths: readonly string[];

  constructor(
    imageId: number,
    jsonPath: string,
    paths: readonly string[],
    problem: string,
    kind: ShardErrorKind,
    options?: { cause?: unknown; annotations?: string },
  ) {
    const where = options?.annotations === undefined ? jsonPath : `${options.annotations}: ${jsonPath}`;
    super(
      `image ${imageId} (${where}): ${problem}: ${paths.join(', ')}`,
      kind,
      'check --images (it holds <split>2017/<id>.jpg as named by coco_url), or pass --skip-bad to skip such images',
      options,
    );
    this.imageId = imageId;
    this.jsonPath = jsonPath;
    this.paths = paths;
  }
}

/** The destination already holds objects or files; prepare never mixes two datasets. */
export class DestinationNotEmptyError extends ShardError {
  override name = 'DestinationNotEmptyError';
  readonly destination: string;

  constructor(destination: string) {
    super(
      `${destination} is not empty`,
      'exists',
      'choose a new --out (e.g. .../datasets/<name>/<split>), or delete the old dataset first',
    );
    this.destination = destination;
  }
}

/** A location string is neither `s3://bucket/prefix` nor a local path, or manifest.json is unusable. */
export class ShardLocationError extends ShardError {
  override name = 'ShardLocationError';
  readonly location: string;

  constructor(
    location: string,
    problem: string,
    hint: string,
    kind: ShardErrorKind = 'usage',
    cause?: unknown,
  ) {
    super(`${location}: ${problem}`, kind, hint, { cause });
    this.location = location;
  }
}
