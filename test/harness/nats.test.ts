import { createHash, randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { expect } from 'chai';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { httpGet } from './http-probe.js';
import { NatsUserMinter } from '../../operator/internal.js';
import { NATS_MAX_PAYLOAD, startNats, type NatsServer } from './nats.js';
import { sharedNats } from './servers.js';

describe('harness: nats-server', function () {
  let server: NatsServer;
  let nc: NatsConnection;

  before(async function () {
    server = await sharedNats();
    nc = await connect({ servers: server.url });
  });

  after(async function () {
    await nc?.close();
  });

  it('reports the configured max_payload (8 MiB, not the 1 MiB default) in INFO and /varz', async function () {
    expect(nc.info?.max_payload).to.equal(NATS_MAX_PAYLOAD);
    const varz = JSON.parse((await httpGet(`${server.monitorUrl}/varz`)).body) as { max_payload: number };
    expect(varz.max_payload).to.equal(NATS_MAX_PAYLOAD);
  });

  it('delivers a 4 MiB message byte for byte', async function () {
    const payload = randomBytes(4 * 1024 * 1024);
    const subject = `smoke.big.${randomBytes(4).toString('hex')}`;
    const sub = nc.subscribe(subject, { max: 1 });
    nc.publish(subject, payload);
    for await (const msg of sub) {
      expect(msg.data.length).to.equal(payload.length);
      expect(sha256(msg.data)).to.equal(sha256(payload));
    }
  });

  it('rejects a payload one byte over max_payload at the server (raw protocol, no client-side check)', async function () {
    const reply = await rawPublish(server.url, NATS_MAX_PAYLOAD + 1);
    expect(reply).to.match(/-ERR 'Maximum Payload Violation'/);
  });

  it('has JetStream on: a stream stores and numbers a message', async function () {
    const jsm = await jetstreamManager(nc);
    const name = `SMOKE_${randomBytes(4).toString('hex')}`;
    await jsm.streams.add({ name, subjects: [`${name}.>`] });
    const ack = await jetstream(nc).publish(`${name}.x`, 'hello');
    expect(ack.stream).to.equal(name);
    expect(ack.seq).to.equal(1);
    await jsm.streams.delete(name);
  });
});

describe('harness: nats-server in operator mode (jwt: true)', function () {
  it('trusts only users signed by the account signing key it returns; JetStream is off', async function () {
    const server = await startNats({ jwt: true });
    try {
      const trust = server.jwt!;
      expect(trust.operator).to.match(/^O[A-Z2-7]{55}$/);
      expect(trust.account).to.match(/^A[A-Z2-7]{55}$/);
      expect(trust.systemAccount).to.match(/^A[A-Z2-7]{55}$/);
      expect(trust.signingSeed).to.match(/^SA[A-Z2-7]{56}$/);
      const refused = await connect({ servers: server.url, reconnect: false }).then(
        (nc) => nc.close().then(() => 'connected'),
        (error: Error) => error.message,
      );
      expect(refused).to.equal('Authorization Violation');
      const issuedAt = Math.floor(Date.now() / 1000);
      const { creds } = NatsUserMinter.fromSeed(trust.signingSeed, trust.account).mintJobUser({
        namespace: 'ns',
        job: 'job',
        issuedAt,
        expires: issuedAt + 600,
      });
      const nc = await connect({
        servers: server.url,
        authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
      });
      const varz = JSON.parse((await httpGet(`${server.monitorUrl}/varz`)).body) as {
        jetstream?: { config?: unknown };
      };
      await nc.close();
      expect(varz.jetstream?.config).to.equal(undefined);
    } finally {
      await server.stop();
    }
  });
});

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Speaks the NATS text protocol directly: CONNECT, then a PUB line for `size` bytes; resolves what the server said. */
async function rawPublish(url: string, size: number): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(Number(port), hostname);
    let received = '';
    let sent = false;
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer from ${url}; got: ${received}`)));
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (!sent && received.includes('INFO ')) {
        sent = true;
        socket.write('CONNECT {"verbose":false,"pedantic":false}\r\n');
        // The server judges the size from the PUB line itself; the body never needs to be sent.
        socket.write(`PUB smoke.too.big ${size}\r\n`);
      }
      if (received.includes('-ERR')) socket.end();
    });
    socket.on('close', () => resolve(received));
    // The server answers -ERR after the PUB line and hangs up, so writing the body may fail with EPIPE or
    // ECONNRESET; what it said before hanging up is the result.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
  });
}
