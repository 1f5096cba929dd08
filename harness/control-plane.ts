// A real etcd + kube-apiserver for one test file, the way controller-runtime's envtest does
// it: loopback ports picked at start, a temp data dir, self-signed certs, RBAC on, token
// identities, and a kubeconfig for tests and the product. stop() (and any exit of the test
// process) removes everything it started.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { binaryPath } from './binaries.ts';
import { createPki } from './certs.ts';
import { freePort, GiveUp, makeTempDir, removeTempDir, startProcess, waitFor, type Managed } from './processes.ts';

export interface ControlPlane {
  readonly server: string; // https://127.0.0.1:port
  readonly caCertPem: string;
  /** Token in system:masters. */
  readonly adminToken: string;
  /** Token of user `crotel-test-nobody`, which no role binds. */
  readonly unprivilegedToken: string;
  /** Kubeconfig file with the admin identity. */
  readonly kubeconfigPath: string;
  readonly dir: string;
  /** etcd's client URL (plain HTTP on loopback), e.g. for compaction in 410 tests. */
  readonly etcdUrl: string;
  /** Process ids of etcd and kube-apiserver (for tests of the harness itself). */
  readonly pids: readonly number[];
  /**
   * Writes a kubeconfig for another identity — a bearer token (e.g. a service account's) or a
   * client certificate — optionally through an HTTP proxy, and returns its path.
   */
  writeKubeconfig(name: string, credentials: string | ClientCertificate, options?: { proxyUrl?: string }): string;
  kubeConfig(token?: string): KubeConfig;
  /** GET/POST… against the apiserver with the admin token; returns status and body text. */
  raw(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: string }>;
  /** Compacts etcd's history up to now: watches from older resourceVersions then get 410 Gone. */
  compactEtcd(): Promise<number>;
  /** Stops kube-apiserver (etcd keeps its data), waits downMs, starts it again on the same port. */
  restartApiserver(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ClientCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

function kubeconfigYaml(server: string, caPem: string, user: string, credentials: string | ClientCertificate, proxyUrl?: string): string {
  const b64 = (pem: string): string => Buffer.from(pem).toString('base64');
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'crotel-test', cluster: { server, 'certificate-authority-data': b64(caPem), ...(proxyUrl ? { 'proxy-url': proxyUrl } : {}) } }],
    users: [{
      name: user,
      user: typeof credentials === 'string' ? { token: credentials } : { 'client-certificate-data': b64(credentials.certPem), 'client-key-data': b64(credentials.keyPem) },
    }],
    contexts: [{ name: 'crotel-test', context: { cluster: 'crotel-test', user, namespace: 'default' } }],
    'current-context': 'crotel-test',
  });
}

function httpsRequest(
  server: string, ca: string, token: string, method: string, path: string, body?: unknown,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = request(new URL(path, server), {
      method,
      ca,
      headers: {
        authorization: `Bearer ${token}`,
        ...(payload ? { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' } : {}),
      },
      timeout: 10_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    if (payload) req.write(payload);
    req.end();
  });
}

/**
 * Free ports are found by binding and releasing them, so on a busy machine another process can
 * take one before etcd or kube-apiserver binds it: such a start is retried on fresh ports.
 */
export async function startControlPlane(attempts = 3): Promise<ControlPlane> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce();
    } catch (error) {
      if (attempt >= attempts || !/address already in use/.test(String(error))) throw error;
    }
  }
}

async function startOnce(): Promise<ControlPlane> {
  const apiserverBin = binaryPath('kube-apiserver');
  const etcdBin = binaryPath('etcd');
  const dir = makeTempDir('crotel-cp-');
  const processes: Managed[] = [];
  try {
    const pki = createPki(dir);
    const [etcdClientPort, etcdPeerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const adminToken = randomBytes(16).toString('hex');
    const unprivilegedToken = randomBytes(16).toString('hex');
    const tokenFile = join(dir, 'tokens.csv');
    writeFileSync(tokenFile, [
      `${adminToken},crotel-test-admin,crotel-test-admin,"system:masters"`,
      `${unprivilegedToken},crotel-test-nobody,crotel-test-nobody`,
    ].join('\n') + '\n');

    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    const etcd = startProcess('etcd', etcdBin, [
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeerPort}`,
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ], dir);
    processes.push(etcd);
    await waitFor('etcd /health', async () => {
      if (etcd.child.exitCode !== null) throw new GiveUp(`etcd exited: ${readFileSync(etcd.logFile, 'utf8').slice(-2000)}`);
      const res = await fetch(`${etcdUrl}/health`);
      return res.ok;
    }, 30_000);

    const server = `https://127.0.0.1:${apiPort}`;
    const apiserverArgs = [
      `--etcd-servers=${etcdUrl}`,
      `--secure-port=${apiPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      '--endpoint-reconciler-type=none',
      `--cert-dir=${join(dir, 'apiserver-certs')}`,
      `--tls-cert-file=${pki.servingCert}`,
      `--tls-private-key-file=${pki.servingKey}`,
      `--client-ca-file=${pki.caCert}`,
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--authorization-mode=RBAC',
      `--token-auth-file=${tokenFile}`,
      '--disable-admission-plugins=ServiceAccount',
      '--allow-privileged=true',
      '--v=0',
    ];
    const caCertPem = readFileSync(pki.caCert, 'utf8');
    const startApiserver = async (): Promise<Managed> => {
      const proc = startProcess('kube-apiserver', apiserverBin, apiserverArgs, dir);
      processes.push(proc);
      await waitFor('kube-apiserver /readyz', async () => {
        if (proc.child.exitCode !== null) {
          throw new GiveUp(`kube-apiserver exited: ${readFileSync(proc.logFile, 'utf8').slice(-2000)}`);
        }
        return (await httpsRequest(server, caCertPem, adminToken, 'GET', '/readyz')).status === 200;
      }, 60_000);
      return proc;
    };
    let apiserver = await startApiserver();

    const writeKubeconfig = (name: string, credentials: string | ClientCertificate, options: { proxyUrl?: string } = {}): string => {
      const path = join(dir, `${name}.kubeconfig`);
      writeFileSync(path, kubeconfigYaml(server, caCertPem, name, credentials, options.proxyUrl), { mode: 0o600 });
      return path;
    };
    const kubeconfigPath = writeKubeconfig('admin', adminToken);
    let stopped = false;

    return {
      server,
      caCertPem,
      adminToken,
      unprivilegedToken,
      kubeconfigPath,
      dir,
      etcdUrl,
      get pids() {
        return [etcd.child.pid ?? -1, apiserver.child.pid ?? -1];
      },
      writeKubeconfig,
      kubeConfig(token = adminToken) {
        const kc = new KubeConfig();
        kc.loadFromString(kubeconfigYaml(server, caCertPem, 'test', token));
        return kc;
      },
      raw: (method, path, body, token = adminToken) => httpsRequest(server, caCertPem, token, method, path, body),
      async compactEtcd() {
        // etcd's JSON gateway: read the current revision, then compact everything before it.
        const range = await fetch(`${etcdUrl}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: Buffer.from('/').toString('base64') }) });
        const revision = Number(((await range.json()) as { header: { revision: string } }).header.revision);
        const res = await fetch(`${etcdUrl}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision, physical: true }) });
        if (!res.ok) throw new Error(`etcd compaction: ${res.status} ${await res.text()}`);
        return revision;
      },
      async restartApiserver(downMs = 0) {
        await apiserver.stop(3000);
        if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
        apiserver = await startApiserver();
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        // The apiserver first: with etcd gone it lingers long after SIGTERM.
        await apiserver.stop(3000);
        await etcd.stop(3000);
        removeTempDir(dir);
      },
    };
  } catch (error) {
    for (const p of processes.reverse()) await p.stop(1000);
    removeTempDir(dir);
    throw error;
  }
}
