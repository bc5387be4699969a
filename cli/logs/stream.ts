import { Writable } from 'node:stream';
import { Log, type KubeConfig, type LogOptions } from '@kubernetes/client-node';
import { workerContainer } from '../../common/index.js';
import { cliError } from '../errors.js';
import { apiFailure } from '../kube/api-errors.js';

export interface StreamOptions {
  namespace: string;
  pod: string;
  /** Put before each line (`[pod/<name>/worker] ` with --all), as kubectl logs --prefix. */
  prefix: string;
  follow: boolean;
  /** Lines from the end; undefined: all. */
  tail?: number;
  signal: AbortSignal;
  emit: (line: string) => void;
}

/** What the pods/log request asks for; kept apart so what `logs` requests is visible and tested. */
export function logOptions(options: Pick<StreamOptions, 'follow' | 'tail'>): LogOptions {
  return {
    follow: options.follow,
    pretty: false,
    timestamps: false,
    ...(options.tail === undefined ? {} : { tailLines: options.tail }),
  };
}

/**
 * Streams one worker container's log through the API server's pods/log endpoint, line by line, until it ends
 * (the container exited, or without -f the log so far was read) or the signal aborts it.
 */
export async function streamPodLog(kubeConfig: KubeConfig, options: StreamOptions): Promise<void> {
  const lines = lineSplitter(options.prefix, options.emit);
  const ended = new Promise<void>((resolve) => {
    lines.once('finish', resolve);
    lines.once('close', resolve);
    options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  let controller: AbortController;
  try {
    controller = await new Log(kubeConfig).log(
      options.namespace,
      options.pod,
      workerContainer,
      lines,
      logOptions(options),
    );
  } catch (error) {
    throw noLogsError(error, options.pod) ?? error;
  }
  options.signal.addEventListener('abort', () => controller.abort(), { once: true });
  await ended;
}

/**
 * The API server proxies pods/log to the pod's kubelet. For a pod on no node it answers 204 No Content (seen
 * on kube-apiserver 1.35), and 400 or 5xx when the node cannot be reached; client-node turns each into a bare
 * status code without the server's text. All mean the same to a user: no log to read yet.
 */
function noLogsError(error: unknown, pod: string) {
  const failure = apiFailure(error);
  if (!failure || !(failure.httpCode === 204 || failure.httpCode === 400 || failure.httpCode >= 500))
    return undefined;
  return cliError(
    `pod ${pod} has no log to read yet: it is not running on a node, or its kubelet does not answer (HTTP ${failure.httpCode})`,
    {
      code: 'NO_LOGS',
      tryThis: `kubectl get pod ${pod} -o wide shows its phase and node; retry once it runs`,
    },
  );
}

/**
 * Streams several pods at once (--all); the first failure stops the others, so the command never goes on
 * printing half the group.
 */
export async function streamPodLogs(
  kubeConfig: KubeConfig,
  pods: readonly string[],
  options: Omit<StreamOptions, 'pod' | 'prefix'> & { prefixed: boolean },
): Promise<void> {
  const failed = new AbortController();
  const signal = AbortSignal.any([options.signal, failed.signal]);
  await Promise.all(
    pods.map((pod) =>
      streamPodLog(kubeConfig, {
        ...options,
        pod,
        prefix: options.prefixed ? `[pod/${pod}/${workerContainer}] ` : '',
        signal,
      }).catch((error: unknown) => {
        failed.abort();
        throw error;
      }),
    ),
  );
}

/** A Writable that hands on complete lines (the last one even without its newline), each with `prefix`. */
export function lineSplitter(prefix: string, emit: (line: string) => void): Writable {
  let partial = '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) emit(`${prefix}${line}`);
      done();
    },
    final(done) {
      if (partial) emit(`${prefix}${partial}`);
      done();
    },
  });
}
