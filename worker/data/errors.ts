// Typed errors of the data pipeline. Callers branch on the class; each carries what a person needs to find the
// bad input (the shard and key of the sample, the step of the epoch, the field) and what to do about it.

/** The base of the data pipeline's errors: `instanceof PipelineError` catches every one of them. */
export class PipelineError extends Error {
  override readonly name: string = 'PipelineError';
}

/** A sample (or one of its annotations) cannot go through the pipeline. */
export class DataSampleError extends PipelineError {
  override readonly name: string = 'DataSampleError';

  constructor(
    readonly shard: string,
    readonly key: string,
    /** The batch of the epoch the sample was for; -1 when not known. */
    readonly step: number,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${shard}: sample ${key}${step >= 0 ? ` (step ${step})` : ''}: ${problem}; ` +
        'fix or drop the record and prepare the shards again (baclctl data prepare)',
      options,
    );
  }
}

/** A segmentation (polygon or RLE) cannot be rasterised. */
export class SegmentationError extends PipelineError {
  override readonly name: string = 'SegmentationError';

  constructor(
    /** The JSON path of the segmentation, e.g. `annotations[3].segmentation.counts`. */
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** A pipeline option is outside its range (a config error, found at start-up). */
export class DataOptionError extends PipelineError {
  override readonly name: string = 'DataOptionError';

  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`${field} = ${JSON.stringify(value)}: ${expected}`);
  }
}
