import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { nkeys } from '@nats-io/transport-node';
import {
  accountClaims,
  base32,
  credsJwt,
  decodeJwt,
  encodeJwt,
  formatCreds,
  jobUserClaims,
  NatsJwtError,
  NatsSigningKeyError,
  NatsUserMinter,
  operatorUserClaims,
  userClaims,
} from '../../../operator/internal.js';

// Fixed keys (generated once with nkeys), so the tokens are the same on every run.
const accountSeed = 'SAAKEDU4BR4GTEOQ6T7DPI2PZHJNSPBPVFNXTBZHTZZ7PJARET6TLLS3BA';
const signer = nkeys.fromSeed(new TextEncoder().encode(accountSeed));
const account = 'ADSILFOKOC44YIMERYQPWYIPZDWNZLG4BGYAGVIKZFLHLXTWPCLHGJXD';
const user = 'UAXXZPH647GD2R42QBDIPDZSBMKE2EWLIHDQTCY2B4RTBYEZALHEJLEF';

describe('operator/nats: JWT encoding (pure)', function () {
  it('base32 is RFC 4648 without padding', function () {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [input, output] of vectors)
      expect(base32(new TextEncoder().encode(input)), input).to.equal(output);
  });

  it('signs claims into header.claims.signature: verifiable, deterministic, jti = base32(sha512/256(claims without jti))', function () {
    const claims = userClaims({ name: 'u', user, issuedAt: 1_800_000_000, pub: {}, sub: {} });
    const token = encodeJwt(claims, signer);
    expect(encodeJwt(claims, signer)).to.equal(token);
    const [head, body] = token.split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(head, 'base64url').toString())).to.deep.equal({
      typ: 'JWT',
      alg: 'ed25519-nkey',
    });
    const decoded = decodeJwt(token);
    expect(decoded.iss).to.equal(signer.getPublicKey());
    expect(decoded.sub).to.equal(user);
    const { jti, ...rest } = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    expect(jti).to.equal(base32(createHash('sha512-256').update(JSON.stringify(rest)).digest()));
    expect(jti).to.match(/^[A-Z2-7]{52}$/);
  });

  it('refuses a token whose claims were changed after signing, or that is not a NATS JWT', function () {
    const token = encodeJwt(userClaims({ name: 'u', user, issuedAt: 1, pub: {}, sub: {} }), signer);
    const [head, body, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as { nats: { pub: unknown } };
    claims.nats.pub = { allow: ['>'] };
    const forged = `${head}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    expect(() => decodeJwt(forged)).to.throw(NatsJwtError, /signature does not verify/);
    expect(() => decodeJwt('a.b')).to.throw(NatsJwtError, /3 dot-separated parts/);
    const hs256 = `${Buffer.from('{"typ":"JWT","alg":"HS256"}').toString('base64url')}.${body}.${signature}`;
    expect(() => decodeJwt(hs256)).to.throw(NatsJwtError, /alg HS256/);
  });

  it('writes and reads back a credentials file', function () {
    const key = nkeys.createUser();
    const token = encodeJwt(
      userClaims({ name: 'u', user: key.getPublicKey(), issuedAt: 1, pub: {}, sub: {} }),
      signer,
    );
    const creds = formatCreds(token, key.getSeed());
    expect(credsJwt(creds)).to.equal(token);
    expect(creds).to.contain(`-----BEGIN USER NKEY SEED-----\n${new TextDecoder().decode(key.getSeed())}\n`);
    expect(() => credsJwt('nothing here')).to.throw(NatsJwtError);
  });

  it('spells out every account limit, as nats-io/jwt writes them (-1: none)', function () {
    const claims = accountClaims({
      name: 'bacl',
      account,
      issuedAt: 1,
      signingKeys: [signer.getPublicKey()],
    });
    expect(claims.nats).to.deep.equal({
      type: 'account',
      version: 2,
      limits: {
        subs: -1,
        data: -1,
        payload: -1,
        imports: -1,
        exports: -1,
        wildcards: true,
        conn: -1,
        leaf: -1,
      },
      signing_keys: [signer.getPublicKey()],
    });
  });
});

describe('operator/nats: the users the operator mints (pure claims)', function () {
  it("a job's user may publish and subscribe only under bacl.<ns>.<job>.>, signed for the account, with an expiry", function () {
    const claims = jobUserClaims(
      { namespace: 'ml', job: 'lvis', issuedAt: 1_800_000_000, expires: 1_805_184_000 },
      { user, account },
    );
    expect(claims).to.deep.equal({
      iat: 1_800_000_000,
      name: 'bacl job ml/lvis',
      sub: user,
      exp: 1_805_184_000,
      nats: {
        type: 'user',
        version: 2,
        pub: { allow: ['bacl.ml.lvis.>'] },
        sub: { allow: ['bacl.ml.lvis.>'] },
        subs: -1,
        data: -1,
        payload: -1,
        issuer_account: account,
      },
    });
  });

  it("the operator's user subscribes to progress subjects only and publishes nothing", function () {
    const claims = operatorUserClaims({ issuedAt: 10, expires: 20 }, { user, account });
    expect(claims.nats.pub).to.deep.equal({ deny: ['>'] });
    expect(claims.nats.sub).to.deep.equal({ allow: ['bacl.*.*.*.progress'] });
    expect(claims.exp).to.equal(20);
  });

  it('the minter signs with the signing key for the account, a fresh user key each time', function () {
    const minter = NatsUserMinter.fromSeed(
      accountSeed,
      'ACB6XCZ26US3O5CMTSJ7KN5UMBKIBCMBLGD3ILG7PS2WUMEX7H36EWOV',
    );
    const job = { namespace: 'ml', job: 'lvis', issuedAt: 1, expires: 2 };
    const first = minter.mintJobUser(job);
    const second = minter.mintJobUser(job);
    expect(first.user).to.not.equal(second.user);
    const claims = decodeJwt(credsJwt(first.creds));
    expect(claims.iss).to.equal(account);
    expect(claims.sub).to.equal(first.user);
    expect(claims.nats.issuer_account).to.equal('ACB6XCZ26US3O5CMTSJ7KN5UMBKIBCMBLGD3ILG7PS2WUMEX7H36EWOV');
    expect(minter.signingPublicKey).to.equal(account);
  });

  it('refuses a seed that is not an account key, and an account that is not an account public key', function () {
    const userSeed = new TextDecoder().decode(nkeys.createUser().getSeed());
    expect(() => NatsUserMinter.fromSeed(userSeed, account, 'key.seed')).to.throw(
      NatsSigningKeyError,
      /key\.seed holds a U-key seed/,
    );
    expect(() => NatsUserMinter.fromSeed('SAnonsense', account, 'key.seed')).to.throw(
      NatsSigningKeyError,
      /no nkey seed/,
    );
    expect(() => NatsUserMinter.fromSeed(accountSeed, user)).to.throw(
      NatsSigningKeyError,
      /not an account public key/,
    );
    expect(() => NatsUserMinter.fromSeedFile('/nonexistent/seed', account)).to.throw(
      NatsSigningKeyError,
      /cannot read the NATS account signing key \/nonexistent\/seed/,
    );
  });
});
