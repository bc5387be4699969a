// A stand-in worker container for the per-job NATS credentials test: with the pod's rank environment (NATS_URL,
// NATS_CREDS pointing into the mounted minted Secret, BACL_JOB, BACL_ATTEMPT) it tries another job's subject
// and prints what the server said, then reports progress through the worker's own sink (NatsProgressSink, the
// code rank 0 runs) every 250 ms until killed, so the operator's own user must receive it for the test to pass.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import { NatsProgressSink } from '../../../worker/internal.js';

const env = process.env;
const [namespace = '', job = ''] = (env.BACL_JOB ?? '').split('/');
const attempt = Number(env.BACL_ATTEMPT);
const credsFile = env.NATS_CREDS ?? '';
const print = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);

const nc = await connect({
  servers: env.NATS_URL ?? '',
  authenticator: credsAuthenticator(readFileSync(credsFile)),
});
const refused = (async () => {
  for await (const status of nc.status()) if (status.type === 'error') return status.error.message;
  return undefined;
})();
nc.publish(`bacl.${namespace}.${job}-neighbour.0.ctl`, 'abort');
await nc.flush();
print({ event: 'neighbour', refused: await Promise.race([refused, sleep(5000).then(() => 'no answer')]) });
await nc.close();

const sink = await NatsProgressSink.connect({
  servers: env.NATS_URL ?? '',
  credsFile,
  namespace,
  job,
  attempt,
});
print({ event: 'connected' });
for (let step = 1; ; step++) {
  sink.send({ kind: 'progress', stage: 'representation', step, totalSteps: 1_000_000 });
  await sleep(250);
}
