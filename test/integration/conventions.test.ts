// The OTLP push path as the shipped Deployment runs it: two replicas (leader election, the
// Downward API's pod identity in the environment, service.name crotel) push through the real
// Collector into a real Prometheus (the shipped prometheus.yml and rules, OTLP receiver on), and
// both replicas' series survive there side by side, told apart by `instance` (service.instance.id
// = the pod uid). And the opposite case: a Collector that refuses connections, or accepts them
// and never answers, costs crotel its shutdown deadline and no more — exit 0, what was not sent
// counted and logged, the log rate-limited. And `crotel run --context`, as kubectl users expect.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { startCollector, type Collector } from '../../harness/collector.ts';
import { startControlPlane, type ControlPlane } from '../../harness/control-plane.ts';
import { startCrotel, type CrotelProcess } from '../../harness/crotel-process.ts';
import { createInstance, setStatus } from '../../harness/databaseinstances.ts';
import { applyCrds, ensureNamespace } from '../../harness/kube.ts';
import { freePort, makeTempDir, waitFor } from '../../harness/processes.ts';
import { parseExposition } from '../../harness/prom-text.ts';
import { startPrometheus, type Prometheus } from '../../harness/prometheus.ts';

const root = new URL('../../', import.meta.url).pathname;
const DB_CRD = `${root}examples/databaseinstance/crd.yaml`;
const REFERENCE = `${root}examples/databaseinstance/crotel.yaml`;
const RULES = `${root}prometheus/rules/databaseinstance.yml`;
const NS = 'replicas';
const LEASE_NS = 'crotel-system';
const spec = { engine: 'postgres' as const, version: '16', storageGB: 20 };

let cp: ControlPlane;
let prometheus: Prometheus;
let collector: Collector;
const running: CrotelProcess[] = [];

before(async () => {
  cp = await startControlPlane();
  await applyCrds(cp, DB_CRD);
  await ensureNamespace(cp, NS);
  await ensureNamespace(cp, LEASE_NS);
  await createInstance(cp, NS, 'orders', spec, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] });
  await createInstance(cp, NS, 'billing', spec, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] });
  await createInstance(cp, NS, 'ledger', spec, { phase: 'Failed', conditions: [{ type: 'Ready', status: 'False', reason: 'VolumeLost' }] });
});

after(async () => {
  for (const p of running) await p.stop('SIGKILL');
  await collector?.stop();
  await prometheus?.stop();
  await cp?.stop();
});

/** A replica as deploy/base/deployment.yaml starts it: --leader-elect, Downward API variables, OTEL_SERVICE_NAME. */
async function replica(pod: { name: string; uid: string; node: string }): Promise<CrotelProcess> {
  const p = await startCrotel({
    args: ['--config', REFERENCE, '--kubeconfig', cp.kubeconfigPath, '--leader-elect'],
    env: {
      CROTEL_LOG_LEVEL: 'info',
      K8S_POD_NAME: pod.name, K8S_POD_UID: pod.uid, K8S_NAMESPACE_NAME: LEASE_NS, K8S_NODE_NAME: pod.node, POD_NAMESPACE: LEASE_NS,
      OTEL_SERVICE_NAME: 'crotel',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttpEndpoint,
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      OTEL_RESOURCE_ATTRIBUTES: 'k8s.cluster.name=replicas-test',
      // The harness Collector sends every signal to Prometheus, which takes metrics only.
      OTEL_TRACES_EXPORTER: 'none',
    },
  });
  running.push(p);
  return p;
}

test('two replicas push through the Collector into Prometheus: both sets of series survive, one instance each', async () => {
  prometheus = await startPrometheus();
  collector = await startCollector({ exportTo: prometheus.otlpEndpoint, encoding: 'proto' });
  const pods = [
    { name: 'crotel-7d9f-a', uid: randomUUID(), node: 'node-a' },
    { name: 'crotel-7d9f-b', uid: randomUUID(), node: 'node-b' },
  ];
  await Promise.all(pods.map((pod) => replica(pod)));

  // Every object's series, once per replica, under job crotel with instance = the pod uid.
  const perInstance = async (): Promise<Record<string, number>> => Object.fromEntries(
    (await prometheus.query('count by (instance) (database_instance_storage_gb{job="crotel", namespace="replicas"})'))
      .map((s) => [s.metric.instance ?? '', Number(s.value[1])]));
  await waitFor('both replicas\' object series in Prometheus', async () => Object.keys(await perInstance()).length === 2, 60_000, 500);
  assert.deepEqual(await perInstance(), Object.fromEntries(pods.map((p) => [p.uid, 3])));

  // The resource tells them apart in target_info: the Downward API identity, per instance.
  const info = await prometheus.query('target_info{job="crotel"}');
  assert.deepEqual(
    info.map((s) => [s.metric.instance, s.metric.k8s_pod_name, s.metric.k8s_pod_uid, s.metric.k8s_node_name, s.metric.k8s_namespace_name]).sort(),
    pods.map((p) => [p.uid, p.name, p.uid, p.node, LEASE_NS]).sort());
  for (const s of info) {
    assert.equal(s.metric.service_name ?? 'crotel', 'crotel'); // job carries service.name
    assert.equal(s.metric.telemetry_sdk_language, 'nodejs');
    assert.ok(s.metric.host_name, 'host.name on the resource');
    assert.ok(s.metric.process_pid, 'process.pid on the resource');
  }

  // Self-metrics of both replicas (both list and watch; only the leader emits lifecycle data).
  const build = await prometheus.query('crotel_build_info{job="crotel"}');
  assert.deepEqual(build.map((s) => s.metric.instance).sort(), pods.map((p) => p.uid).sort());
  const up = await prometheus.query('crotel_watch_up{job="crotel"}');
  assert.deepEqual(up.map((s) => s.metric.instance).sort(), pods.map((p) => p.uid).sort());

  // Survive = two series that both keep receiving samples (collided, they would be one series
  // whose second writer's samples Prometheus rejects as duplicates / out of order).
  await new Promise((r) => setTimeout(r, 6000));
  const samples = await prometheus.query('count_over_time(database_instance_storage_gb{job="crotel", name="orders"}[5s])');
  assert.equal(samples.length, 2, JSON.stringify(samples));
  for (const s of samples) assert.ok(Number(s.value[1]) >= 3, `${s.metric.instance}: ${s.value[1]} samples in 5 s at a 1 s push`);

  // The shipped alert expression aggregates the replicas away: one result for the failed instance.
  const rules = parseYaml(readFileSync(RULES, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
  const failed = rules.groups.flatMap((g) => g.rules).find((r) => r.alert === 'DatabaseInstanceFailed')!;
  const firing = await prometheus.query(failed.expr);
  assert.deepEqual(firing.map((s) => `${s.metric.namespace}/${s.metric.name}`), ['replicas/ledger']);
  assert.equal(firing[0]!.metric.instance, undefined);

  for (const p of running.splice(0)) assert.equal(await p.stop('SIGTERM'), 0);
});

/** Accepts TCP connections and never answers: a Collector that hangs. */
async function blackhole(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

const SHUTDOWN_SECONDS = 3;

for (const kind of ['refuses connections', 'accepts and never answers'] as const) {
  test(`a Collector that ${kind}: failures counted and logged (rate-limited), SIGTERM exits 0 within --shutdown-timeout`, async () => {
    const hole = kind === 'accepts and never answers' ? await blackhole() : undefined;
    const endpoint = hole?.endpoint ?? `http://127.0.0.1:${await freePort()}`; // nothing listens there
    const name = `unsent-${hole ? 'hang' : 'refused'}`;
    try {
      const p = await startCrotel({
        args: ['--config', REFERENCE, '--kubeconfig', cp.kubeconfigPath, '--shutdown-timeout', String(SHUTDOWN_SECONDS)],
        env: { CROTEL_LOG_LEVEL: 'info', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_METRIC_EXPORT_INTERVAL: '300', OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '250' },
      });
      running.push(p);
      // A finished episode: a span waits in the queue for a Collector that is not there.
      await createInstance(cp, NS, name, spec);
      await setStatus(cp, NS, name, { phase: 'Pending' });
      await setStatus(cp, NS, name, { phase: 'Running' });

      const failures = async (): Promise<number> => parseExposition(await p.scrape()).get('crotel_export_failures_total{signal="metrics"}') ?? 0;
      await waitFor('metric export failures counted', async () => (await failures()) >= 3, 30_000, 200);
      type Line = { level: string; msg: string; component?: string; points?: number; failedExports?: number; err?: string };
      const logged = p.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
      const mine = logged.filter((l) => l.msg.startsWith('metrics export failed'));
      // The limiter lets one line through per 30 s; it carries the count so far.
      assert.equal(mine.length, 1, JSON.stringify(mine));
      assert.equal(mine[0]!.level, 'warn');
      assert.ok(mine[0]!.points! > 0 && mine[0]!.failedExports! >= 1 && mine[0]!.err !== '', JSON.stringify(mine[0]));
      // Nothing about the failing exports repeats, the SDK's own diagnostics included (numbers
      // masked: "retry time 4947ms" and "retry time 5000ms" are one message).
      const aboutExports = logged.filter((l) => l.component === 'otel-sdk' || /export/i.test(l.msg));
      const counts = new Map<string, number>();
      for (const l of aboutExports) counts.set(`${l.level} ${l.msg.replace(/\d+/g, '#')}`, (counts.get(`${l.level} ${l.msg.replace(/\d+/g, '#')}`) ?? 0) + 1);
      assert.deepEqual([...counts].filter(([, n]) => n > 1), [], 'repeated export lines');
      assert.ok(aboutExports.every((l) => !l.msg.startsWith('{')), 'SDK errors logged by message, not as JSON stacks');

      const started = Date.now();
      const code = await p.stop('SIGTERM');
      const elapsed = Date.now() - started;
      running.splice(running.indexOf(p), 1);
      assert.equal(code, 0, p.output().slice(-2000));
      assert.ok(elapsed <= SHUTDOWN_SECONDS * 1000 + 500, `stopped in ${elapsed} ms`);
      const out = p.output();
      assert.doesNotMatch(out, /shutdown timed out/);
      assert.match(out, /"msg":"stopped"/);
      // The span that never left is accounted for, not silently lost.
      const unsent = out.split('\n').filter((l) => l.includes('lifecycle spans not sent before the deadline')).map((l) => JSON.parse(l) as { count: number; total: number });
      assert.equal(unsent.length, 1, out.slice(-2000));
      assert.ok(unsent[0]!.count >= 1);
    } finally {
      await hole?.close();
    }
  });
}

test('crotel run --context picks a context other than the current one', async () => {
  // The current context points at a server that does not exist; the named one is the test cluster.
  interface Kubeconfig { clusters: { name: string; cluster: Record<string, unknown> }[]; contexts: { name: string; context: { cluster: string; user: string } }[]; 'current-context': string }
  const config = parseYaml(readFileSync(cp.kubeconfigPath, 'utf8')) as Kubeconfig;
  const good = config.contexts[0]!;
  config.clusters.push({ name: 'nowhere', cluster: { server: `https://127.0.0.1:${await freePort()}`, 'insecure-skip-tls-verify': true } });
  config.contexts.push({ name: 'broken', context: { cluster: 'nowhere', user: good.context.user } });
  config['current-context'] = 'broken';
  const dir = makeTempDir('crotel-context-');
  const kubeconfig = `${dir}/config`;
  writeFileSync(kubeconfig, toYaml(config), { mode: 0o600 });
  try {
    const p = await startCrotel({ args: ['--config', REFERENCE, '--kubeconfig', kubeconfig, '--context', good.name], env: { CROTEL_LOG_LEVEL: 'info' } });
    running.push(p);
    const series = parseExposition(await p.scrape());
    assert.equal(series.get('database_instance_storage_gb{engine="postgres",name="orders",namespace="replicas",version="16"}'), 20);
    assert.equal(await p.stop('SIGTERM'), 0);
    running.splice(running.indexOf(p), 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
