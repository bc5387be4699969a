// What the API server said, reduced to what a CLI error needs. The server answers failures with a
// metav1.Status whose message is already kubectl's wording (`bacljobs.bacl.dev "x" not found`).

export interface ApiFailure {
  httpCode: number;
  message: string;
  reason?: string;
  /** Set when the Status names an object (a missing job), unset when the resource itself is missing. */
  objectName?: string;
}

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { name?: string; causes?: { message?: string; field?: string }[] };
}

/** Reads an ApiException (or anything else) into an ApiFailure; undefined when it is no API answer. */
export function apiFailure(error: unknown): ApiFailure | undefined {
  if (!isApiException(error)) return undefined;
  const status = parseStatus(error.body);
  const httpCode = error.code;
  return {
    httpCode,
    message: status?.message ?? `the API server answered HTTP ${httpCode}`,
    reason: status?.reason,
    objectName: status?.details?.name,
  };
}

/**
 * @kubernetes/client-node's ApiException, told by its class name and its numeric HTTP code rather than by
 * `instanceof`: every command's error path comes through here, and importing the client only for its error
 * class cost each command (`eval`, `data`, `run` included) about 0.5 s of start-up (docs/adr/0039).
 */
function isApiException(error: unknown): error is Error & { code: number; body: unknown } {
  return (
    error instanceof Error &&
    error.constructor.name === 'ApiException' &&
    typeof (error as { code?: unknown }).code === 'number'
  );
}

function parseStatus(body: unknown): StatusBody | undefined {
  if (typeof body === 'object' && body !== null) return body;
  if (typeof body !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A network-level failure (refused, DNS, TLS, a port fetch refuses): the server was never reached. */
export function unreachableCause(error: unknown): string | undefined {
  let cause: unknown = error;
  for (let depth = 0; depth < 4 && cause instanceof Error; depth += 1) {
    const code = (cause as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      /^(ECONNREFUSED|ENOTFOUND|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|CERT_|UND_ERR|ERR_TLS)/.test(code)
    ) {
      return `${code}: ${cause.message}`;
    }
    cause = cause.cause;
  }
  // undici's fetch wraps every transport failure in `TypeError: fetch failed`, the reason in its cause.
  if (error instanceof TypeError && error.message === 'fetch failed') {
    return error.cause instanceof Error ? error.cause.message : 'fetch failed';
  }
  return undefined;
}
