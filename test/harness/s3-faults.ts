// A fault-injecting HTTP proxy in front of the real S3 server (versitygw): clients talk to `endpoint`, and the
// proxy forwards every request unchanged (Host header included, so SigV4 signatures still verify) unless an
// injected fault matches it. A fault answers 500 or 503 with an S3 error body, or stalls (never answers, so
// the client's own deadline must cut it), for the matching requests of a time window or a count, chosen by
// method and a key pattern. Each request is logged (method, key, what happened) for the test's assertions.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type S3FaultAnswer = 500 | 503 | 'stall';

export interface S3Fault {
  answer: S3FaultAnswer;
  /** Only requests of this method (GET, PUT, HEAD, DELETE, POST). @default any */
  method?: string;
  /** Only requests whose `bucket/key` (decoded, no leading slash) matches. @default any */
  key?: RegExp;
  /** Let this many matching requests through first (e.g. fail after some tensor objects). @default 0 */
  skip?: number;
  /** Fault at most this many matching requests. @default unlimited */
  times?: number;
  /** Fault only within this many ms of inject(). @default unlimited */
  forMs?: number;
}

export interface InjectedFault {
  /** Requests this fault answered (or stalled). */
  readonly hits: number;
  /** When the fault last hit (performance.now() ms), or undefined. */
  readonly lastHitAt: number | undefined;
  clear(): void;
}

export interface ProxiedRequest {
  method: string;
  /** `bucket/key` decoded, without the query. */
  key: string;
  /** 'forwarded' with the upstream status, or the fault's answer. */
  outcome: { kind: 'forwarded'; status: number } | { kind: 'fault'; answer: S3FaultAnswer };
  at: number;
}

export interface S3FaultProxy {
  endpoint: string;
  inject(fault: S3Fault): InjectedFault;
  /** Removes every fault; stalled requests stay stalled until their client gives up. */
  clear(): void;
  /**
   * Stalled requests whose connection is still open: 0 once every client cut its stalled attempts (a client
   * that aborts closes its socket, and the proxy lets go of it).
   */
  readonly openStalls: number;
  readonly requests: readonly ProxiedRequest[];
  stop(): Promise<void>;
}

interface Active {
  fault: S3Fault;
  seen: number;
  hits: number;
  lastHitAt: number | undefined;
  until: number;
  cleared: boolean;
}

const errorBody = (status: 500 | 503, key: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${status === 500 ? 'InternalError' : 'ServiceUnavailable'}</Code>` +
  `<Message>injected by the test's S3 fault proxy</Message><Resource>/${key}</Resource></Error>`;

/** Starts the proxy on 127.0.0.1 (a random port) in front of `upstream` (`http://127.0.0.1:port`). */
export async function startS3FaultProxy(upstream: string): Promise<S3FaultProxy> {
  const target = new URL(upstream);
  const faults: Active[] = [];
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const stalls = new Set<ServerResponse>();

  const match = (method: string, key: string): Active | undefined => {
    const now = performance.now();
    for (const active of faults) {
      const { fault } = active;
      if (active.cleared || now > active.until) continue;
      if (fault.method !== undefined && fault.method !== method) continue;
      if (fault.key !== undefined && !fault.key.test(key)) continue;
      active.seen++;
      if (active.seen <= (fault.skip ?? 0)) continue;
      if (active.hits >= (fault.times ?? Number.POSITIVE_INFINITY)) continue;
      active.hits++;
      active.lastHitAt = now;
      return active;
    }
    return undefined;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, key: string, method: string) => {
    const headers = { ...req.headers };
    // Node's server already answered 100-continue; the upstream request must not wait for another.
    delete headers.expect;
    const upstreamRequest = httpRequest(
      { host: target.hostname, port: target.port, method, path: req.url, headers },
      (upstreamResponse) => {
        requests.push({
          method,
          key,
          outcome: { kind: 'forwarded', status: upstreamResponse.statusCode ?? 0 },
          at: performance.now(),
        });
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(res);
      },
    );
    upstreamRequest.on('error', () => res.destroy());
    res.on('close', () => upstreamRequest.destroy());
    req.pipe(upstreamRequest);
  };

  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const key = decodeURIComponent(new URL(req.url ?? '/', 'http://proxy').pathname.slice(1));
    const active = match(method, key);
    if (active === undefined) {
      forward(req, res, key, method);
      return;
    }
    const { answer } = active.fault;
    requests.push({ method, key, outcome: { kind: 'fault', answer }, at: performance.now() });
    if (answer === 'stall') {
      // Read the request (so the client is not blocked writing) and never answer; forget it once the client
      // closes the connection (its deadline passed), so nothing is held but what clients still wait on.
      stalls.add(res);
      res.on('close', () => stalls.delete(res));
      req.resume();
      return;
    }
    req.resume();
    req.on('end', () => {
      const body = errorBody(answer, key);
      res.writeHead(answer, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    get openStalls() {
      return stalls.size;
    },
    inject(fault) {
      const active: Active = {
        fault,
        seen: 0,
        hits: 0,
        lastHitAt: undefined,
        until: fault.forMs === undefined ? Number.POSITIVE_INFINITY : performance.now() + fault.forMs,
        cleared: false,
      };
      faults.push(active);
      return {
        get hits() {
          return active.hits;
        },
        get lastHitAt() {
          return active.lastHitAt;
        },
        clear() {
          active.cleared = true;
        },
      };
    },
    clear() {
      for (const active of faults) active.cleared = true;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
