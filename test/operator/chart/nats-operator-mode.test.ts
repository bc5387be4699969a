// The chart's bundled NATS in operator (JWT) mode, as charts/README.md tells users to set it up: the nats chart's
// own config.merge holds the operator JWT, the system account and a MEMORY resolver preloaded with the account
// JWTs (all public), and workerDefaults.nats.jwt hands the operator the account's signing key. The rendered
// nats.conf is checked, then run by the real nats-server (only its listen addresses, pid file and server name
// made local): a user minted with the signing key, as the operator mints a job's, gets in and may use its
// job's subjects only; a client without credentials is refused.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { NatsUserMinter, parseOperatorFlags } from '../../../operator/internal.js';
import {
  freePort,
  infraManifest,
  makeWorkDir,
  natsTrustChain,
  startProcess,
  type NatsTrustChain,
} from '../../harness/index.js';
import { answers200 } from '../../harness/http-probe.js';
import { helmTemplate, manifests, only } from './helm.js';

/** The values charts/README.md shows for operator mode, for `chain`. */
function operatorModeValues(chain: NatsTrustChain): string {
  const file = join(makeWorkDir('chart-nats-jwt'), 'values.yaml');
  writeFileSync(
    file,
    stringify({
      nats: {
        enabled: true,
        config: {
          merge: {
            operator: chain.operatorJwt,
            system_account: chain.trust.systemAccount,
            resolver: 'MEMORY',
            resolver_preload: chain.accountJwts,
          },
        },
      },
      workerDefaults: {
        nats: { jwt: { signingKeySecret: 'bacl-nats-signing', account: chain.trust.account } },
      },
    }),
  );
  return file;
}

describe('charts/bacl-operator: the bundled NATS in operator mode (per-job NATS users)', function () {
  this.timeout(120_000);

  it('renders a nats.conf with the operator, a MEMORY resolver preloaded with the accounts, and the operator holding the signing key', async function () {
    const chain = natsTrustChain();
    const rendered = manifests(await helmTemplate('bacl', 'bacl', ['-f', operatorModeValues(chain)]));
    const natsConf =
      (only(rendered, 'ConfigMap', 'bacl-nats-config') as unknown as { data: Record<string, string> }).data[
        'nats.conf'
      ] ?? '';
    expect(natsConf).to.include(`"operator": "${chain.operatorJwt}"`);
    expect(natsConf).to.include(`"system_account": "${chain.trust.systemAccount}"`);
    expect(natsConf).to.include('"resolver": "MEMORY"');
    for (const [account, jwt] of Object.entries(chain.accountJwts))
      expect(natsConf).to.include(`"${account}": "${jwt}"`);
    expect(natsConf, "bacl's own NATS settings stay").to.match(/"max_payload": 8MB/);
    expect(natsConf).to.not.match(/jetstream/i);
    const args = (
      only(rendered, 'Deployment') as unknown as {
        spec: { template: { spec: { containers: { args?: string[] }[] } } };
      }
    ).spec.template.spec.containers[0]?.args;
    const flags = parseOperatorFlags(args ?? []);
    expect(flags.workerDefaults.natsUrl).to.equal('nats://bacl-nats.bacl.svc:4222');
    expect(flags.natsMinting).to.deep.include({
      signingKeyFile: '/etc/bacl/nats-signing/seed',
      account: chain.trust.account,
    });

    // The rendered file, run by the real nats-server: only what ties it to the pod is made local.
    const dir = makeWorkDir('chart-nats-jwt-server');
    const [port, monitorPort] = await Promise.all([freePort(), freePort()]);
    const local = natsConf
      .replace(/"port": 4222/, `"host": "127.0.0.1", "port": ${port}`)
      .replace(/"http_port": 8222/, `"http": "127.0.0.1:${monitorPort}"`)
      .replace(/"pid_file": "[^"]*"/, `"pid_file": "${join(dir, 'nats.pid')}"`);
    expect(local).to.include(`"port": ${port}`).and.include(`"http": "127.0.0.1:${monitorPort}"`);
    const configPath = join(dir, 'nats.conf');
    writeFileSync(configPath, local);
    const server = await startProcess({
      name: 'nats-server',
      bin: infraManifest().natsServer.bin,
      args: ['-c', configPath],
      env: { ...process.env, SERVER_NAME: 'bacl-nats-0' },
      dir,
      ready: answers200(`http://127.0.0.1:${monitorPort}/healthz`),
    });
    const url = `nats://127.0.0.1:${port}`;
    let nc: NatsConnection | undefined;
    try {
      let anonymous: unknown;
      try {
        await (await connect({ servers: url, reconnect: false })).close();
      } catch (error) {
        anonymous = error;
      }
      expect(String(anonymous), 'a client without credentials').to.match(/Authorization Violation/i);

      const minter = NatsUserMinter.fromSeed(chain.trust.signingSeed, chain.trust.account);
      const now = Math.floor(Date.now() / 1000);
      const { creds } = minter.mintJobUser({
        namespace: 'team',
        job: 'a',
        issuedAt: now,
        expires: now + 600,
      });
      nc = await connect({
        servers: url,
        reconnect: false,
        authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
      });
      const refusals: string[] = [];
      void (async () => {
        for await (const status of nc.status())
          if (status.type === 'error') refusals.push(String(status.error));
      })();
      const sub = nc.subscribe('bacl.team.a.0.ctl', { max: 1 });
      nc.publish('bacl.team.a.0.ctl', 'hello');
      nc.publish('bacl.team.b.0.ctl', 'not yours');
      let heard = '';
      for await (const message of sub) heard = message.string();
      await nc.flush();
      expect(heard).to.equal('hello');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(refusals.join('\n')).to.match(/Permissions Violation for Publish to "bacl\.team\.b\.0\.ctl"/);
    } finally {
      await nc?.close();
      await server.stop();
    }
  });
});
