// The watch's own HTTP/1.1 connection (src/kube/watch-stream.ts) against a real apiserver: client
// certificate identities, every change delivered in order with or without coalescing, a refused
// watch reported with the apiserver's reason, a kubeconfig proxy-url (undici's ProxyAgent), and
// idle connections kept for the next request (a silent watch's probe every 10 s).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, createServer, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import type { ApiServer } from '../../src/kube/credentials.ts';
import { loadKubeConfig } from '../../src/kube/kubeconfig.ts';
import { kubeListerWatcher, type ListerWatcher } from '../../src/kube/lister-watcher.ts';
import { Reflector, type ReflectorSink } from '../../src/kube/reflector.ts';
import { issueClientCert } from '../../harness/certs.ts';
import { startControlPlane, type ControlPlane } from '../../harness/control-plane.ts';
import { createInstance, setStatus } from '../../harness/databaseinstances.ts';
import { applyCrds, ensureNamespace } from '../../harness/kube.ts';
import { startTcpProxy, type TcpProxy } from '../../harness/tcp-proxy.ts';
import { kubeGetJson } from '../../src/kube/http.ts';
import { waitFor } from '../../harness/processes.ts';

const DB_CRD = new URL('../../examples/databaseinstance/crd.yaml', import.meta.url).pathname;
const DB_REF = { group: 'stable.example.com', version: 'v1', kind: 'DatabaseInstance' };
const NS = 'watch-transport';

let cp: ControlPlane;

before(async () => {
  cp = await startControlPlane();
  await applyCrds(cp, DB_CRD);
  await ensureNamespace(cp, NS);
});

after(async () => {
  await cp?.stop();
});

/** A kubeconfig whose user authenticates with a client certificate from the test CA (no token). */
function certificateKubeConfig(user: string, groups: readonly string[], proxyUrl?: string): ApiServer {
  return loadKubeConfig({ kubeconfig: cp.writeKubeconfig(user, issueClientCert(cp.dir, user, groups), proxyUrl ? { proxyUrl } : {}) });
}

interface Seen { name: string; phase: string | undefined; batch: number }

/** Records what a reflector delivers; `batch` tells apart deliveries made in different turns. */
function recordingSink(): { sink: ReflectorSink; seen: Seen[] } {
  const seen: Seen[] = [];
  let batch = 0;
  let turnEnds = false;
  const record = (object: unknown): void => {
    if (!turnEnds) {
      turnEnds = true;
      setImmediate(() => {
        turnEnds = false;
        batch++;
      });
    }
    const o = object as { metadata?: { name?: string }; status?: { phase?: string } };
    seen.push({ name: o.metadata?.name ?? '', phase: o.status?.phase, batch });
  };
  return {
    seen,
    sink: { beginList: () => undefined, listPage: (items) => items.forEach(record), endList: () => undefined, upsert: record, remove: () => undefined },
  };
}

const PHASES = ['Pending', 'Provisioning', 'Running', 'Failed'];

/** A proxy's tunnel: connects to host:port, answers `reply` once connected, then pipes both ways. */
function tunnel(client: Socket, host: string, port: number, reply: string | Buffer, sockets: Set<Socket>): void {
  const upstream = connect(port, host, () => {
    client.write(reply);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  sockets.add(upstream);
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
}

/**
 * A reflector on `apiServer` (whose kubeconfig names a proxy) sees an object change; every tunnel
 * the proxy opened went to the apiserver. `close` shuts the proxy down afterwards.
 */
async function watchThroughProxy(apiServer: ApiServer, name: string, tunnels: readonly string[], close: () => void): Promise<void> {
  await createInstance(cp, NS, name, { engine: 'postgres', version: '16', storageGB: 1 }, { phase: 'Pending' });
  const { sink, seen } = recordingSink();
  const reflector = new Reflector({ apiServer, ref: DB_REF, namespace: NS, sink });
  reflector.start();
  try {
    await waitFor('the watch to open', async () => reflector.state === 'watching', 20_000);
    await setStatus(cp, NS, name, { phase: 'Running' });
    await waitFor(`the change of ${name} through the proxy`, async () => seen.some((s) => s.name === name && s.phase === 'Running'), 20_000);
    const apiserver = new URL(cp.server).host;
    assert.ok(tunnels.length >= 1 && tunnels.every((t) => t === apiserver), `tunnels: ${tunnels.join(', ')}`);
  } finally {
    await reflector.stop();
    close();
  }
}

test('over a client-certificate identity every change arrives, in order, whether coalesced or not', async () => {
  const kc = certificateKubeConfig('crotel-cert-admin', ['system:masters']);
  for (const coalesceMs of [0, 1000]) {
    const name = `ordered-${coalesceMs}`;
    const others = Array.from({ length: 8 }, (_, i) => `burst-${coalesceMs}-${i}`);
    await createInstance(cp, NS, name, { engine: 'postgres', version: '16', storageGB: 1 }, { phase: 'Pending' });
    for (const other of others) await createInstance(cp, NS, other, { engine: 'mysql', version: '8', storageGB: 1 }, { phase: 'Pending' });
    const { sink, seen } = recordingSink();
    const reflector = new Reflector({ apiServer: kc, ref: DB_REF, namespace: NS, sink, coalesceMs });
    reflector.start();
    try {
      await waitFor('the watch to open', async () => reflector.state === 'watching', 20_000);
      const listed = seen.length;
      // One object walks through 12 phases one write after another: the watch must show each.
      const written = Array.from({ length: 12 }, (_, i) => PHASES[(i + 1) % PHASES.length]!);
      for (const phase of written) await setStatus(cp, NS, name, { phase });
      // Eight others change at once: with a coalescing window they reach the sink together.
      await Promise.all(others.map((other) => setStatus(cp, NS, other, { phase: 'Running' })));
      await waitFor('every change to arrive', async () => seen.slice(listed).filter((s) => s.name.startsWith('burst-') && s.phase === 'Running').length === others.length, 20_000);
      assert.deepEqual(seen.slice(listed).filter((s) => s.name === name).map((s) => s.phase), written, `coalesceMs ${coalesceMs}`);
      if (coalesceMs > 0) {
        const bursts = new Set(seen.slice(listed).filter((s) => s.name.startsWith('burst-')).map((s) => s.batch));
        // At most the first alone (if it came after a quiet spell), then the rest together; without
        // coalescing they arrive in about one turn per TCP read (4 of 8 turns seen here).
        assert.ok(bursts.size <= 2, `8 changes at once reached the sink in ${bursts.size} separate turns`);
      }
    } finally {
      await reflector.stop();
    }
  }
});

test('a watch the identity may not open is reported with the apiserver reason, and retried', async () => {
  // May list DatabaseInstances but not watch them.
  for (const [path, body] of [
    ['/apis/rbac.authorization.k8s.io/v1/clusterroles', { metadata: { name: 'db-list-only' }, rules: [{ apiGroups: ['stable.example.com'], resources: ['databaseinstances'], verbs: ['list'] }] }],
    ['/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { metadata: { name: 'db-list-only' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'db-list-only' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'crotel-cert-lister' }] }],
  ] as const) {
    const res = await cp.raw('POST', path, body);
    assert.equal(res.status, 201, res.body);
  }
  const kc = certificateKubeConfig('crotel-cert-lister', []);
  const failures: { stage: string; message: string }[] = [];
  const { sink } = recordingSink();
  const reflector = new Reflector({
    apiServer: kc, ref: DB_REF, namespace: NS, sink,
    observer: { failed: (stage, error) => failures.push({ stage, message: error instanceof Error ? error.message : String(error) }) },
  });
  reflector.start();
  try {
    await waitFor('the refused watch to be reported twice (retried)', async () => failures.filter((f) => f.stage === 'watch').length >= 2, 30_000);
    assert.ok(reflector.synced, 'the list itself succeeded');
    const watchFailure = failures.find((f) => f.stage === 'watch')!;
    assert.match(watchFailure.message, /HTTP 403/);
    assert.match(watchFailure.message, /cannot watch resource "databaseinstances"/);
  } finally {
    await reflector.stop();
  }
});

test('with a proxy-url in the kubeconfig, list and watch go through the proxy', async () => {
  // A minimal HTTP CONNECT proxy that counts the tunnels it opens.
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const proxy = createServer((client) => {
    sockets.add(client);
    client.once('data', (head: Buffer) => {
      const target = /^CONNECT ([^ ]+) HTTP/.exec(head.toString('latin1'))?.[1];
      if (!target) return client.destroy();
      tunnels.push(target);
      const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
      tunnel(client, host, port, 'HTTP/1.1 200 Connection Established\r\n\r\n', sockets);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as { port: number };
  // Requests share one kept-alive tunnel (the pool is kept per kubeconfig); none went direct.
  await watchThroughProxy(certificateKubeConfig('crotel-cert-proxied', ['system:masters'], `http://127.0.0.1:${port}`), 'proxied', tunnels, () => {
    for (const socket of sockets) socket.destroy();
    proxy.close();
  });
});

test('with a socks5 proxy-url, list and watch go through the SOCKS proxy', async () => {
  // A minimal SOCKS5 server (RFC 1928: no authentication, CONNECT only) that counts its tunnels.
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const proxy = createServer((client) => {
    sockets.add(client);
    client.once('data', (greeting: Buffer) => {
      if (greeting[0] !== 5) return client.destroy();
      client.write(Buffer.from([5, 0]));
      client.once('data', (request: Buffer) => {
        if (request[1] !== 1) return client.destroy();
        let host: string;
        let at: number;
        if (request[3] === 1) [host, at] = [[...request.subarray(4, 8)].join('.'), 8];
        else if (request[3] === 3) [host, at] = [request.subarray(5, 5 + request[4]!).toString('latin1'), 5 + request[4]!];
        else return client.destroy();
        const port = request.readUInt16BE(at);
        tunnels.push(`${host}:${port}`);
        tunnel(client, host, port, Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]), sockets);
      });
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as { port: number };
  await watchThroughProxy(certificateKubeConfig('crotel-cert-socks', ['system:masters'], `socks5://127.0.0.1:${port}`), 'socks', tunnels, () => {
    for (const socket of sockets) socket.destroy();
    proxy.close();
  });
});

/** A kubeconfig with the admin token whose server is a counting proxy in front of the apiserver
 *  (the proxy ends TLS, so a client certificate would not reach the apiserver). */
async function behindCountingProxy(user: string): Promise<{ api: ApiServer; proxy: TcpProxy }> {
  const proxy = await startTcpProxy({ upstreamPort: Number(new URL(cp.server).port), tls: { cert: readFileSync(join(cp.dir, 'serving.crt'), 'utf8'), key: readFileSync(join(cp.dir, 'serving.key'), 'utf8'), ca: cp.caCertPem } });
  const path = cp.writeKubeconfig(user, cp.adminToken);
  writeFileSync(path, readFileSync(path, 'utf8').replace(cp.server, `https://127.0.0.1:${proxy.port}`));
  return { api: loadKubeConfig({ kubeconfig: path }), proxy };
}

test('requests seconds apart share one connection: an idle one is kept, not closed after 4 s', async () => {
  // undici closes an idle connection after 4 s unless told otherwise; a silent watch is probed
  // every 10 s (a TLS handshake per probe was most of an idle crotel's CPU).
  const { api, proxy } = await behindCountingProxy('idle-keepalive');
  try {
    for (let i = 0; i < 2; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 6000));
      await kubeGetJson(api, `/apis/stable.example.com/v1/namespaces/${NS}/databaseinstances?limit=1`);
    }
    assert.equal(proxy.accepted, 1, 'the second request reused the first one\'s connection');
  } finally {
    await proxy.close();
  }
});

test('a silent watch\'s probes reuse a pooled connection: no new connection per probe', async () => {
  const { api, proxy } = await behindCountingProxy('probe-reuse');
  const { sink } = recordingSink();
  const http = kubeListerWatcher(api);
  let probes = 0;
  const listerWatcher: ListerWatcher = {
    discover: (ref, signal) => http.discover(ref, signal),
    list: (resource, request, signal) => http.list(resource, request, signal),
    watch(resource, request, signal, onBytes, onStart) {
      if (request.probe) probes++;
      return http.watch(resource, request, signal, onBytes, onStart);
    },
  };
  const reflector = new Reflector({ listerWatcher, ref: DB_REF, namespace: `${NS}-quiet`, sink, probeAfterMs: 1500 });
  reflector.start();
  try {
    await waitFor('the watch to open', async () => reflector.state === 'watching', 20_000);
    const opened = proxy.accepted; // discovery and list over the pool, the watch on its own
    await new Promise((resolve) => setTimeout(resolve, 9000)); // a probe after 1.5 s of silence, each 1 s long
    assert.ok(probes >= 3, `${probes} probes ran`);
    const added = proxy.accepted - opened;
    assert.ok(added <= 1, `${probes} probes opened ${added} new connections`);
    assert.equal(reflector.state, 'watching', 'a quiet collection: the probes found nothing');
  } finally {
    await reflector.stop();
    await proxy.close();
  }
});
