import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Paths of a throwaway PKI for one test API server. */
export interface TestPki {
  caCert: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

/**
 * Makes a CA, a serving certificate for 127.0.0.1/localhost, an admin client certificate in
 * system:masters and a service-account signing key, with openssl. ECDSA P-256 keeps it fast on 2 cores.
 */
export async function makeTestPki(openssl: string, dir: string): Promise<TestPki> {
  // Runs openssl in `dir`, so file names are relative; `command` is split on spaces (no argument has one).
  const ossl = (command: string, ...extra: string[]) =>
    run(openssl, [...command.split(' '), ...extra], { cwd: dir });
  const ecKey = (out: string) => ossl(`genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ${out}`);

  await ecKey('ca.key');
  // prettier-ignore
  await ossl(
    'req -x509 -new -key ca.key -out ca.crt -days 2 -subj /CN=bacl-test-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  );

  const issue = async (name: string, subject: string, extensions: string) => {
    await ecKey(`${name}.key`);
    await ossl(`req -new -key ${name}.key -out ${name}.csr`, '-subj', subject);
    writeFileSync(join(dir, `${name}.ext`), extensions);
    await ossl(
      `x509 -req -in ${name}.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out ${name}.crt -days 2 -extfile ${name}.ext`,
    );
  };
  await issue(
    'serving',
    '/CN=kube-apiserver',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n',
  );
  await issue(
    'admin',
    '/O=system:masters/CN=bacl-test-admin',
    'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n',
  );

  await ossl('genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key');
  await ossl('pkey -in sa.key -pubout -out sa.pub');

  const p = (name: string) => join(dir, name);
  return {
    caCert: p('ca.crt'),
    servingCert: p('serving.crt'),
    servingKey: p('serving.key'),
    adminCert: p('admin.crt'),
    adminKey: p('admin.key'),
    serviceAccountKey: p('sa.key'),
    serviceAccountPub: p('sa.pub'),
  };
}
