// Kubeconfig loading as kubectl does it (src/kube/kubeconfig.ts): the order of sources, $KUBECONFIG
// merged first-wins, paths relative to their file, context selection, the in-cluster service
// account, and errors that name the file and the place — never a credential.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { inClusterApiServer, loadKubeConfig, mergeKubeconfigs, parseKubeconfig, type KubeConfigOptions } from '../../src/kube/kubeconfig.ts';

const root = mkdtempSync(join(tmpdir(), 'crotel-kubeconfig-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const newDir = (): string => {
  const dir = join(root, `d${n++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};

const PEM = (what: string): string => `-----BEGIN CERTIFICATE-----\n${Buffer.from(what).toString('base64')}\n-----END CERTIFICATE-----\n`;
const b64 = (text: string): string => Buffer.from(text).toString('base64');
const SECRET = 's3cr3t-T0KEN-value';

interface Doc {
  clusters?: { name: string; cluster: Record<string, unknown> }[];
  users?: { name: string; user: Record<string, unknown> }[];
  contexts?: { name: string; context: Record<string, unknown> }[];
  'current-context'?: string;
}

function write(dir: string, name: string, doc: Doc | string): string {
  const file = join(dir, name);
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify({ apiVersion: 'v1', kind: 'Config', ...doc }));
  return file;
}

/** One cluster, user and context named `name`, current. */
function simple(name: string, server: string, user: Record<string, unknown> = { token: `token-${name}` }): Doc {
  return {
    clusters: [{ name, cluster: { server } }],
    users: [{ name, user }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  };
}

/** No KUBECONFIG, an empty home, not in a pod: only what the test passes counts. */
function isolated(extra: Partial<KubeConfigOptions> & { env?: NodeJS.ProcessEnv } = {}): KubeConfigOptions {
  return { home: newDir(), serviceAccountDir: join(newDir(), 'none'), ...extra, env: { ...extra.env } };
}

const auth = async (options: KubeConfigOptions): Promise<string | undefined> => {
  const headers = (await loadKubeConfig(options).credentials()).headers;
  return headers.authorization as string | undefined;
};

describe('sources in kubectl order', () => {
  test('--kubeconfig wins over $KUBECONFIG, ~/.kube/config and the service account', async () => {
    const dir = newDir();
    const flag = write(dir, 'flag', simple('flag', 'https://flag:6443'));
    const env = write(dir, 'env', simple('env', 'https://env:6443'));
    const options = isolated({ kubeconfig: flag, env: { KUBECONFIG: env, KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' } });
    assert.equal(loadKubeConfig(options).server, 'https://flag:6443');
    assert.equal(await auth(options), 'Bearer token-flag');
  });

  test('$KUBECONFIG wins over ~/.kube/config', () => {
    const home = newDir();
    mkdirSync(join(home, '.kube'));
    write(join(home, '.kube'), 'config', simple('home', 'https://home:6443'));
    const env = write(newDir(), 'env', simple('env', 'https://env:6443'));
    assert.equal(loadKubeConfig(isolated({ home, env: { KUBECONFIG: env } })).server, 'https://env:6443');
    assert.equal(loadKubeConfig(isolated({ home })).server, 'https://home:6443');
  });

  test('the service account only when no kubeconfig file exists', () => {
    const sa = newDir();
    writeFileSync(join(sa, 'token'), 'sa-token');
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    assert.equal(loadKubeConfig(isolated({ serviceAccountDir: sa, env })).server, 'https://10.96.0.1:443');
    assert.equal(loadKubeConfig(isolated({ serviceAccountDir: sa, env: { ...env, KUBECONFIG: join(sa, 'missing') } })).server, 'https://10.96.0.1:443');
  });

  test('nothing at all: the message says where crotel looked', () => {
    assert.throws(() => loadKubeConfig(isolated()), { message: 'no kubeconfig: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run in a pod' });
    assert.throws(() => loadKubeConfig(isolated({ env: { KUBECONFIG: '/nope/a:/nope/b' } })), /none of the files in KUBECONFIG exists \(\/nope\/a, \/nope\/b\)/);
    assert.throws(() => loadKubeConfig(isolated({ kubeconfig: '/nope/config' })), { message: '--kubeconfig /nope/config: no such file' });
  });
});

describe('$KUBECONFIG merged first-wins', () => {
  test('the first file to name a cluster, user or context wins; missing files are skipped', async () => {
    const dir = newDir();
    const a = write(dir, 'a', {
      clusters: [{ name: 'shared', cluster: { server: 'https://from-a:6443' } }],
      users: [{ name: 'me', user: { token: 'token-a' } }],
      contexts: [{ name: 'work', context: { cluster: 'shared', user: 'me' } }],
    });
    const b = write(dir, 'b', {
      clusters: [{ name: 'shared', cluster: { server: 'https://from-b:6443' } }, { name: 'only-b', cluster: { server: 'https://only-b:6443' } }],
      users: [{ name: 'me', user: { token: 'token-b' } }],
      contexts: [{ name: 'work', context: { cluster: 'only-b', user: 'me' } }, { name: 'other', context: { cluster: 'only-b', user: 'me' } }],
      'current-context': 'work',
    });
    const options = isolated({ env: { KUBECONFIG: [join(dir, 'missing'), a, b, a].join(':') } });
    // current-context comes from b (a sets none), but context "work", its cluster and user from a.
    assert.equal(loadKubeConfig(options).server, 'https://from-a:6443');
    assert.equal(await auth(options), 'Bearer token-a');
    assert.equal(loadKubeConfig({ ...options, context: 'other' }).server, 'https://only-b:6443');
  });

  test('current-context from the first file that sets one', () => {
    const dir = newDir();
    const a = write(dir, 'a', { ...simple('x', 'https://x:1'), 'current-context': 'x' });
    const b = write(dir, 'b', { ...simple('y', 'https://y:1'), 'current-context': 'y' });
    assert.equal(loadKubeConfig(isolated({ env: { KUBECONFIG: `${b}:${a}` } })).server, 'https://y:1');
    assert.equal(loadKubeConfig(isolated({ env: { KUBECONFIG: `${a}:${b}` } })).server, 'https://x:1');
  });

  test('mergeKubeconfigs keeps the list of files and each entry its origin', () => {
    const merged = mergeKubeconfigs([parseKubeconfig(JSON.stringify(simple('a', 'https://a')), '/k/one'), parseKubeconfig(JSON.stringify(simple('a', 'https://b')), '/k/two')]);
    assert.deepEqual(merged.files, ['/k/one', '/k/two']);
    assert.equal(merged.clusters.get('a')?.origin.file, '/k/one');
    assert.equal(merged.currentContext?.file, '/k/one');
  });
});

describe('paths relative to their kubeconfig file', () => {
  test('certificate-authority, client-certificate, client-key and tokenFile resolve against the file, not the working directory', async () => {
    const dir = newDir();
    mkdirSync(join(dir, 'pki'));
    writeFileSync(join(dir, 'pki', 'ca.pem'), PEM('ca'));
    writeFileSync(join(dir, 'pki', 'me.pem'), PEM('me'));
    writeFileSync(join(dir, 'pki', 'me-key.pem'), PEM('key'));
    writeFileSync(join(dir, 'token'), 'file-token\n');
    const file = write(dir, 'config', {
      clusters: [{ name: 'c', cluster: { server: 'https://c:6443', 'certificate-authority': 'pki/ca.pem' } }],
      users: [{ name: 'u', user: { 'client-certificate': './pki/me.pem', 'client-key': 'pki/me-key.pem', tokenFile: 'token' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    });
    const { headers, tls } = await loadKubeConfig(isolated({ kubeconfig: file })).credentials();
    assert.equal(headers.authorization, 'Bearer file-token');
    assert.equal(tls.ca, PEM('ca'));
    assert.equal(tls.cert, PEM('me'));
    assert.equal(tls.key, PEM('key'));
  });

  test('the -data fields win over the files', async () => {
    const file = write(newDir(), 'config', {
      clusters: [{ name: 'c', cluster: { server: 'https://c', 'certificate-authority': '/nope/ca.pem', 'certificate-authority-data': b64(PEM('inline-ca')) } }],
      users: [{ name: 'u', user: { 'client-certificate-data': b64(PEM('cert')), 'client-key-data': b64(PEM('key')) } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    });
    const { headers, tls } = await loadKubeConfig(isolated({ kubeconfig: file })).credentials();
    assert.deepEqual(tls, { ca: PEM('inline-ca'), cert: PEM('cert'), key: PEM('key') });
    assert.equal(headers.authorization, undefined);
  });
});

describe('context selection and overrides', () => {
  const dir = newDir();
  const file = write(dir, 'config', {
    clusters: [{ name: 'a', cluster: { server: 'https://a:6443/' } }, { name: 'b', cluster: { server: 'b.example:6443', 'tls-server-name': 'api.b', 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'ua', user: { token: 'ta' } }, { name: 'ub', user: { username: 'admin', password: 'pw' } }],
    contexts: [{ name: 'a', context: { cluster: 'a', user: 'ua' } }, { name: 'b', context: { cluster: 'b', user: 'ub', namespace: 'x' } }, { name: 'anonymous', context: { cluster: 'a' } }],
    'current-context': 'a',
  });

  test('current-context by default; the trailing slash of server dropped', () => {
    assert.equal(loadKubeConfig(isolated({ kubeconfig: file })).server, 'https://a:6443');
  });

  test('--context picks another; a server without a scheme is https, as in client-go', async () => {
    const api = loadKubeConfig(isolated({ kubeconfig: file, context: 'b' }));
    assert.equal(api.server, 'https://b.example:6443');
    const { headers, tls } = await api.credentials();
    assert.equal(headers.authorization, `Basic ${b64('admin:pw')}`);
    assert.deepEqual(tls, { rejectUnauthorized: false, servername: 'api.b' });
  });

  test('a context without a user sends no credentials', async () => {
    assert.deepEqual((await loadKubeConfig(isolated({ kubeconfig: file, context: 'anonymous' })).credentials()).headers, {});
  });

  test('--context that does not exist names the ones there are', () => {
    assert.throws(() => loadKubeConfig(isolated({ kubeconfig: file, context: 'prod' })), { message: '--context prod: no such context in the kubeconfig (have: a, b, anonymous)' });
  });

  test('--master replaces the context cluster\'s server, keeping its TLS settings', async () => {
    const api = loadKubeConfig(isolated({ kubeconfig: file, context: 'b', master: 'https://10.1.1.1:443' }));
    assert.equal(api.server, 'https://10.1.1.1:443');
    assert.equal((await api.credentials()).tls.servername, 'api.b');
  });
});

describe('users', () => {
  const config = (user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string => write(newDir(), 'config', {
    clusters: [{ name: 'c', cluster: { server: 'https://c', ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  });

  test('a legacy auth-provider with an id-token: the id-token is the bearer token', async () => {
    assert.equal(await auth(isolated({ kubeconfig: config({ 'auth-provider': { name: 'oidc', config: { 'id-token': 'eyJ.id.token', 'refresh-token': 'r' } } }) })), 'Bearer eyJ.id.token');
  });

  test('a legacy auth-provider without one: use an exec plugin', () => {
    assert.throws(() => loadKubeConfig(isolated({ kubeconfig: config({ 'auth-provider': { name: 'gcp', config: { 'access-token': SECRET } } }) })), (e: Error) => {
      assert.match(e.message, /config:\d+:\d+: user "u": auth-provider "gcp" is not supported .*use an exec credential plugin/);
      assert.ok(!e.message.includes(SECRET));
      return true;
    });
  });

  test('impersonation: as, as-uid, as-groups, as-user-extra become Impersonate-* headers', async () => {
    const { headers } = await loadKubeConfig(isolated({ kubeconfig: config({ token: 't', as: 'jane', 'as-uid': '42', 'as-groups': ['dev', 'ops'], 'as-user-extra': { 'acme.com/team': ['a'] } }) })).credentials();
    assert.deepEqual(headers, { authorization: 'Bearer t', 'impersonate-user': 'jane', 'impersonate-uid': '42', 'impersonate-group': ['dev', 'ops'], 'impersonate-extra-acme.com%2Fteam': ['a'] });
  });

  test('proxy-url: http, https and socks5 are taken; another scheme is refused', () => {
    assert.equal(loadKubeConfig(isolated({ kubeconfig: config({}, { 'proxy-url': 'http://proxy:3128' }) })).proxyUrl, 'http://proxy:3128');
    assert.equal(loadKubeConfig(isolated({ kubeconfig: config({}, { 'proxy-url': 'socks5://proxy:1080' }) })).proxyUrl, 'socks5://proxy:1080');
    assert.throws(() => loadKubeConfig(isolated({ kubeconfig: config({}, { 'proxy-url': 'ftp://proxy' }) })), /clusters\[0\]\.cluster\["proxy-url"\]: expected an http, https or socks5 URL, got scheme "ftp"/);
  });
});

describe('in-cluster', () => {
  test('server from KUBERNETES_SERVICE_HOST/PORT (IPv6 bracketed), the CA and a token re-read when it rotates', async () => {
    const sa = newDir();
    writeFileSync(join(sa, 'token'), 'first\n');
    writeFileSync(join(sa, 'ca.crt'), PEM('cluster-ca'));
    const api = inClusterApiServer({ serviceAccountDir: sa, env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' } });
    assert.equal(api.server, 'https://[fd00::1]:443');
    const first = await api.credentials();
    assert.equal(first.headers.authorization, 'Bearer first');
    assert.equal(first.tls.ca, PEM('cluster-ca'));
    // The kubelet rotates a projected token by swapping the file under the path.
    writeFileSync(join(sa, 'token.new'), 'second');
    renameSync(join(sa, 'token.new'), join(sa, 'token'));
    assert.equal((await api.credentials()).headers.authorization, 'Bearer second');
  });

  test('no token mounted, or the port missing: said plainly', () => {
    const sa = newDir();
    assert.throws(() => inClusterApiServer({ serviceAccountDir: sa, env: { KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: '1' } }), /in-cluster: .*\/token: no such file \(is a service account token mounted\?\)/);
    assert.throws(() => inClusterApiServer({ serviceAccountDir: sa, env: { KUBERNETES_SERVICE_HOST: 'h' } }), /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set/);
  });
});

describe('bad kubeconfigs: the file, the place, what is wrong, no credential', () => {
  const cases: { name: string; doc: Doc | string; error: RegExp; options?: Partial<KubeConfigOptions> }[] = [
    { name: 'bad YAML, with its line', doc: `apiVersion: v1\nusers:\n- name: u\n  user:\n    token: ${SECRET}: x\n`, error: /config:5:\d+: not valid YAML: / },
    { name: 'a duplicate key', doc: `apiVersion: v1\ncurrent-context: a\ncurrent-context: b\n`, error: /config:3:1: not valid YAML: Map keys must be unique/ },
    { name: 'a field of the wrong type', doc: { ...simple('a', 'https://a'), users: [{ name: 'a', user: { token: 12345 } }] }, error: /config:1:\d+: users\[0\]\.user\.token: expected a string, got a number/ },
    { name: 'an entry without a name', doc: { clusters: [{ name: '', cluster: {} }] }, error: /clusters\[0\]: has no name/ },
    { name: 'a name twice in one file', doc: { ...simple('a', 'https://a'), clusters: [{ name: 'a', cluster: { server: 'https://a' } }, { name: 'a', cluster: {} }] }, error: /clusters\[1\]\.name: "a" is defined twice in this file/ },
    { name: 'current-context names no context', doc: { ...simple('a', 'https://a'), 'current-context': 'gone' }, error: /config: current-context "gone" is not one of the contexts \(have: a\)/ },
    { name: 'no current-context and no --context', doc: { ...simple('a', 'https://a'), 'current-context': '' }, error: /config: no current-context set; pass --context \(have: a\)/ },
    { name: 'no current-context with --master', doc: { ...simple('a', 'https://a'), 'current-context': '' }, error: /^--master given but the kubeconfig has no current cluster$/, options: { master: 'https://m' } },
    { name: 'the context\'s cluster is missing', doc: { ...simple('a', 'https://a'), clusters: [] }, error: /config:\d+:\d+: context "a": cluster "a" is not defined in .*config \(have: none\)/ },
    { name: 'the context\'s user is missing', doc: { ...simple('a', 'https://a'), users: [{ name: 'other', user: { token: SECRET } }] }, error: /context "a": user "a" is not defined in .*config \(have: other\)/ },
    { name: 'a cluster without server', doc: { ...simple('a', 'https://a'), clusters: [{ name: 'a', cluster: {} }] }, error: /cluster "a": has no server/ },
    { name: 'a CA with insecure-skip-tls-verify', doc: { ...simple('a', 'https://a'), clusters: [{ name: 'a', cluster: { server: 'https://a', 'certificate-authority-data': b64(PEM('ca')), 'insecure-skip-tls-verify': true } }] }, error: /certificate-authority and insecure-skip-tls-verify are both set/ },
    { name: '-data that is not base64 of PEM', doc: { ...simple('a', 'https://a', { 'client-certificate-data': b64(SECRET), 'client-key-data': b64(PEM('k')) }) }, error: /users\[0\]\.user\["client-certificate-data"\]: expected base64 of PEM text/ },
    { name: 'token and basic auth together', doc: simple('a', 'https://a', { token: SECRET, username: 'u', password: SECRET }), error: /user "a": more than one authentication method \(token, basic auth \(username\/password\)\); only one is allowed/ },
    { name: 'a client certificate without key', doc: simple('a', 'https://a', { 'client-certificate-data': b64(PEM('c')) }), error: /user "a": client-certificate without client-key/ },
    { name: 'an exec plugin of a removed API version', doc: simple('a', 'https://a', { exec: { apiVersion: 'client.authentication.k8s.io/v1alpha1', command: 'x' } }), error: /users\[0\]\.user\.exec\.apiVersion: expected one of client\.authentication\.k8s\.io\/v1, client\.authentication\.k8s\.io\/v1beta1, got "client\.authentication\.k8s\.io\/v1alpha1"/ },
    { name: 'an exec plugin without command', doc: simple('a', 'https://a', { exec: { apiVersion: 'client.authentication.k8s.io/v1' } }), error: /users\[0\]\.user\.exec: has no command/ },
    { name: 'a document that is a list', doc: '- a\n- b\n', error: /config:1:1: \(root\): expected a mapping, got a list/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const file = write(newDir(), 'config', c.doc);
      assert.throws(() => loadKubeConfig(isolated({ kubeconfig: file, ...c.options })), (e: Error) => {
        assert.match(e.message, c.error);
        assert.ok(!e.message.includes(SECRET), `no credential in: ${e.message}`);
        return true;
      });
    });
  }

  test('an unreadable file (here a directory) is named with the reason', () => {
    const dir = newDir();
    mkdirSync(join(dir, 'config'));
    assert.throws(() => loadKubeConfig(isolated({ kubeconfig: join(dir, 'config') })), /config: cannot read the kubeconfig \(EISDIR\)/);
  });

  test('a missing certificate file is named when first needed, without the token', async () => {
    const file = write(newDir(), 'config', simple('a', 'https://a', { token: SECRET, 'client-certificate': 'nope.pem', 'client-key': 'nope-key.pem' }));
    await assert.rejects(loadKubeConfig(isolated({ kubeconfig: file })).credentials(), (e: Error) => {
      assert.match(e.message, /user "a": client-certificate .*nope\.pem: cannot read \(ENOENT\)/);
      assert.ok(!e.message.includes(SECRET));
      return true;
    });
  });
});
