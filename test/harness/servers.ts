import { startKube, type KubeCluster } from './kube.js';
import { startNats, type NatsServer } from './nats.js';
import { startS3, type S3Server } from './s3.js';

/**
 * One instance of each server per test run, started on first use and stopped by the root hooks. Starting
 * kube-apiserver costs seconds on 2 cores; tests isolate themselves by namespace, bucket or subject instead.
 */
const started: { stop(): Promise<void> }[] = [];
let nats: Promise<NatsServer> | undefined;
let s3: Promise<S3Server> | undefined;
let kube: Promise<KubeCluster> | undefined;

function remember<T extends { stop(): Promise<void> }>(server: Promise<T>): Promise<T> {
  return server.then((running) => {
    started.push(running);
    return running;
  });
}

export function sharedNats(): Promise<NatsServer> {
  return (nats ??= remember(startNats()));
}

export function sharedS3(): Promise<S3Server> {
  return (s3 ??= remember(startS3()));
}

export function sharedKube(): Promise<KubeCluster> {
  return (kube ??= remember(startKube()));
}

/** Stops every shared server (in reverse start order); a failed stop does not keep the others running. */
export async function stopSharedServers(): Promise<void> {
  const errors: unknown[] = [];
  for (const server of started.reverse()) await server.stop().catch((error: unknown) => errors.push(error));
  started.length = 0;
  nats = s3 = kube = undefined;
  if (errors.length > 0) throw new AggregateError(errors, 'some test servers did not stop cleanly');
}
