import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../src/config/index.ts';
import { compileConfig } from '../../src/extract/index.ts';
import { renderExposition } from '../../src/metrics/exposition.ts';
import { SeriesBudget } from '../../src/state/budget.ts';
import { ResourceStore } from '../../src/state/store.ts';
import type { MetricFamily } from '../../src/model.ts';

const CONFIG = `
resources:
  - {group: a.example.com, version: v1, kind: Alpha}
  - {group: b.example.com, version: v1, kind: Beta, metrics: [{name: beta.size, unit: By, labels: {note: spec.note}, gauge: {path: spec.size}}], generic: true}
`;

function object(kind: string, name: string, extra: Record<string, unknown> = {}) {
  return { apiVersion: 'x/v1', kind, metadata: { name, namespace: 'ns', uid: `${kind}-${name}`, resourceVersion: '1' }, ...extra };
}

function stores(limitDrops: string[] = []) {
  const budget = new SeriesBudget((f, n) => limitDrops.push(`${f.name}:${n}`));
  return compileConfig(parseConfigText(CONFIG, 'test.yaml')).map((r) => new ResourceStore(r, budget, {}));
}

test('families shared by several resources appear once, with one HELP/TYPE and every series', async () => {
  const [alpha, beta] = stores();
  alpha!.upsert(object('Alpha', 'a1', { status: { phase: 'Up' } }));
  beta!.upsert(object('Beta', 'b1', { status: { phase: 'Down' }, spec: { size: 3, note: 'quote " back\\slash\nnewline' } }));
  const text = await renderExposition([alpha!, beta!]);
  assert.equal(text.match(/^# TYPE k8s_object_phase gauge$/gm)?.length, 1);
  const phases = text.split('\n').filter((l) => l.startsWith('k8s_object_phase{'));
  assert.deepEqual(phases, [
    'k8s_object_phase{k8s_namespace_name="ns",k8s_object_name="a1",k8s_object_kind="Alpha",k8s_object_group="a.example.com",k8s_object_phase="Up"} 1',
    'k8s_object_phase{k8s_namespace_name="ns",k8s_object_name="b1",k8s_object_kind="Beta",k8s_object_group="b.example.com",k8s_object_phase="Down"} 1',
  ]);
  // Unit By → _bytes; label values escaped per the text format.
  assert.ok(text.includes('beta_size_bytes{note="quote \\" back\\\\slash\\nnewline"} 3\n'), text);
  // Each family's lines are contiguous (the text format requires one group per family).
  const order = text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('{')[0]);
  const seen = new Set<string>();
  for (let i = 0; i < order.length; i++) {
    if (i > 0 && order[i] !== order[i - 1]) assert.ok(!seen.has(order[i]!), `family ${order[i]} split`);
    seen.add(order[i]!);
  }
});

test('a deleted object leaves the exposition; an update replaces its lines', async () => {
  const [alpha] = stores();
  alpha!.upsert(object('Alpha', 'a1', { status: { phase: 'Up' } }));
  alpha!.upsert({ ...object('Alpha', 'a1', { status: { phase: 'Down' } }), metadata: { name: 'a1', namespace: 'ns', uid: 'Alpha-a1', resourceVersion: '2' } });
  let text = await renderExposition([alpha!]);
  assert.ok(text.includes('k8s_object_phase="Down"'));
  assert.ok(!text.includes('k8s_object_phase="Up"'));
  alpha!.remove(object('Alpha', 'a1'));
  text = await renderExposition([alpha!]);
  assert.equal(text, '');
});

test('a full list (relist) removes objects that are gone and leaves unchanged ones alone', () => {
  const [alpha] = stores();
  const changes: string[] = [];
  const budget = new SeriesBudget(() => {});
  const store = new ResourceStore(alpha!.resource, budget, {
    changed: (_r, p, n) => changes.push(`${p?.name ?? '-'}→${n?.name ?? '-'}`),
  });
  store.beginList();
  store.listPage([object('Alpha', 'a1'), object('Alpha', 'a2')]);
  store.endList();
  store.beginList();
  store.listPage([object('Alpha', 'a2')]);
  store.endList();
  assert.deepEqual(changes, ['-→a1', '-→a2', 'a1→-']);
  assert.deepEqual([...store.entries.keys()], ['Alpha-a2']);
});

test('SeriesBudget keeps each family within its limit across objects and frees on release', () => {
  const drops: string[] = [];
  const budget = new SeriesBudget((f, n) => drops.push(`${f.name}:${n}`));
  const family: MetricFamily = { name: 'f', prometheusName: 'f', description: '', unit: '', instrument: 'gauge', attributeKeys: ['k'], cardinalityLimit: 3 };
  const s = (v: string) => ({ family: 0, attributeValues: [v], value: 1 });
  const first = budget.admit([family], undefined, [s('a'), s('b')]);
  assert.equal(first.length, 2);
  const second = budget.admit([family], undefined, [s('c'), s('d')]);
  assert.deepEqual(second.map((x) => x.attributeValues[0]), ['c']);
  assert.deepEqual(drops, ['f:1']);
  budget.release([family], first);
  assert.equal(budget.usage('f'), 1);
  // Replacing an object's samples counts only the new ones.
  const replaced = budget.admit([family], second, [s('x'), s('y'), s('z')]);
  assert.equal(replaced.length, 3);
  assert.equal(budget.usage('f'), 3);
});

test('the store records when it saw each phase begin, and keeps it while the phase stays', () => {
  const [alpha] = stores();
  let now = 1000;
  const store = new ResourceStore(alpha!.resource, new SeriesBudget(() => {}), { clock: () => now });
  const at = (rv: string, phase?: string) => ({ ...object('Alpha', 'a1', phase ? { status: { phase } } : {}), metadata: { name: 'a1', namespace: 'ns', uid: 'Alpha-a1', resourceVersion: rv } });
  store.upsert(at('1'));
  assert.equal(store.entries.get('Alpha-a1')!.phaseSince, undefined);
  now = 2000; store.upsert(at('2', 'Up'));
  now = 3000; store.upsert(at('3', 'Up'));
  assert.equal(store.entries.get('Alpha-a1')!.phaseSince, 2000);
  now = 4000; store.upsert(at('4', 'Down'));
  assert.equal(store.entries.get('Alpha-a1')!.phaseSince, 4000);
});

test('a relist of unchanged objects neither extracts them again nor reports a change; a new resourceVersion does', () => {
  const [alpha] = stores();
  let extractions = 0;
  const resource = { ...alpha!.resource, extract: (o: unknown) => (extractions++, alpha!.resource.extract(o)) };
  const changes: string[] = [];
  const store = new ResourceStore(resource, new SeriesBudget(() => {}), { changed: (_r, _p, next) => changes.push(next?.resourceVersion ?? 'gone') });
  const objects = [object('Alpha', 'a1', { status: { phase: 'Up' } }), object('Alpha', 'a2')];
  for (let pass = 0; pass < 2; pass++) {
    store.beginList();
    store.listPage(objects);
    store.endList();
  }
  assert.equal(extractions, 2);
  assert.deepEqual(changes, ['1', '1']);
  store.upsert({ ...objects[0]!, metadata: { ...objects[0]!.metadata, resourceVersion: '2' } });
  assert.equal(extractions, 3);
  assert.deepEqual(changes, ['1', '1', '2']);
  assert.equal(store.entries.size, 2);
});
