// Exec credential plugins (src/kube/exec-credential.ts) with a real plugin: a small node script
// in a temp dir. What it is given (args, env, KUBERNETES_EXEC_INFO), its token or certificate
// cached until expirationTimestamp or a 401, one run for concurrent requests, and failures that
// say what went wrong with the plugin's stderr — never the credential it printed.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createApiServer } from '../../src/kube/credentials.ts';
import { ExecCredentialPlugin, type ExecConfig } from '../../src/kube/exec-credential.ts';
import { loadKubeConfig } from '../../src/kube/kubeconfig.ts';

const dir = mkdtempSync(join(tmpdir(), 'crotel-exec-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const V1 = 'client.authentication.k8s.io/v1';
const SECRET = 'tok-S3CRET-never-shown';

/**
 * A plugin script: counts its runs in `<name>.runs`, records what it was given in `<name>.seen`,
 * then runs `body` (JavaScript with `run`, the run number, in scope).
 */
function plugin(body: string): { path: string; runs: () => number; seen: () => { args: string[]; env: Record<string, string | undefined>; info: unknown } } {
  const name = `plugin${n++}`;
  const path = join(dir, `${name}.mjs`);
  const runs = join(dir, `${name}.runs`);
  const seen = join(dir, `${name}.seen`);
  writeFileSync(path, `#!${process.execPath}
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
const run = (existsSync(${JSON.stringify(runs)}) ? Number(readFileSync(${JSON.stringify(runs)}, 'utf8')) : 0) + 1;
writeFileSync(${JSON.stringify(runs)}, String(run));
writeFileSync(${JSON.stringify(seen)}, JSON.stringify({ args: process.argv.slice(2), env: { GREETING: process.env.GREETING, HOME: process.env.HOME }, info: JSON.parse(process.env.KUBERNETES_EXEC_INFO ?? 'null') }));
const print = (status, apiVersion = ${JSON.stringify(V1)}) => process.stdout.write(JSON.stringify({ apiVersion, kind: 'ExecCredential', status }));
${body}
`);
  chmodSync(path, 0o755);
  return {
    path,
    runs: () => (existsSync(runs) ? Number(readFileSync(runs, 'utf8')) : 0),
    seen: () => JSON.parse(readFileSync(seen, 'utf8')) as { args: string[]; env: Record<string, string | undefined>; info: unknown },
  };
}

const config = (command: string, extra: Partial<ExecConfig> = {}): ExecConfig => ({ apiVersion: V1, command, args: [], env: [], provideClusterInfo: false, ...extra });

test('the plugin gets its args, env and KUBERNETES_EXEC_INFO (cluster info when asked); its token is the bearer token', async () => {
  const p = plugin(`print({ token: 'tok-' + run });`);
  const api = createApiServer(
    { server: 'https://c:6443', certificateAuthority: { data: 'CA-PEM' }, tlsServerName: 'api.c', execExtension: { audience: 'x' } },
    { name: 'me', exec: config(p.path, { args: ['--region', 'eu'], env: [{ name: 'GREETING', value: 'hello' }], provideClusterInfo: true }) },
  );
  assert.equal((await api.credentials()).headers.authorization, 'Bearer tok-1');
  const seen = p.seen();
  assert.deepEqual(seen.args, ['--region', 'eu']);
  assert.equal(seen.env.GREETING, 'hello');
  assert.equal(seen.env.HOME, process.env.HOME, 'the rest of the environment is inherited');
  assert.deepEqual(seen.info, {
    apiVersion: V1, kind: 'ExecCredential',
    spec: { interactive: false, cluster: { server: 'https://c:6443', 'tls-server-name': 'api.c', 'certificate-authority-data': Buffer.from('CA-PEM').toString('base64'), config: { audience: 'x' } } },
  });
});

test('v1beta1, and no cluster info unless provideClusterInfo', async () => {
  const p = plugin(`print({ token: 'beta' }, 'client.authentication.k8s.io/v1beta1');`);
  const api = createApiServer({ server: 'https://c' }, { name: 'me', exec: config(p.path, { apiVersion: 'client.authentication.k8s.io/v1beta1' }) });
  assert.equal((await api.credentials()).headers.authorization, 'Bearer beta');
  assert.deepEqual(p.seen().info, { apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', spec: { interactive: false } });
});

test('the token is cached until status.expirationTimestamp, then the plugin runs again', async () => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const p = plugin(`print({ token: 'tok-' + run, expirationTimestamp: new Date(Date.parse('2026-01-01T00:00:00Z') + run * 60_000).toISOString() });`);
  const api = createApiServer({ server: 'https://c' }, { name: 'me', exec: config(p.path) }, { now: () => now });
  assert.equal((await api.credentials()).headers.authorization, 'Bearer tok-1');
  now += 59_000;
  assert.equal((await api.credentials()).headers.authorization, 'Bearer tok-1');
  assert.equal(p.runs(), 1);
  now += 1_000; // at expiry
  assert.equal((await api.credentials()).headers.authorization, 'Bearer tok-2');
  assert.equal((await api.credentials()).headers.authorization, 'Bearer tok-2');
  assert.equal(p.runs(), 2);
});

test('without an expiration the token is kept until the apiserver answers 401 with it', async () => {
  const p = plugin(`print({ token: 'tok-' + run });`);
  const api = createApiServer({ server: 'https://c' }, { name: 'me', exec: config(p.path) });
  const first = await api.credentials();
  assert.equal((await api.credentials()).headers.authorization, 'Bearer tok-1');
  api.rejected(first);
  const second = await api.credentials();
  assert.equal(second.headers.authorization, 'Bearer tok-2');
  api.rejected(first); // a late 401 for the old token does not throw the new one away
  assert.equal((await api.credentials()).headers.authorization, 'Bearer tok-2');
  assert.equal(p.runs(), 2);
});

test('requests waiting at once share one run of the plugin', async () => {
  const p = plugin(`await new Promise((r) => setTimeout(r, 200)); print({ token: 'tok-' + run });`);
  const api = createApiServer({ server: 'https://c' }, { name: 'me', exec: config(p.path) });
  const all = await Promise.all(Array.from({ length: 5 }, () => api.credentials()));
  assert.deepEqual(all.map((c) => c.headers.authorization), Array(5).fill('Bearer tok-1'));
  assert.equal(p.runs(), 1);
});

test('a client certificate from the plugin is the TLS identity', async () => {
  const p = plugin(`print({ clientCertificateData: 'CERT-' + run, clientKeyData: 'KEY-' + run });`);
  const { headers, tls } = await createApiServer({ server: 'https://c' }, { name: 'me', exec: config(p.path) }).credentials();
  assert.deepEqual(headers, {});
  assert.deepEqual(tls, { cert: 'CERT-1', key: 'KEY-1' });
});

test('a relative command with a slash runs from the kubeconfig\'s directory; it is looked up there, not in the working directory', async () => {
  const p = plugin(`print({ token: 'relative' });`);
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, JSON.stringify({
    clusters: [{ name: 'c', cluster: { server: 'https://c' } }],
    users: [{ name: 'u', user: { exec: { apiVersion: V1, command: `./${p.path.split('/').pop()}`, interactiveMode: 'Never' } } }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  }));
  assert.equal((await loadKubeConfig({ kubeconfig, env: {} }).credentials()).headers.authorization, 'Bearer relative');
});

interface FailureCase {
  name: string;
  body?: string;
  command?: string;
  extra?: Partial<ExecConfig>;
  error: RegExp;
}
const failures: FailureCase[] = [
  { name: 'a non-zero exit: the code and the end of stderr, on one line', body: `process.stderr.write('error: the SSO session expired\\nrun: aws sso login\\n'); process.exit(3);`, error: /^user "me": exec plugin ".*": exit code 3: error: the SSO session expired \| run: aws sso login$/ },
  { name: 'stderr that holds a credential is redacted', body: `process.stderr.write('refresh failed: token=${SECRET}\\n'); process.exit(1);`, error: /exit code 1: refresh failed: token=REDACTED$/ },
  { name: 'a long stderr: only its end', body: `process.stderr.write('x'.repeat(5000) + 'THE END'); process.exit(1);`, error: /exit code 1: …x{1017}THE END$/ },
  { name: 'output that is not JSON is not quoted', body: `process.stdout.write('Bearer ${SECRET}');`, error: /printed no ExecCredential \(its output is not JSON\)$/ },
  { name: 'another apiVersion', body: `print({ token: '${SECRET}' }, 'client.authentication.k8s.io/v1beta1');`, error: /printed apiVersion "client\.authentication\.k8s\.io\/v1beta1", but the kubeconfig asks for client\.authentication\.k8s\.io\/v1$/ },
  { name: 'another kind', body: `process.stdout.write(JSON.stringify({ kind: 'Secret', apiVersion: '${V1}', status: { token: '${SECRET}' } }));`, error: /printed kind "Secret", expected ExecCredential$/ },
  { name: 'no credential in status', body: `print({ expirationTimestamp: '2030-01-01T00:00:00Z' });`, error: /status has neither a token nor clientCertificateData\/clientKeyData$/ },
  { name: 'a certificate without key', body: `print({ clientCertificateData: '${SECRET}' });`, error: /status has clientCertificateData without clientKeyData$/ },
  { name: 'a bad expirationTimestamp', body: `print({ token: '${SECRET}', expirationTimestamp: 'tomorrow' });`, error: /status\.expirationTimestamp is not an RFC 3339 time$/ },
  { name: 'a command not found, with the installHint', command: '/nonexistent/aws-iam-authenticator', extra: { installHint: 'install it with: brew install aws-iam-authenticator\n' }, error: /^user "me": exec plugin "\/nonexistent\/aws-iam-authenticator": command not found; install it with: brew install aws-iam-authenticator$/ },
  { name: 'a plugin that never answers is killed', body: `process.stderr.write('waiting for the browser'); await new Promise((r) => setTimeout(r, 30_000));`, extra: {}, error: /killed by SIGTERM \(no answer in time\?\): waiting for the browser$/ },
  { name: 'interactiveMode Always', body: `print({ token: '${SECRET}' });`, extra: { interactiveMode: 'Always' }, error: /interactiveMode Always needs a terminal, and crotel runs without one$/ },
];
for (const c of failures) {
  test(`a failing plugin: ${c.name}`, async () => {
    const command = c.command ?? plugin(c.body ?? '').path;
    const source = new ExecCredentialPlugin(config(command, c.extra), { user: 'me', timeoutMs: 1_500 });
    await assert.rejects(source.credential(), (e: Error) => {
      assert.match(e.message, c.error);
      assert.ok(!e.message.includes(SECRET), `no credential in: ${e.message}`);
      return true;
    });
  });
}

test('after a failure the next request runs the plugin again', async () => {
  const p = plugin(`if (run === 1) process.exit(1); print({ token: 'tok-' + run });`);
  const api = createApiServer({ server: 'https://c' }, { name: 'me', exec: config(p.path) });
  await assert.rejects(api.credentials(), /exit code 1$/);
  assert.equal((await api.credentials()).headers.authorization, 'Bearer tok-2');
});
