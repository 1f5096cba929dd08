// The span handover alone: which spans a replica ships, holds or leaves to another term, by the
// resourceVersion of the change that made them and what the Lease reported.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SpanRecord } from '../../src/traces/episodes.ts';
import { SpanHandover } from '../../src/traces/handover.ts';

function span(name: string): SpanRecord {
  return { traceId: 't', spanId: name, name, startMs: 0, endMs: 1, attributes: {}, status: 'unset', events: [] };
}

function setup(maxHeld = 100, leading = false) {
  const shipped: string[] = [];
  let dropped = 0;
  const h = new SpanHandover({ ship: (s) => shipped.push(s.name), maxHeld, onDropped: (n) => (dropped += n), leading: () => leading });
  h.listed('1'); // this process has seen every change since its first list
  const offer = (rv: number | string, name = `s${rv}`): void => {
    h.observe(String(rv));
    h.offer(span(name), String(rv));
  };
  return { h, shipped, offer, dropped: () => dropped };
}

test('handover', async (t) => {
  await t.test('a follower holds its spans and forgets those the leader reported through', () => {
    const { h, shipped, offer } = setup();
    offer(10); offer(20); offer(30);
    h.otherReported(20n);
    assert.deepEqual(shipped, []);
    assert.equal(h.heldCount, 1, 'only the change after the leader\'s report is held');
    offer(15); // a change the leader has already reported (this watch lagged)
    assert.equal(h.heldCount, 1);
  });

  await t.test('a takeover ships, once confirmed, the held spans after the predecessor\'s report: the gap is not lost', () => {
    const { h, shipped, offer } = setup();
    offer(10); offer(20); offer(30); offer(40);
    h.otherReported(10n);
    h.tookOver(20n); // the predecessor's last report was 20 (read from the Lease at the takeover)
    assert.deepEqual(shipped, [], 'nothing before the takeover write is confirmed');
    h.confirmed(40n);
    assert.deepEqual(shipped, ['s30', 's40']);
    assert.equal(h.heldCount, 0, 'the predecessor\'s 20 is not ours');
  });

  await t.test('a leader ships changes up to its last confirmed report at once and holds later ones until the next renewal', () => {
    const { h, shipped, offer } = setup();
    h.tookOver(0n);
    h.confirmed(10n);
    offer(5); offer(10);
    offer(11); offer(12);
    assert.deepEqual(shipped, ['s5', 's10']);
    h.confirmed(12n);
    assert.deepEqual(shipped, ['s5', 's10', 's11', 's12']);
  });

  await t.test('a term that ended keeps its changes: seen late, they are still this replica\'s to ship; later ones are the successor\'s', () => {
    const { h, shipped, offer } = setup();
    h.tookOver(0n);
    h.confirmed(50n);
    h.endTerm();
    offer(40, 'late'); // a lagging watch delivers a change of the ended term
    offer(60, 'after');
    assert.deepEqual(shipped, ['late']);
    h.otherReported(70n);
    assert.equal(h.heldCount, 0, 'the successor reported 60');
  });

  await t.test('re-acquired after no one else led: the held spans after its own report are its own again', () => {
    const { h, shipped, offer } = setup();
    h.tookOver(0n);
    h.confirmed(10n);
    h.endTerm();
    offer(20);
    h.tookOver(10n);
    h.confirmed(20n);
    assert.deepEqual(shipped, ['s20']);
  });

  await t.test('the hold is bounded: the oldest spans go first, counted', () => {
    const { h, offer, dropped } = setup(2);
    offer(1); offer(2); offer(3);
    assert.equal(h.heldCount, 2);
    assert.equal(dropped(), 1);
    h.tookOver(0n);
    h.confirmed(3n);
    assert.equal(h.heldCount, 0);
  });

  await t.test('a span without an integer resourceVersion goes out only from the leader, at once', () => {
    for (const leading of [true, false]) {
      const { h, shipped } = setup(10, leading);
      h.offer(span('swept'), undefined);
      h.offer(span('opaque'), 'abc');
      assert.deepEqual(shipped, leading ? ['swept', 'opaque'] : [], `leading ${leading}`);
      assert.equal(h.heldCount, 0);
    }
  });

  await t.test('what a renewal reports is the highest resourceVersion observed, in any watch order; nothing before a first list', () => {
    const h = new SpanHandover({ ship: () => {}, maxHeld: 10, onDropped: () => {}, leading: () => true });
    h.observe('30');
    assert.equal(h.through, undefined, 'not listed yet: it cannot vouch for any change');
    h.listed('20');
    h.listed('40'); // a relist: where it began to see is still its first list
    assert.equal(h.through, 30n);
    h.observe('12'); h.observe(undefined); h.observe('x'); h.observe('35');
    assert.equal(h.through, 35n);
  });

  await t.test('a replica that started after its predecessor\'s last report leaves the changes it never saw to the follower that held them', () => {
    const restarted = setup();
    const follower = setup();
    follower.offer(10); follower.offer(20); follower.offer(30);
    follower.h.otherReported(10n); // the old leader's last report before it died
    // The old leader restarts, lists at 25 (it never saw 20), and takes the lease over from 10.
    const h = new SpanHandover({ ship: (s) => restarted.shipped.push(s.name), maxHeld: 10, onDropped: () => {}, leading: () => true });
    h.listed('25');
    assert.equal(h.startAfter(10n), 25n);
    h.tookOver(10n);
    assert.deepEqual(h.unseen, { from: 10n, to: 25n });
    h.observe('30');
    h.offer(span('s30'), '30');
    h.confirmed(h.through!);
    // The follower reads the Lease: the holder reported 30 and never saw (10, 25].
    follower.h.otherReported(30n, h.unseen);
    assert.deepEqual(follower.shipped, ['s20']);
    assert.deepEqual(restarted.shipped, ['s30']);
    follower.h.otherReported(30n, h.unseen);
    follower.offer(22, 'late'); // its own watch delivers a change of the unseen range late
    assert.deepEqual(follower.shipped, ['s20', 'late'], 'shipped once, and late ones too');
  });
  await t.test('a change a relist collapsed is shipped only when every version it may lie at is in this replica\'s terms', () => {
    const { h, shipped } = setup();
    const collapsed = (rv: number, since: number, name: string): void => {
      h.observe(String(rv));
      h.offer(span(name), String(rv), String(since));
    };
    h.tookOver(10n);
    h.confirmed(50n);
    collapsed(40, 20, 'inside'); // (20, 40] within the term (10, 50]
    collapsed(30, 5, 'begins-before'); // (5, 30]: 6..10 were the predecessor's
    collapsed(60, 45, 'runs-after'); // (45, 60]: 51..60 not confirmed yet
    assert.deepEqual(shipped, ['inside']);
    h.confirmed(70n);
    assert.deepEqual(shipped, ['inside', 'runs-after'], 'confirmed through 70: the whole range is ours now');
    assert.equal(h.heldCount, 0, 'a range begun before the term is never ours: not held');
  });

  await t.test('a collapsed change whose range reaches past the end of this replica\'s term is left to the successor', () => {
    const { h, shipped } = setup();
    h.tookOver(0n);
    h.confirmed(20n);
    h.offer(span('frozen-guess'), '30', '10'); // (10, 30]: 21..30 not ours (yet, or ever)
    assert.equal(h.heldCount, 1);
    h.otherReported(40n, undefined, 20n); // the successor took over from 20
    assert.deepEqual(shipped, []);
    assert.equal(h.heldCount, 0);
  });

  await t.test('a collapsed change across two adjacent terms of this replica is its own', () => {
    const { h, shipped } = setup();
    h.tookOver(0n);
    h.confirmed(20n);
    h.endTerm();
    h.tookOver(20n); // re-acquired from its own report
    h.confirmed(40n);
    h.offer(span('across'), '30', '10');
    assert.deepEqual(shipped, ['across']);
  });
});
