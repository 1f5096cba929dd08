// Per-request credentials (src/kube/credentials.ts): each auth kind's headers and TLS options,
// files re-read when they change (a rotated token, renewed certificates), client-go's rules on
// combining methods, and no credential in an error.
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { authenticationProblem, createApiServer, WatchedFile } from '../../src/kube/credentials.ts';

const dir = mkdtempSync(join(tmpdir(), 'crotel-credentials-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  // Written aside and renamed into place, as the kubelet and cert-manager's csi driver rotate.
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
  return path;
};
const CLUSTER = { server: 'https://apiserver:6443/' };

test('token: a bearer header, the server without its trailing slash', async () => {
  const api = createApiServer(CLUSTER, { name: 'u', token: 'abc' });
  assert.equal(api.server, 'https://apiserver:6443');
  assert.deepEqual(await api.credentials(), { headers: { authorization: 'Bearer abc' }, tls: {} });
});

test('tokenFile: read again after it rotates, trimmed, and it wins over token as in client-go', async () => {
  const path = file('token', 'one\n');
  const api = createApiServer(CLUSTER, { name: 'u', token: 'inline', tokenFile: path });
  assert.equal((await api.credentials()).headers.authorization, 'Bearer one');
  assert.equal((await api.credentials()).headers.authorization, 'Bearer one');
  file('token', '  two  ');
  assert.equal((await api.credentials()).headers.authorization, 'Bearer two');
});

test('tokenFile: a failed re-read keeps the last good token; an empty file is an error naming the file', async () => {
  const path = file('token2', 'kept');
  const api = createApiServer(CLUSTER, { name: 'u', tokenFile: path });
  assert.equal((await api.credentials()).headers.authorization, 'Bearer kept');
  unlinkSync(path);
  assert.equal((await api.credentials()).headers.authorization, 'Bearer kept');
  const empty = file('empty-token', '\n');
  await assert.rejects(createApiServer(CLUSTER, { name: 'u', tokenFile: empty }).credentials(), { message: `user "u": tokenFile ${empty} is empty` });
});

test('client certificate files: re-read when they change (a new TLS identity, so http.ts makes a new pool)', async () => {
  const cert = file('me.pem', 'CERT-1');
  const key = file('me-key.pem', 'KEY-1');
  const api = createApiServer({ ...CLUSTER, certificateAuthority: { data: 'CA' } }, { name: 'u', clientCertificate: { file: cert }, clientKey: { file: key } });
  assert.deepEqual((await api.credentials()).tls, { ca: 'CA', cert: 'CERT-1', key: 'KEY-1' });
  file('me.pem', 'CERT-2');
  file('me-key.pem', 'KEY-2');
  assert.deepEqual((await api.credentials()).tls, { ca: 'CA', cert: 'CERT-2', key: 'KEY-2' });
});

test('the CA file is re-read too (ca.crt of a service account can be renewed)', async () => {
  const ca = file('ca.crt', 'CA-1');
  const api = createApiServer({ ...CLUSTER, certificateAuthority: { file: ca } }, { name: 'u' });
  assert.equal((await api.credentials()).tls.ca, 'CA-1');
  file('ca.crt', 'CA-22');
  assert.equal((await api.credentials()).tls.ca, 'CA-22');
});

test('basic auth: username and password as an Authorization: Basic header', async () => {
  const { headers } = await createApiServer(CLUSTER, { name: 'u', username: 'admin', password: 'p:w' }).credentials();
  assert.equal(headers.authorization, `Basic ${Buffer.from('admin:p:w').toString('base64')}`);
});

test('cluster TLS: insecure-skip-tls-verify and tls-server-name', async () => {
  const { tls } = await createApiServer({ ...CLUSTER, insecureSkipTlsVerify: true, tlsServerName: 'kubernetes.default' }, { name: 'u' }).credentials();
  assert.deepEqual(tls, { rejectUnauthorized: false, servername: 'kubernetes.default' });
});

test('proxy-url is carried for http.ts', () => {
  assert.equal(createApiServer({ ...CLUSTER, proxyUrl: 'http://proxy:3128' }, { name: 'u' }).proxyUrl, 'http://proxy:3128');
  assert.equal('proxyUrl' in createApiServer(CLUSTER, { name: 'u' }), false);
});

const exec = { apiVersion: 'client.authentication.k8s.io/v1', command: 'x', args: [], env: [], provideClusterInfo: false };
for (const [name, user, problem] of [
  ['token alone', { token: 't' }, undefined],
  ['token and a client certificate', { token: 't', clientCertificate: { data: 'c' }, clientKey: { data: 'k' } }, undefined],
  ['token and basic auth', { token: 't', username: 'u', password: 'p' }, 'more than one authentication method (token, basic auth (username/password)); only one is allowed'],
  ['tokenFile and exec', { tokenFile: '/t', exec }, 'more than one authentication method (token, exec plugin); only one is allowed'],
  ['a key without certificate', { clientKey: { data: 'k' } }, 'client-key without client-certificate'],
] as const) {
  test(`authentication methods: ${name}`, () => {
    assert.equal(authenticationProblem({ name: 'u', ...user }), problem);
  });
}

test('WatchedFile: a file that never could be read is an error with the path and the code, not its text', async () => {
  await assert.rejects(new WatchedFile(join(dir, 'nope'), 'tokenFile').read(), { message: `tokenFile ${join(dir, 'nope')}: cannot read (ENOENT)` });
});
