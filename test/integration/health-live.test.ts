// Health live: the real crotel, with a config that only lists kinds, against a real apiserver
// serving the operators' real CRDs (Flux, Prometheus Operator, CloudNativePG from
// ../shared/fixtures; cert-manager's Certificate and a Widget written here), spans through the
// real Collector. Objects are driven the way their controllers drive them — spec on create,
// status through the status subresource, with the statuses those operators really write — through
// healthy → degraded → healthy and suspended, and the test reads the judgement back twice: the
// k8s_object_health series on /metrics and the lifecycle trace the Collector exported.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startCollector, type Collector } from '../../harness/collector.ts';
import { startControlPlane, type ControlPlane } from '../../harness/control-plane.ts';
import { startCrotel, type CrotelProcess } from '../../harness/crotel-process.ts';
import { applyCrds, ensureNamespace, readYamlDocuments } from '../../harness/kube.ts';
import { attributesOf, startOtlpSink, type OtlpSink, type OtlpSpan } from '../../harness/otlp-sink.ts';
import { waitFor } from '../../harness/processes.ts';
import { parseExposition } from '../../harness/prom-text.ts';

const SHARED = new URL('../../../shared/fixtures/', import.meta.url).pathname;
// The shared fixtures sit beside the checkout (../shared); a worktree elsewhere finds them at /work/shared.
const FIXTURES = existsSync(SHARED) ? SHARED : '/work/shared/fixtures/';
const LOCAL = new URL('../fixtures/health-live/', import.meta.url).pathname;
const CONFIG = `${LOCAL}crotel.yaml`;
const NS = 'live';

interface Kind { readonly group: string; readonly version: string; readonly kind: string; readonly plural: string }
const KUSTOMIZATION: Kind = { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', kind: 'Kustomization', plural: 'kustomizations' };
const PROMETHEUS: Kind = { group: 'monitoring.coreos.com', version: 'v1', kind: 'Prometheus', plural: 'prometheuses' };
const CLUSTER: Kind = { group: 'postgresql.cnpg.io', version: 'v1', kind: 'Cluster', plural: 'clusters' };
const CERTIFICATE: Kind = { group: 'cert-manager.io', version: 'v1', kind: 'Certificate', plural: 'certificates' };
const WIDGET: Kind = { group: 'live.crotel.dev', version: 'v1', kind: 'Widget', plural: 'widgets' };

let cp: ControlPlane;
let sink: OtlpSink;
let collector: Collector;
let crotel: CrotelProcess;

before(async () => {
  cp = await startControlPlane();
  for (const crd of [
    'flux-kustomization/crd-kustomizations.kustomize.toolkit.fluxcd.io.yaml',
    'prometheus-operator/crd-prometheuses.monitoring.coreos.com.yaml',
    'cloudnative-pg/crd-clusters.postgresql.cnpg.io.yaml',
  ]) await applyCrds(cp, FIXTURES + crd);
  await applyCrds(cp, `${LOCAL}crds.yaml`);
  await ensureNamespace(cp, NS);
  sink = await startOtlpSink();
  collector = await startCollector({ exportTo: sink.endpoint });
  crotel = await startCrotel({
    args: ['--config', CONFIG, '--kubeconfig', cp.kubeconfigPath],
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttpEndpoint, OTEL_METRIC_EXPORT_INTERVAL: '60000' },
  });
});

after(async () => {
  await crotel?.stop();
  await collector?.stop();
  await sink?.close();
  await cp?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const collection = (k: Kind) => `/apis/${k.group}/${k.version}/namespaces/${NS}/${k.plural}`;
type Obj = Record<string, unknown> & { metadata: Record<string, unknown>; spec?: Record<string, unknown>; status?: Record<string, unknown> };

/** The first document of a shared fixture file. */
function fixture(file: string): Obj {
  const [doc] = readYamlDocuments(FIXTURES + file);
  assert.ok(doc, file);
  return doc as Obj;
}

/** A fixture's status as the operator would write it now: every condition moved at `at`. */
function statusNow(status: Record<string, unknown> | undefined, at: Date, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const copy = structuredClone(status ?? {});
  const stamp = at.toISOString().replace(/\.\d+Z$/, 'Z');
  for (const c of (copy.conditions as Record<string, unknown>[] | undefined) ?? []) c.lastTransitionTime = stamp;
  return { ...copy, ...extra };
}

/** The next whole second: successive transitions get distinct lastTransitionTimes, as on a real controller. */
async function nextSecond(): Promise<Date> {
  await sleep(1000 - (Date.now() % 1000) + 5);
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}

async function create(k: Kind, name: string, spec: unknown, annotations?: Record<string, string>): Promise<{ uid: string; generation: number }> {
  const res = await cp.raw('POST', collection(k), {
    apiVersion: `${k.group}/${k.version}`, kind: k.kind, metadata: { name, namespace: NS, ...(annotations ? { annotations } : {}) }, spec,
  });
  assert.equal(res.status, 201, res.body);
  const meta = (JSON.parse(res.body) as Obj).metadata as { uid: string; generation: number };
  return { uid: meta.uid, generation: meta.generation };
}

/** Replaces the whole status (PUT on /status), as a controller's status update does. */
async function putStatus(k: Kind, name: string, status: Record<string, unknown>): Promise<void> {
  const current = JSON.parse((await cp.raw('GET', `${collection(k)}/${name}`)).body) as Obj;
  const res = await cp.raw('PUT', `${collection(k)}/${name}/status`, { ...current, status });
  assert.equal(res.status, 200, res.body);
}

async function patchSpec(k: Kind, name: string, spec: Record<string, unknown>): Promise<number> {
  const res = await cp.raw('PATCH', `${collection(k)}/${name}`, { spec });
  assert.equal(res.status, 200, res.body);
  return ((JSON.parse(res.body) as Obj).metadata as { generation: number }).generation;
}

/** The object's k8s_object_health series: state → value. */
async function healthSeries(k: Kind, name: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const prefix = 'k8s_object_health{';
  for (const [key, value] of parseExposition(await crotel.scrape())) {
    if (!key.startsWith(prefix)) continue;
    if (!key.includes(`k8s_object_kind="${k.kind}"`) || !key.includes(`k8s_object_group="${k.group}"`)) continue;
    if (!key.includes(`k8s_object_name="${name}"`) || !key.includes(`k8s_namespace_name="${NS}"`)) continue;
    out.set(/k8s_object_health="([a-z_]+)"/.exec(key)![1]!, value);
  }
  return out;
}

/** Waits until /metrics says `state` for the object: that state 1, each of the other six 0. */
async function healthIs(k: Kind, name: string, state: string): Promise<void> {
  let last = new Map<string, number>();
  try {
    await waitFor(`${k.kind} ${name} ${state}`, async () => {
      last = await healthSeries(k, name);
      return last.get(state) === 1 && last.size === 7 && [...last].every(([s, v]) => v === (s === state ? 1 : 0));
    }, 15_000);
  } catch (error) {
    throw new Error(`${k.kind} ${name}: expected ${state}, /metrics has ${JSON.stringify(Object.fromEntries(last))}`, { cause: error });
  }
}

async function openEpisodes(k: Kind): Promise<number> {
  const series = parseExposition(await crotel.scrape());
  const key = [...series.keys()].find((s) => s.startsWith('crotel_episodes_open{') && s.includes(`k8s_object_kind="${k.kind}"`) && s.includes(`k8s_object_group="${k.group}"`));
  return key === undefined ? 0 : series.get(key)!;
}

const spansOf = (uid: string): OtlpSpan[] => sink.spans().filter((s) => attributesOf(s.attributes)['k8s.object.uid'] === uid);
const rootsOf = (k: Kind, uid: string): OtlpSpan[] => spansOf(uid).filter((s) => s.name === `reconcile ${k.kind}`);

async function roots(k: Kind, uid: string, n: number): Promise<OtlpSpan[]> {
  await waitFor(`${n} ${k.kind} root span(s)`, async () => rootsOf(k, uid).length >= n, 20_000);
  // The children of the last episode were handed out before its root; give their batch a moment.
  await sleep(300);
  return rootsOf(k, uid).sort((a, b) => Number(BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano)));
}

function childrenOf(uid: string, root: OtlpSpan): string[] {
  return spansOf(uid).filter((s) => s.traceId === root.traceId && s.parentSpanId === root.spanId).map((s) => s.name).sort();
}

const STATUS_OK = 1;
const STATUS_ERROR = 2;

/** Checks the episode root a recovery produced: degraded trigger, OK, and why on the root. */
function assertRecovered(root: OtlpSpan, reason: string): void {
  const a = attributesOf(root.attributes);
  assert.equal(a['crotel.episode.trigger'], 'degraded');
  assert.equal(a['crotel.episode.outcome'], 'succeeded');
  assert.equal(root.status?.code, STATUS_OK, 'a recovered degradation ends OK');
  assert.equal(a['crotel.health.state'], 'degraded');
  assert.equal(a['crotel.health.reason'], reason);
}

test('catalog kinds live: healthy → degraded → healthy, suspended, failed', { concurrency: true }, async (t) => {
  await Promise.all([
    t.test('cert-manager Certificate (CRD written here): no status yet, Ready, DoesNotExist, Ready again', async () => {
      const { uid } = await create(CERTIFICATE, 'web-tls', { secretName: 'web-tls', dnsNames: ['shop.example.com'], issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' } });
      await healthIs(CERTIFICATE, 'web-tls', 'in_progress'); // a fresh Certificate is being issued, not healthy
      const ready = (at: Date) => ({
        notBefore: at.toISOString().replace(/\.\d+Z$/, 'Z'), notAfter: '2027-03-01T00:00:00Z', revision: 1,
        conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired', lastTransitionTime: at.toISOString().replace(/\.\d+Z$/, 'Z'), observedGeneration: 1 }],
      });
      await putStatus(CERTIFICATE, 'web-tls', ready(await nextSecond()));
      await healthIs(CERTIFICATE, 'web-tls', 'current');
      const at = await nextSecond();
      await putStatus(CERTIFICATE, 'web-tls', {
        revision: 1, failedIssuanceAttempts: 1, lastFailureTime: at.toISOString().replace(/\.\d+Z$/, 'Z'),
        conditions: [{ type: 'Ready', status: 'False', reason: 'DoesNotExist', message: 'Issuing certificate as Secret does not exist', lastTransitionTime: at.toISOString().replace(/\.\d+Z$/, 'Z'), observedGeneration: 1 }],
      });
      await healthIs(CERTIFICATE, 'web-tls', 'degraded');
      await putStatus(CERTIFICATE, 'web-tls', ready(await nextSecond()));
      await healthIs(CERTIFICATE, 'web-tls', 'current');

      const [created, recovered] = await roots(CERTIFICATE, uid, 2);
      const c = attributesOf(created!.attributes);
      assert.equal(c['crotel.episode.trigger'], 'created');
      assert.equal(c['crotel.episode.outcome'], 'succeeded');
      assert.equal(created!.status?.code, STATUS_OK);
      assert.equal(c['crotel.health.state'], 'in_progress', 'the creation episode says why it was not healthy');
      assertRecovered(recovered!, 'cert-manager.io/Certificate rule 2: Ready=False (DoesNotExist)');
      assert.notEqual(recovered!.traceId, created!.traceId, 'a degradation is its own trace');
      assert.deepEqual(childrenOf(uid, recovered!), ['condition Ready=False']);
    }),

    t.test('Flux Kustomization (real CRD, statuses from Flux): Ready, ArtifactFailed, Ready; spec.suspend opens no episode', async () => {
      const ready = fixture('flux-kustomization/kustomization-ready.yaml');
      const broken = fixture('flux-kustomization/kustomization-source-not-found.yaml');
      const progressing = fixture('flux-kustomization/kustomization-progressing.yaml');
      const { uid, generation } = await create(KUSTOMIZATION, 'apps', ready.spec);
      // kustomize-controller always writes status.observedGeneration (the CRD defaults it to -1).
      await putStatus(KUSTOMIZATION, 'apps', statusNow(ready.status, await nextSecond(), { observedGeneration: generation }));
      await healthIs(KUSTOMIZATION, 'apps', 'current');
      await putStatus(KUSTOMIZATION, 'apps', statusNow(broken.status, await nextSecond(), { observedGeneration: generation }));
      await healthIs(KUSTOMIZATION, 'apps', 'degraded');
      await putStatus(KUSTOMIZATION, 'apps', statusNow(ready.status, await nextSecond(), { observedGeneration: generation }));
      await healthIs(KUSTOMIZATION, 'apps', 'current');
      const [created, recovered] = await roots(KUSTOMIZATION, uid, 2);
      assert.equal(attributesOf(created!.attributes)['crotel.episode.trigger'], 'created');
      assertRecovered(recovered!, 'kustomize.toolkit.fluxcd.io/Kustomization rule 3: Ready=False (ArtifactFailed)');
      assert.deepEqual(childrenOf(uid, recovered!), ['condition Ready=False']);

      // Suspending is a spec change, but a suspended object is not being reconciled: no episode.
      const suspendedAt = await patchSpec(KUSTOMIZATION, 'apps', { suspend: true });
      await healthIs(KUSTOMIZATION, 'apps', 'suspended');
      await sleep(1500);
      assert.equal(await openEpisodes(KUSTOMIZATION), 0, 'suspended: no episode open');
      assert.equal(rootsOf(KUSTOMIZATION, uid).length, 2, 'suspending produced no trace');

      // Resuming is a spec change the controller has to catch up with: one spec_change episode,
      // open until status.observedGeneration reaches the generation, then OK.
      const resumed = await patchSpec(KUSTOMIZATION, 'apps', { suspend: false });
      assert.ok(resumed > suspendedAt);
      await healthIs(KUSTOMIZATION, 'apps', 'current'); // Ready=True still stands: Flux's own rule
      await sleep(1500);
      assert.equal(await openEpisodes(KUSTOMIZATION), 1, 'the spec change waits for the controller');
      assert.equal(rootsOf(KUSTOMIZATION, uid).length, 2, 'not ended before the controller observed it');
      await putStatus(KUSTOMIZATION, 'apps', statusNow(progressing.status, await nextSecond(), { observedGeneration: generation }));
      await healthIs(KUSTOMIZATION, 'apps', 'in_progress');
      await putStatus(KUSTOMIZATION, 'apps', statusNow(ready.status, await nextSecond(), { observedGeneration: resumed }));
      await healthIs(KUSTOMIZATION, 'apps', 'current');
      const all = await roots(KUSTOMIZATION, uid, 3);
      assert.equal(all.length, 3, all.map((r) => JSON.stringify(attributesOf(r.attributes))).join('\n'));
      const change = attributesOf(all[2]!.attributes);
      assert.equal(change['crotel.episode.trigger'], 'spec_change');
      assert.equal(change['crotel.episode.outcome'], 'succeeded');
      assert.equal(change['k8s.object.generation'], String(resumed));
      assert.equal(all[2]!.status?.code, STATUS_OK);
      assert.equal(await openEpisodes(KUSTOMIZATION), 0);
    }),

    t.test('Prometheus (real CRD, statuses from the operator): Available=True, NoPodReady, Available=True', async () => {
      const healthy = fixture('prometheus-operator/prometheus-available-sharded.yaml');
      const down = fixture('prometheus-operator/prometheus-unavailable-kube-prom-stack.yaml');
      const { uid } = await create(PROMETHEUS, 'k8s', healthy.spec);
      await healthIs(PROMETHEUS, 'k8s', 'in_progress');
      await putStatus(PROMETHEUS, 'k8s', statusNow(healthy.status, await nextSecond()));
      await healthIs(PROMETHEUS, 'k8s', 'current');
      await putStatus(PROMETHEUS, 'k8s', statusNow(down.status, await nextSecond()));
      await healthIs(PROMETHEUS, 'k8s', 'degraded');
      await putStatus(PROMETHEUS, 'k8s', statusNow(healthy.status, await nextSecond()));
      await healthIs(PROMETHEUS, 'k8s', 'current');
      const [created, recovered] = await roots(PROMETHEUS, uid, 2);
      assert.equal(attributesOf(created!.attributes)['crotel.episode.trigger'], 'created');
      assertRecovered(recovered!, 'monitoring.coreos.com/Prometheus rule 4: Available not True (NoPodReady)');
      assert.deepEqual(childrenOf(uid, recovered!), ['condition Available=False', 'condition Reconciled=True']);
    }),

    t.test('CloudNativePG Cluster (real CRD, statuses from CNPG): healthy, failing over, healthy, hibernated', async () => {
      const healthy = fixture('cloudnative-pg/cluster-healthy.yaml');
      const failing = fixture('cloudnative-pg/cluster-failing-over.yaml');
      const hibernated = fixture('cloudnative-pg/cluster-hibernated.yaml');
      const { uid } = await create(CLUSTER, 'pg', healthy.spec);
      await putStatus(CLUSTER, 'pg', statusNow(healthy.status, await nextSecond()));
      await healthIs(CLUSTER, 'pg', 'current');
      await putStatus(CLUSTER, 'pg', statusNow(failing.status, await nextSecond()));
      await healthIs(CLUSTER, 'pg', 'degraded');
      await putStatus(CLUSTER, 'pg', statusNow(healthy.status, await nextSecond()));
      await healthIs(CLUSTER, 'pg', 'current');
      const [created, recovered] = await roots(CLUSTER, uid, 2);
      assert.equal(attributesOf(created!.attributes)['crotel.episode.trigger'], 'created');
      assertRecovered(recovered!, 'postgresql.cnpg.io/Cluster rule 4: phase degraded (Failing over)');
      assert.deepEqual(childrenOf(uid, recovered!), ['condition ContinuousArchiving=True', 'condition Ready=False', 'phase Failing over']);

      // Hibernation is written by the operator into status (a condition): suspended, no episode.
      await putStatus(CLUSTER, 'pg', statusNow(hibernated.status, await nextSecond()));
      await healthIs(CLUSTER, 'pg', 'suspended');
      await sleep(1500);
      assert.equal(await openEpisodes(CLUSTER), 0);
      assert.equal(rootsOf(CLUSTER, uid).length, 2, 'hibernating produced no trace');
    }),

    t.test('Widget judged by Flux healthCheckExprs from the config: Ready=False is failed, the episode ends ERROR', async () => {
      const { uid } = await create(WIDGET, 'w1', { size: 3 });
      await healthIs(WIDGET, 'w1', 'in_progress');
      const at = (await nextSecond()).toISOString().replace(/\.\d+Z$/, 'Z');
      await putStatus(WIDGET, 'w1', { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'False', reason: 'OutOfQuota', message: 'quota exceeded', lastTransitionTime: at }] });
      await healthIs(WIDGET, 'w1', 'failed');
      const [root] = await roots(WIDGET, uid, 1);
      const a = attributesOf(root!.attributes);
      assert.equal(a['crotel.episode.outcome'], 'failed');
      assert.equal(root!.status?.code, STATUS_ERROR);
      assert.equal(root!.status?.message, 'healthCheckExprs live.crotel.dev/Widget rule 1: healthCheckExprs failed');
      assert.equal(a['crotel.health.state'], 'failed');
    }),
  ]);
});
