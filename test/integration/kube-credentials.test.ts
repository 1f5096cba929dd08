// crotel's own kubeconfig credentials (src/kube/credentials.ts, exec-credential.ts) against a real
// apiserver: an exec plugin whose first token is refused (401) is run again and the watch comes
// up; a rotated tokenFile is picked up without a restart; a client certificate from a plugin is
// the TLS identity.
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadKubeConfig } from '../../src/kube/kubeconfig.ts';
import { Reflector, type ReflectorSink } from '../../src/kube/reflector.ts';
import { issueClientCert } from '../../harness/certs.ts';
import { startControlPlane, type ControlPlane } from '../../harness/control-plane.ts';
import { createInstance } from '../../harness/databaseinstances.ts';
import { applyCrds, ensureNamespace } from '../../harness/kube.ts';
import { waitFor } from '../../harness/processes.ts';

const DB_CRD = new URL('../../examples/databaseinstance/crd.yaml', import.meta.url).pathname;
const DB_REF = { group: 'stable.example.com', version: 'v1', kind: 'DatabaseInstance' };
const NS = 'kube-credentials';
const V1 = 'client.authentication.k8s.io/v1';

let cp: ControlPlane;

before(async () => {
  cp = await startControlPlane();
  await applyCrds(cp, DB_CRD);
  await ensureNamespace(cp, NS);
  await createInstance(cp, NS, 'one', { engine: 'postgres', version: '16', storageGB: 1 }, { phase: 'Running' });
});

after(async () => {
  await cp?.stop();
});

function kubeconfig(name: string, user: Record<string, unknown>): string {
  const path = join(cp.dir, `${name}.kubeconfig`);
  writeFileSync(path, JSON.stringify({
    apiVersion: 'v1', kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: cp.server, 'certificate-authority-data': Buffer.from(cp.caCertPem).toString('base64') } }],
    users: [{ name, user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: name } }],
    'current-context': 'x',
  }));
  return path;
}

/** A plugin printing `statusOf(run)` (JavaScript over `run`, counted in `<name>.runs`). */
function plugin(name: string, statusOf: string): { path: string; runs: () => number } {
  const path = join(cp.dir, `${name}.mjs`);
  const runs = join(cp.dir, `${name}.runs`);
  writeFileSync(path, `#!${process.execPath}
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
const run = (existsSync(${JSON.stringify(runs)}) ? Number(readFileSync(${JSON.stringify(runs)}, 'utf8')) : 0) + 1;
writeFileSync(${JSON.stringify(runs)}, String(run));
process.stdout.write(JSON.stringify({ apiVersion: ${JSON.stringify(V1)}, kind: 'ExecCredential', status: ${statusOf} }));
`);
  chmodSync(path, 0o755);
  return { path, runs: () => Number(readFileSync(runs, 'utf8')) };
}

async function syncs(kubeconfigPath: string, failures: string[] = []): Promise<void> {
  const names: string[] = [];
  const record = (o: unknown): void => void names.push((o as { metadata: { name: string } }).metadata.name);
  const sink: ReflectorSink = { beginList: () => undefined, listPage: (items) => items.forEach(record), endList: () => undefined, upsert: record, remove: () => undefined };
  const reflector = new Reflector({
    apiServer: loadKubeConfig({ kubeconfig: kubeconfigPath }), ref: DB_REF, namespace: NS, sink,
    observer: { failed: (_stage, error) => failures.push(error instanceof Error ? error.message : String(error)) },
  });
  reflector.start();
  try {
    await waitFor('the reflector to list and watch', async () => reflector.state === 'watching' && names.includes('one'), 30_000);
  } finally {
    await reflector.stop();
  }
}

test('an exec plugin whose token the apiserver refuses (401) is run again, and the watch comes up', async () => {
  const p = plugin('flaky-plugin', `run === 1 ? { token: 'not-a-valid-token' } : { token: ${JSON.stringify(cp.adminToken)} }`);
  const failures: string[] = [];
  await syncs(kubeconfig('exec-user', { exec: { apiVersion: V1, command: p.path, interactiveMode: 'Never' } }), failures);
  assert.ok(failures.some((f) => /HTTP 401/.test(f)), failures.join('\n'));
  assert.ok(failures.every((f) => !f.includes(cp.adminToken) && !f.includes('not-a-valid-token')), 'no token in an error');
  assert.equal(p.runs(), 2, 'one run refused, one run accepted and cached');
});

test('a tokenFile rotated while crotel runs is picked up without a restart', async () => {
  const tokenFile = join(cp.dir, 'rotating-token');
  writeFileSync(tokenFile, 'expired-token\n');
  const failures: string[] = [];
  const waiting = syncs(kubeconfig('file-user', { tokenFile }), failures);
  await waitFor('the first token to be refused', async () => failures.some((f) => /HTTP 401/.test(f)), 20_000);
  writeFileSync(`${tokenFile}.new`, cp.adminToken);
  renameSync(`${tokenFile}.new`, tokenFile);
  await waiting;
});

test('a client certificate from an exec plugin is the TLS identity', async () => {
  const { certPem, keyPem } = issueClientCert(cp.dir, 'crotel-exec-cert', ['system:masters']);
  const p = plugin('cert-plugin', JSON.stringify({ clientCertificateData: certPem, clientKeyData: keyPem, expirationTimestamp: new Date(Date.now() + 3_600_000).toISOString() }));
  await syncs(kubeconfig('cert-user', { exec: { apiVersion: V1, command: p.path } }));
  assert.equal(p.runs(), 1);
});
