// Throwaway PKI for one control plane: a CA, an apiserver serving cert for 127.0.0.1, and
// the service-account signing key pair. openssl does the work; nothing here is reused.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pki {
  readonly caCert: string;
  readonly servingCert: string;
  readonly servingKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function createPki(dir: string): Pki {
  const p = (name: string): string => join(dir, name);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.crt'),
    '-days', '2', '-subj', '/CN=crotel-test-ca'], dir);
  writeFileSync(p('serving.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('serving.key'), '-out', p('serving.csr'),
    '-subj', '/CN=kube-apiserver'], dir);
  openssl(['x509', '-req', '-in', p('serving.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial',
    '-out', p('serving.crt'), '-days', '2', '-extfile', p('serving.ext')], dir);
  openssl(['genrsa', '-out', p('sa.key'), '2048'], dir);
  openssl(['rsa', '-in', p('sa.key'), '-pubout', '-out', p('sa.pub')], dir);
  return {
    caCert: p('ca.crt'),
    servingCert: p('serving.crt'),
    servingKey: p('serving.key'),
    serviceAccountKey: p('sa.key'),
    serviceAccountPub: p('sa.pub'),
  };
}

/** A client certificate from the test CA in `dir` (the control plane's dir): user `cn`, groups `orgs`. */
export function issueClientCert(dir: string, cn: string, orgs: readonly string[] = []): { certPem: string; keyPem: string } {
  const p = (name: string): string => join(dir, name);
  const subject = `/CN=${cn}${orgs.map((o) => `/O=${o}`).join('')}`;
  writeFileSync(p(`${cn}.ext`), 'extendedKeyUsage=clientAuth\n');
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p(`${cn}.key`), '-out', p(`${cn}.csr`), '-subj', subject], dir);
  openssl(['x509', '-req', '-in', p(`${cn}.csr`), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial',
    '-out', p(`${cn}.crt`), '-days', '2', '-extfile', p(`${cn}.ext`)], dir);
  return { certPem: readFileSync(p(`${cn}.crt`), 'utf8'), keyPem: readFileSync(p(`${cn}.key`), 'utf8') };
}
