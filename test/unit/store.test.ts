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

test('a change is reported as listed when a list showed it (history collapsed since the previous state), not when a watch event did', () => {
  const [alpha] = stores();
  const seen: string[] = [];
  const store = new ResourceStore(alpha!.resource, new SeriesBudget(() => {}), {
    changed: (_r, previous, next, rv, listed) => seen.push(`${previous?.resourceVersion ?? '-'}→${next?.resourceVersion ?? 'gone'} at ${rv ?? '?'} ${listed ? 'listed' : 'watched'}`),
  });
  const a = (rv: string, phase: string) => ({ ...object('Alpha', 'a1', { status: { phase } }), metadata: { ...object('Alpha', 'a1').metadata, resourceVersion: rv } });
  store.beginList(); store.listPage([a('5', 'Pending')]); store.endList();
  store.upsert(a('6', 'Provisioning'));
  store.beginList(); store.listPage([a('9', 'Running')]); store.endList(); // a relist after 410: 7 and 8 never seen
  assert.deepEqual(seen, ['-→5 at 5 listed', '5→6 at 6 watched', '6→9 at 9 listed']);
});

test('a relist reports through which version the view was current, and a deletion it implies at the list\'s version', () => {
  const [alpha] = stores();
  const seen: string[] = [];
  const store = new ResourceStore(alpha!.resource, new SeriesBudget(() => {}), {
    changed: (_r, previous, next, rv, listed) => seen.push(`${previous?.resourceVersion ?? '-'}→${next?.resourceVersion ?? 'gone'} at ${rv ?? '?'}${listed ? ` listed after ${listed.viewThrough ?? '-'}` : ''}`),
  });
  const a = (rv: string) => ({ ...object('Alpha', 'a1'), metadata: { ...object('Alpha', 'a1').metadata, resourceVersion: rv } });
  store.beginList(); store.listPage([a('5')]); store.endList('5');
  store.beginList('8'); store.listPage([]); store.endList('12'); // deleted while blind: after 8, by 12
  assert.deepEqual(seen, ['-→5 at 5 listed after -', '5→gone at 12 listed after 8']);
});
