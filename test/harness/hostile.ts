// Random hostile inputs for property tests: objects whose every field may be an attacker's
// string (lone surrogates, quotes, newlines, huge exponents, credential shapes with a planted
// marker), and random native and kube-state-metrics configs built from names and paths that
// include the collisions validate must refuse. `scrape` runs them through the same stages as
// `crotel run` (compile → store → exposition, plus the self-metrics trailer).
import fc from 'fast-check';
import { stringify } from 'yaml';
import { ConfigError, parseConfigText, type Config } from '../../src/config/index.ts';
import { compileConfig, createRedactor } from '../../src/extract/index.ts';
import { isRejection } from '../../src/extract/guard.ts';
import { compileKsmConfig, parseKsmConfig, type KsmConfig } from '../../src/ksm/index.ts';
import { ksmNameConflicts } from '../../src/ksm/crosscheck.ts';
import { renderExposition } from '../../src/metrics/exposition.ts';
import { createTelemetry } from '../../src/metrics/telemetry.ts';
import type { CompiledResource } from '../../src/model.ts';
import { SeriesBudget } from '../../src/state/budget.ts';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { ResourceStore } from '../../src/state/store.ts';
import { uniqueObjects } from '../../src/render.ts';

export const MARKER = 'PLANTED';

/** Credential shapes, each hiding the marker where redaction must remove it. */
export const SECRETS: readonly string[] = [
  `postgres://app:${MARKER}pw1@db:5432/x`,
  `host=db user=app password=${MARKER}pw2 dbname=x`,
  `Server=db;Database=x;User Id=sa;Password=${MARKER}pw3;`,
  `jdbc:mysql://db/x?user=a&password=${MARKER}pw4&ssl=1`,
  `Authorization: Bearer ${MARKER}tok5en`,
  `AKIA${MARKER}123456789`,
  `app:${MARKER}pw6@tcp(db:3306)/x`,
  `https://api.example.com/v1?token=${MARKER}tok7&x=1`,
  `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.${MARKER}sig8`,
  `-----BEGIN PRIVATE KEY-----\n${MARKER}key9\n-----END PRIVATE KEY-----`,
  `DefaultEndpointsProtocol=https;AccountName=a;AccountKey=${MARKER}k10==;EndpointSuffix=core.windows.net`,
  `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"x":"${MARKER}d11"}}\n`,
  `{"kind":"Widget","spec":{"adminPassword":"${MARKER}pw12","engine":"pg"}}`,
];

const AWKWARD = ['', ' ', '"', '\\', '\n', '\uD800', 'a\uDC00b', '\uDBFF', '😀', 'é', '{}', '[1]', 'Unknown', 'True', 'False', '1e-999999999', '1e999999999', '-0', 'NaN', '+Inf', '0001-01-01T00:00:00Z', '0099-12-31T23:59:59Z', '10Gi', '5m', 'x'.repeat(300), `${'y'.repeat(255)}\uD83D`, '1password.com/item'];

/** A string an object may hold: awkward, random, or a planted credential (alone or amid text). */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...AWKWARD),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom(...SECRETS),
  fc.tuple(fc.string({ maxLength: 6 }), fc.constantFrom(...SECRETS.slice(0, 11)), fc.string({ maxLength: 6 })).map(([a, s, b]) => `${a} ${s} ${b}`),
);

const hostileKey = fc.oneof(fc.constantFrom('app', 'a.b', 'a/b', 'a_b', '', '1password.com/item', '123', '__x', '_', 'é', 'kubectl.kubernetes.io/last-applied-configuration', '\uD800'), fc.string({ maxLength: 6 }));
const scalar: fc.Arbitrary<unknown> = fc.oneof(hostileString, fc.double(), fc.integer(), fc.boolean(), fc.constant(null));
const anyValue: fc.Arbitrary<unknown> = fc.oneof({ depthSize: 'small' }, scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(hostileKey, scalar, { maxKeys: 3 }));

const condition = fc.record({
  type: fc.oneof(hostileString, fc.constantFrom('Ready', 'Synced', `${'T'.repeat(300)}a`, `${'T'.repeat(300)}b`)),
  status: fc.oneof(fc.constantFrom('True', 'False', 'Unknown'), hostileString, fc.boolean()),
  reason: hostileString,
  message: hostileString,
  lastTransitionTime: fc.constantFrom('2024-01-02T03:04:05Z', '0001-01-01T00:00:00Z', '0000-06-01T00:00:00Z', 'yesterday'),
}, { requiredKeys: ['type', 'status'] });

/** A list of Widget objects with distinct uids and hostile everything else. */
export const hostileObjects: fc.Arbitrary<Record<string, unknown>[]> = fc.array(
  fc.record({
    name: fc.oneof(fc.constantFrom('w1', 'w2', 'db-1234567', 'db-7654321'), hostileString),
    namespace: fc.constantFrom('ns', 'other', ''),
    annotations: fc.dictionary(hostileKey, hostileString, { maxKeys: 4 }),
    labels: fc.dictionary(hostileKey, hostileString, { maxKeys: 2 }),
    phase: fc.oneof(hostileString, fc.constantFrom('Ready', 'Failed')),
    conditions: fc.oneof(fc.array(condition, { maxLength: 5 }), fc.dictionary(hostileString, fc.oneof(hostileString, condition), { maxKeys: 3 }), anyValue),
    value: anyValue,
    list: fc.array(fc.record({ name: hostileString, value: scalar }), { maxLength: 3 }),
  }),
  { maxLength: 6 },
).map((items) => items.map((o, i) => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { uid: `uid-${i}`, name: o.name || `w${i}`, namespace: o.namespace, resourceVersion: '1', annotations: o.annotations, labels: o.labels, creationTimestamp: '0001-01-01T00:00:00Z' },
  spec: { value: o.value, list: o.list },
  status: { phase: o.phase, conditions: o.conditions, conditionsMap: o.conditions },
})));

const NATIVE_PATHS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'status.phase', 'spec.value', "metadata.annotations['a.b']", 'metadata.annotations.app', 'spec.list[0].value', 'spec.list[name=w1].value', 'status.conditions[type=Ready].status', 'spec'];
const NATIVE_LABELS = ['app', 'tier', 'a.b', 'a_b', 'condition_type', 'k8s.namespace.name', 'name'];
const NATIVE_NAMES = ['widget_value', 'widget.value', 'widget_info', 'crotel_objects', 'k8s.object.health', 'kube_customresource_widget_value', 'process_cpu_seconds', 'widget_state'];

const labelMap = fc.dictionary(fc.constantFrom(...NATIVE_LABELS), fc.constantFrom(...NATIVE_PATHS), { maxKeys: 2 });
const nativeMetric = fc.record({
  name: fc.constantFrom(...NATIVE_NAMES),
  unit: fc.constantFrom('', 's', 'By', '{object}'),
  labels: labelMap,
  source: fc.oneof(
    fc.record({ gauge: fc.record({ path: fc.constantFrom(...NATIVE_PATHS), nilIsZero: fc.boolean() }) }),
    fc.record({ gauge: fc.record({ path: fc.constantFrom(...NATIVE_PATHS), oneOf: fc.constant(['Ready', 'x']) }) }),
    fc.record({ conditions: fc.record({ path: fc.constantFrom('status.conditions', 'status.conditionsMap') }) }),
    fc.record({ stateSet: fc.record({ path: fc.constantFrom(...NATIVE_PATHS), label: fc.constantFrom('state', 'app'), list: fc.constant(['Ready', 'Failed', 'a\uD800']) }) }),
    fc.record({ info: fc.record({ labels: labelMap }) }),
  ),
});

/** Native config text: sometimes valid, sometimes one validate must refuse. */
export const nativeConfigText: fc.Arbitrary<string> = fc.record({
  resources: fc.array(fc.record({
    version: fc.constantFrom('v1', 'v2'),
    generic: fc.boolean(),
    labels: labelMap,
    metrics: fc.array(nativeMetric, { maxLength: 3 }),
  }), { minLength: 1, maxLength: 2 }),
  redact: fc.constantFrom([], ['internal-[0-9]+'], ['(a+)+$', 'db-[0-9]+']),
}).map((c) => stringify({
  redact: c.redact,
  resources: c.resources.map((r) => ({
    group: 'example.com', version: r.version, kind: 'Widget', generic: r.generic, labels: r.labels,
    metrics: r.metrics.map((m) => ({ name: m.name, unit: m.unit, labels: m.labels, ...m.source })),
  })),
}));

// Mostly what validate accepts, sometimes what it must refuse.
const mostly = <T>(good: readonly T[], bad: readonly T[]): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: fc.constantFrom(...good), weight: 6 }, { arbitrary: fc.constantFrom(...bad), weight: 1 });
const KSM_KEY = mostly(['name', '*', 'ann_*', 'customresource_kind', 'app', 'a.b', '_*'], ['1x', '', 'a/b']);
const KSM_PATHS = [['metadata', 'name'], ['metadata', 'namespace'], ['metadata', 'uid'], ['metadata', 'annotations'], ['metadata', 'labels'], ['status', 'phase'], ['spec', 'value'], ['spec', 'list'], ['name'], ['value']];
const ksmLabels = fc.dictionary(KSM_KEY, fc.constantFrom(...KSM_PATHS), { maxKeys: 2 });
const ksmMetric = fc.record({
  name: mostly(['value', 'info', 'phase', 'objects', 'widget_value'], ['crotel_objects', 'k8s_object_health']),
  help: fc.constant('help'),
  commonLabels: fc.dictionary(mostly(['team', 'customresource_group'], ['a.b', '']), fc.constantFrom('x', ''), { maxKeys: 1 }),
  labelsFromPath: ksmLabels,
  each: fc.oneof(
    fc.record({ type: fc.constant('Gauge'), gauge: fc.record({ path: fc.constantFrom(...KSM_PATHS), valueFrom: fc.constantFrom(['value'], [], ['spec', 'value']), labelsFromPath: ksmLabels, nilIsZero: fc.boolean(), labelFromKey: mostly(['', 'key'], ['1k']) }, { requiredKeys: ['path'] }) }),
    fc.record({ type: fc.constant('StateSet'), stateSet: fc.record({ path: fc.constantFrom(...KSM_PATHS), valueFrom: fc.constant([]), labelName: mostly(['state', 'name'], ['', 'a.b']), list: fc.constant(['Ready', 'Failed']) }) }),
    fc.record({ type: fc.constant('Info'), info: fc.record({ path: fc.constantFrom(...KSM_PATHS), labelsFromPath: ksmLabels, labelFromKey: fc.constantFrom('', 'key') }, { requiredKeys: ['path'] }) }),
  ),
});

/** kube-state-metrics config text, likewise sometimes refused. */
export const ksmConfigText: fc.Arbitrary<string> = fc.record({
  prefix: fc.constantFrom(undefined, '', 'x', 'kube_customresource'),
  commonLabels: fc.dictionary(mostly(['team'], ['a.b', '1x']), fc.constant('v'), { maxKeys: 1 }),
  labelsFromPath: ksmLabels,
  metrics: fc.array(ksmMetric, { minLength: 1, maxLength: 2 }),
  twice: fc.boolean(),
}).map((r) => {
  const resource = {
    groupVersionKind: { group: 'example.com', version: 'v1', kind: 'Widget' },
    ...(r.prefix !== undefined ? { metricNamePrefix: r.prefix } : {}),
    commonLabels: r.commonLabels, labelsFromPath: r.labelsFromPath, metrics: r.metrics,
  };
  return stringify({ kind: 'CustomResourceStateMetrics', spec: { resources: r.twice ? [resource, resource] : [resource] } });
});

export interface Scrape {
  readonly text: string;
  /** The object series as the OTLP exporter would send them. */
  readonly otlp: ResourceMetrics | undefined;
  /** False when validate refused the configs (nothing was rendered). */
  readonly accepted: boolean;
}

/** validate → compile → store every object → /metrics text with the self-metrics trailer. */
export async function scrape(nativeText: string | undefined, ksmText: string | undefined, objects: readonly Record<string, unknown>[]): Promise<Scrape> {
  let config: Config | undefined;
  let ksm: KsmConfig | undefined;
  try {
    config = nativeText === undefined ? undefined : parseConfigText(nativeText, 'crotel.yaml');
    ksm = ksmText === undefined ? undefined : parseKsmConfig(ksmText, 'ksm.yaml');
    if (ksm) {
      const conflicts = ksmNameConflicts(ksm, config);
      if (conflicts.length > 0) throw new ConfigError('ksm.yaml', conflicts);
    }
  } catch (e) {
    if (e instanceof ConfigError) return { text: '', otlp: undefined, accepted: false };
    throw e;
  }
  const resources: CompiledResource[] = [
    ...(config ? compileConfig(config) : []),
    ...(ksm ? compileKsmConfig(ksm, { redactor: createRedactor(config?.redact ?? []), seriesPerMetric: 1000 }).resources : []),
  ];
  const stores: ResourceStore[] = [];
  const telemetry = createTelemetry({ version: 'test', stores: () => stores, env: {} });
  const budget = new SeriesBudget((family, n) => telemetry.self.dropped(family.name, n));
  for (const resource of resources) {
    const store = new ResourceStore(resource, budget, {
      invalidObject: () => telemetry.self.invalidObject(resource.id),
      extractionErrors: (_r, s) => {
        for (const e of s.errors) {
          telemetry.self.extractionError(resource.id, e.path);
          if (isRejection(e)) telemetry.self.seriesRejectedFor(resource.id, e.rejected);
        }
      },
    });
    telemetry.self.track(resource.id, { objects: () => store.entries.size, watching: () => true, synced: () => true });
    stores.push(store);
  }
  // As `crotel render` reads files: one object per name.
  const unique = uniqueObjects(objects.map((object) => ({ file: 'objects.yaml', object })));
  for (const { object } of unique) for (const store of stores) store.upsert(object);
  const text = await renderExposition(stores, await telemetry.selfExposition());
  const otlp = telemetry.objectProducer.snapshot();
  await telemetry.shutdown();
  return { text, otlp, accepted: true };
}

/** Throws unless every OTLP metric name is unique and each metric's attribute sets are unique and well-formed. */
export function checkOtlp(metrics: ResourceMetrics): void {
  const names = new Set<string>();
  for (const scope of metrics.scopeMetrics) {
    for (const m of scope.metrics) {
      if (names.has(m.descriptor.name)) throw new Error(`two OTLP metrics named ${m.descriptor.name}`);
      names.add(m.descriptor.name);
      const seen = new Set<string>();
      for (const p of m.dataPoints) {
        const entries = Object.entries(p.attributes).sort(([a], [b]) => (a < b ? -1 : 1));
        for (const [k, v] of entries) {
          if (k === '' || !k.isWellFormed() || (typeof v === 'string' && !v.isWellFormed())) throw new Error(`${m.descriptor.name}: attribute ${JSON.stringify(k)} not well-formed`);
        }
        const key = JSON.stringify(entries);
        if (seen.has(key)) throw new Error(`${m.descriptor.name}: duplicate OTLP point ${key.slice(0, 200)}`);
        seen.add(key);
      }
    }
  }
}
