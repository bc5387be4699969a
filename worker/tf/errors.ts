// The typed errors of worker/tf: callers branch on the class, and each message says what to try next.

/** A tfjs backend could not be set up (missing package, failed wasm instantiation, aborted start-up). */
export class TfBackendError extends Error {
  override readonly name = 'TfBackendError';
  constructor(
    readonly backend: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A kernel override was asked for something it does not implement (a dtype, a data format, a dilation). */
export class TfKernelError extends Error {
  override readonly name = 'TfKernelError';
  constructor(
    readonly kernelName: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
