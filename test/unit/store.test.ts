import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeriesBudget } from '../../src/state/budget.ts';
import { ResourceStore } from '../../src/state/store.ts';
import { object, stores } from './store-fixtures.ts';

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
