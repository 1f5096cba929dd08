import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderExposition } from '../../src/metrics/exposition.ts';
import { object, stores } from './store-fixtures.ts';

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
