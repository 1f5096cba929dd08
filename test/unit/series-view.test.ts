// Both exporters read one series view: for any mix of resources (shared generic families, a kind
// listed twice, families whose labels do not identify the object), /metrics and the OTLP producer
// carry the same series — same Prometheus names, label sets and values, each once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { parseConfigText, prometheusLabelName, prometheusMetricName } from '../../src/config/index.ts';
import { compileConfig } from '../../src/extract/index.ts';
import { renderExposition } from '../../src/metrics/exposition.ts';
import { ObjectMetricProducer } from '../../src/metrics/object-producer.ts';
import { seriesView } from '../../src/metrics/series-view.ts';
import { SeriesBudget } from '../../src/state/budget.ts';
import { ResourceStore } from '../../src/state/store.ts';

// Beta is listed twice (two resources see the same objects, one with the generic families);
// `beta.size` has a label that does not identify the object, so two Betas with one note make one
// series.
const CONFIG = `
resources:
  - {group: a.example.com, version: v1, kind: Alpha}
  - {group: b.example.com, version: v1, kind: Beta, generic: false, metrics: [{name: beta.size, unit: By, labels: {note: spec.note}, gauge: {path: spec.size}}]}
  - {group: b.example.com, version: v1, kind: Beta, generic: true, namespaces: [ns], metrics: [{name: beta.replicas, labels: {uid: metadata.uid}, gauge: {path: spec.replicas}}]}
`;

const object = (kind: string, name: string, extra: Record<string, unknown>) =>
  ({ apiVersion: 'x/v1', kind, metadata: { name, namespace: 'ns', uid: `${kind}-${name}`, resourceVersion: '1' }, ...extra });

function stores(): ResourceStore[] {
  const budget = new SeriesBudget(() => undefined);
  const all = compileConfig(parseConfigText(CONFIG, 'test.yaml')).map((r) => new ResourceStore(r, budget, {}));
  const [alpha, beta1, beta2] = all;
  alpha!.upsert(object('Alpha', 'a1', { status: { phase: 'Up' } }));
  for (const b of [beta1!, beta2!]) {
    b.upsert(object('Beta', 'b1', { status: { phase: 'Down' }, spec: { size: 3, note: 'same', replicas: 2 } }));
    b.upsert(object('Beta', 'b2', { status: { phase: 'Up' }, spec: { size: 3, note: 'same', replicas: 1 } }));
  }
  return all;
}

const scraped = (text: string): string[] => text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).sort();

function pushed(all: ResourceStore[]): string[] {
  const producer = new ObjectMetricProducer(resourceFromAttributes({}), () => all);
  const lines: string[] = [];
  for (const m of producer.snapshot().scopeMetrics[0]!.metrics) {
    const name = prometheusMetricName(m.descriptor.name, m.descriptor.unit);
    for (const p of m.dataPoints) {
      const labels = Object.entries(p.attributes).map(([k, v]) => `${prometheusLabelName(k)}="${String(v)}"`).join(',');
      lines.push(`${name}${labels ? `{${labels}}` : ''} ${String(p.value)}`);
    }
  }
  return lines.sort();
}

test('the scrape and the OTLP producer carry the same series, each once', async () => {
  const all = stores();
  const text = scraped(await renderExposition(all));
  assert.deepEqual(pushed(all), text);
  assert.equal(new Set(text).size, text.length, 'no series twice');
  assert.equal(text.filter((l) => l.startsWith('k8s_object_phase{') && l.includes('k8s_object_kind="Beta"')).length, 2);
  // beta.size's note label does not identify the object: b1 and b2 make one series.
  assert.equal(text.filter((l) => l.startsWith('beta_size_bytes{')).length, 1);
});

test('the view groups by Prometheus name and marks what may repeat', () => {
  const view = seriesView(stores());
  const names = view.groups.map((g) => g.family.prometheusName);
  assert.equal(new Set(names).size, names.length, 'one group per Prometheus name');
  const phase = view.groups.find((g) => g.family.prometheusName === 'k8s_object_phase')!;
  assert.equal(phase.sources.length, 2, 'Alpha and the Beta entry with generic families share k8s_object_phase');
  assert.equal(phase.mayRepeat, false);
  assert.equal(view.groups.find((g) => g.family.prometheusName === 'beta_size_bytes')!.mayRepeat, true, 'its labels do not identify the object');
  assert.equal(view.groups.find((g) => g.family.prometheusName === 'beta_replicas')!.mayRepeat, false);
  // Every store's family finds its group.
  for (const g of view.groups) for (const { store, index } of g.sources) assert.equal(view.groupsOf(store)[index], g);
});
