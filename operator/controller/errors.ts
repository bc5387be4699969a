// The operator runtime's error catalogue: each names the object and the call, and keeps the cause.

/** A Kubernetes API call failed; `code` is the HTTP status when the server answered. */
export class KubeRequestError extends Error {
  override readonly name = 'KubeRequestError';
  constructor(
    /** What was attempted, e.g. "create pod ml/lvis-rep-0-1". */
    readonly operation: string,
    readonly code: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `${operation} failed${code === undefined ? '' : ` (HTTP ${code})`}: ${describe(options?.cause)}`,
      options,
    );
  }
}

/** The Lease could not be acquired or renewed (the API server answered something unexpected). */
export class LeaderElectionError extends Error {
  override readonly name = 'LeaderElectionError';
  constructor(
    readonly lease: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`lease ${lease}: ${message}`, options);
  }
}

/** One line for a log or a message: the API server's own message rather than client-node's dump of the body. */
export function describe(error: unknown): string {
  const body = (error as { body?: unknown } | undefined)?.body;
  if (typeof body === 'string') {
    try {
      const status = JSON.parse(body) as { message?: unknown };
      if (typeof status.message === 'string') return status.message;
    } catch {
      // not a Status object: fall through to the error's own message
    }
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
