// Leader election against an in-memory Lease (with the apiserver's optimistic concurrency) and a
// fake clock: acquisition, renewal, takeover after the lease duration, release, and stepping down.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KubeHttpError } from '../../src/kube/http.ts';
import { LeaderElector, type Lease, type LeaseClient } from '../../src/kube/leader.ts';
import { SpanHandover } from '../../src/traces/handover.ts';
import { FakeClock, settle } from './reflector-fakes.ts';

/** One Lease object as the apiserver keeps it: a PUT with a stale resourceVersion gets 409. */
class LeaseServer {
  lease?: Lease;
  private version = 0;
  /** Replicas whose requests never answer (a stalled connection); they end only when aborted. */
  readonly stalled = new Set<string>();
  /** Replicas whose requests fail at once (connection refused). */
  readonly failing = new Set<string>();
  /** Replicas whose updates are stored but never answered (the answer lost: a timeout, a reset). */
  readonly answerLost = new Set<string>();

  client(who = ''): LeaseClient {
    const answer = <T>(signal: AbortSignal, fn: () => T): Promise<T> => {
      if (this.failing.has(who)) return Promise.reject(new Error('connection refused'));
      if (!this.stalled.has(who)) return Promise.resolve(fn());
      return new Promise<T>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason ?? new Error('aborted')), { once: true }));
    };
    return {
      get: (signal) => answer(signal, () => (this.lease ? structuredClone(this.lease) : undefined)),
      create: (lease, signal) => answer(signal, () => {
        if (this.lease) throw new KubeHttpError(409, 'AlreadyExists', 'exists');
        this.lease = { ...structuredClone(lease), metadata: { ...lease.metadata, resourceVersion: String(++this.version) } };
        return structuredClone(this.lease);
      }),
      update: (lease, signal) => answer(signal, () => {
        if (lease.metadata.resourceVersion !== this.lease?.metadata.resourceVersion) throw new KubeHttpError(409, 'Conflict', 'stale');
        this.lease = { ...structuredClone(lease), metadata: { ...lease.metadata, resourceVersion: String(++this.version) } };
        if (this.answerLost.has(who)) throw new Error('socket hang up');
        return structuredClone(this.lease);
      }),
    };
  }
}

function elector(server: LeaseServer, clock: FakeClock, identity: string, changes: string[] = []): LeaderElector {
  return new LeaderElector({
    leaseClient: server.client(identity), clock, namespace: 'ns', name: 'crotel', identity,
    leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000,
    onChange: (leading) => changes.push(`${identity} ${leading ? 'leads' : 'follows'}`),
    onError: () => {},
  });
}

describe('leader election', () => {
  test('the first replica creates the Lease and leads; it renews every retry period', async () => {
    const server = new LeaseServer();
    const clock = new FakeClock();
    const a = elector(server, clock, 'a');
    a.start();
    await settle();
    assert.equal(a.isLeader, true);
    assert.equal(server.lease?.spec.holderIdentity, 'a');
    const first = server.lease?.spec.renewTime;
    await clock.advance(2000);
    assert.notEqual(server.lease?.spec.renewTime, first, 'renewed');
    assert.equal(a.isLeader, true);
    await a.stop();
  });

  test('a second replica follows while the holder renews, and takes over only once the record stood still for the lease duration', async () => {
    const server = new LeaseServer();
    const clock = new FakeClock();
    const changes: string[] = [];
    const a = elector(server, clock, 'a', changes);
    const b = elector(server, clock, 'b', changes);
    a.start();
    await settle();
    b.start();
    await clock.advance(30_000);
    assert.equal(b.isLeader, false, 'a renews: b follows');
    server.failing.add('a'); // a cannot reach the apiserver any more; b can
    await clock.advance(12_000);
    assert.equal(a.isLeader, false, 'a steps down after the renew deadline');
    assert.equal(b.isLeader, false, 'b waits for the whole lease duration');
    await clock.advance(8000);
    assert.equal(b.isLeader, true);
    assert.equal(server.lease?.spec.holderIdentity, 'b');
    assert.equal(server.lease?.spec.leaseTransitions, 1);
    assert.deepEqual(changes, ['a leads', 'a follows', 'b leads']);
    await Promise.all([a.stop(), b.stop()]);
  });

  test('on stop the leader releases the Lease and the standby takes over at its next try', async () => {
    const server = new LeaseServer();
    const clock = new FakeClock();
    const a = elector(server, clock, 'a');
    const b = elector(server, clock, 'b');
    a.start();
    await settle();
    b.start();
    await clock.advance(4000);
    await a.stop();
    assert.equal(server.lease?.spec.holderIdentity, '');
    await clock.advance(2000);
    assert.equal(b.isLeader, true);
    await b.stop();
  });

  test('losing a race (409 on the update) is not leading', async () => {
    const server = new LeaseServer();
    const clock = new FakeClock();
    server.lease = { metadata: { name: 'crotel', namespace: 'ns', resourceVersion: '1' }, spec: { holderIdentity: '' } };
    const client = server.client();
    const racing: LeaseClient = {
      ...client,
      update: async (lease, signal) => {
        server.lease = { ...server.lease!, metadata: { ...server.lease!.metadata, resourceVersion: '99' } };
        return client.update(lease, signal);
      },
    };
    const changes: string[] = [];
    const a = new LeaderElector({ leaseClient: racing, clock, namespace: 'ns', name: 'crotel', identity: 'a', onChange: (l) => changes.push(String(l)), onError: () => {} });
    a.start();
    await settle();
    assert.equal(a.isLeader, false);
    assert.deepEqual(changes, []);
    await a.stop();
  });

  // Each of these failed before the fix (see the commit that brought it).
  test('a leader whose lease requests stall steps down within the renew deadline (no 300 s request), before a standby can take over', async () => {
    const server = new LeaseServer();
    const clock = new FakeClock();
    const a = elector(server, clock, 'a');
    const b = elector(server, clock, 'b');
    a.start();
    await settle();
    b.start();
    await clock.advance(4000);
    server.stalled.add('a');
    let both = false;
    for (let t = 0; t < 40_000; t += 500) {
      await clock.advance(500);
      if (a.isLeader && b.isLeader) both = true;
    }
    assert.equal(a.isLeader, false, 'a stopped leading');
    assert.equal(b.isLeader, true, 'b took over');
    assert.equal(both, false, 'never two leaders at once');
    await Promise.all([a.stop(), b.stop()]);
  });

  test('a leader resumed from SIGSTOP after longer than the lease does not lead until it has renewed', async () => {
    const server = new LeaseServer();
    const clock = new FakeClock();
    const a = elector(server, clock, 'a');
    a.start();
    await settle();
    assert.equal(a.isLeader, true);
    clock.freeze(20_000); // stopped: time passes, no timer fires
    assert.equal(a.isLeader, false, 'the last renewal is older than the renew deadline');
    await clock.advance(2000); // its loop wakes, renews (nobody else took the lease)
    assert.equal(a.isLeader, true);
    await a.stop();
  });

  test('with a short lease (--lease-duration 3) the defaults still step a stalled leader down before anyone may take over', async () => {
    const server = new LeaseServer();
    const clock = new FakeClock();
    const make = (identity: string) => new LeaderElector({
      leaseClient: server.client(identity), clock, namespace: 'ns', name: 'crotel', identity, leaseDurationMs: 3000,
      onChange: () => {}, onError: () => {},
    });
    const a = make('a');
    const b = make('b');
    a.start();
    await settle();
    b.start();
    await clock.advance(3000);
    server.stalled.add('a');
    let both = false;
    for (let t = 0; t < 20_000; t += 100) {
      await clock.advance(100);
      if (a.isLeader && b.isLeader) both = true;
    }
    assert.equal(b.isLeader, true, 'b took over');
    assert.equal(both, false, 'never two leaders at once');
    await Promise.all([a.stop(), b.stop()]);
  });
});

describe('a term begins at the takeover', () => {
  test('a replica that takes over reports only changes stored after its takeover write; renewals keep the term', async () => {
    // The new leader's watch may be behind (a backlog replayed after a reconnect, a relist): what
    // it sees late from before its takeover was the previous leader's to report, and reporting it
    // again doubled spans (found by the chaos run).
    const server = new LeaseServer();
    const clock = new FakeClock();
    const a = elector(server, clock, 'a');
    const b = elector(server, clock, 'b');
    a.start();
    await settle();
    b.start();
    await clock.advance(4000);
    assert.equal(a.leadsAt('2'), true, 'the first leader: everything after it created the Lease');
    assert.equal(b.leadsAt('1000'), false, 'a follower reports nothing');
    server.failing.add('a');
    while (!b.isLeader) await clock.advance(500);
    const takeover = Number(server.lease!.metadata.resourceVersion); // the PUT that took over
    await clock.advance(10_000); // renewals: the term still began at the takeover
    const now = Number(server.lease!.metadata.resourceVersion);
    assert.ok(now > takeover + 3, 'renewed since');
    assert.equal(a.leadsAt(String(now + 1)), false, 'the old leader stepped down');
    assert.equal(b.leadsAt(String(now + 1)), true, 'a change after the takeover');
    assert.equal(b.leadsAt(String(takeover + 1)), true, 'a change early in the term, seen after renewals');
    assert.equal(b.leadsAt(String(takeover - 1)), false, 'a change from the previous term, seen late');
    assert.equal(b.leadsAt(undefined), true, 'no version known (a deletion a relist inferred): reported');
    assert.equal(b.leadsAt('not-a-number'), true, 'versions that are not etcd revisions: nothing held back');
    await Promise.all([a.stop(), b.stop()]);
  });
});

/** A replica with leader election and the span handover: what it ships, by change. */
function replica(server: LeaseServer, clock: FakeClock, identity: string, shipped: string[], maxHeld = 100, listedAt: string | null = '1') {
  let e: LeaderElector | undefined = undefined;
  const handover = new SpanHandover({
    ship: (s) => shipped.push(`${s.name} by ${identity}`), maxHeld, onDropped: () => {}, leading: () => e?.isLeader ?? false,
    onPressure: () => e?.renewSoon(),
  });
  e = new LeaderElector({
    leaseClient: server.client(identity), clock, namespace: 'ns', name: 'crotel', identity, handover,
    leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000, onChange: () => {}, onError: () => {},
  });
  const elector = e;
  if (listedAt !== null) handover.listed(listedAt);
  /** Both replicas watch the same objects: each change reaches both trackers, each makes its span. */
  const see = (rv: number): void => {
    handover.observe(String(rv));
    handover.offer({ traceId: 't', spanId: String(rv), name: `change ${rv}`, startMs: 0, endMs: 0, attributes: {}, status: 'unset', events: [] }, String(rv));
  };
  return { elector, handover, see };
}

/** Two replicas on one Lease: a leads, b follows. */
async function pair() {
  const server = new LeaseServer();
  const clock = new FakeClock();
  const shipped: string[] = [];
  const a = replica(server, clock, 'a', shipped);
  const b = replica(server, clock, 'b', shipped);
  a.elector.start();
  await settle();
  b.elector.start();
  return { server, clock, shipped, a, b };
}

describe('span handover through the Lease', () => {
  const sorted = (xs: string[]): string[] => [...xs].sort();

  test('a leader cut off from the apiserver, then a takeover: every change is shipped once, the gap by the successor', async () => {
    const { server, clock, shipped, a, b } = await pair();
    const both = (rv: number): void => { a.see(rv); b.see(rv); };
    both(10);
    await clock.advance(4000); // a's renewals report 10
    server.stalled.add('a'); // a's lease requests hang: it can no longer report
    both(20);
    await clock.advance(3000);
    both(30); // no leader can report now: the takeover gap
    while (!b.elector.isLeader) await clock.advance(500);
    both(40);
    await clock.advance(4000);
    server.stalled.delete('a'); // a wakes up believing it led
    await clock.advance(4000);
    both(50);
    await clock.advance(4000);
    assert.deepEqual(sorted(shipped), ['change 10 by a', 'change 20 by b', 'change 30 by b', 'change 40 by b', 'change 50 by b']);
    assert.equal(a.handover.heldCount, 0, 'the old leader let go of what its successor reported');
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  });

  test('a replica that has not listed yet does not take the lease: it could not vouch for the changes since the last report', async () => {
    const { server, clock, shipped, a, b } = await pair();
    a.see(10); b.see(10);
    await clock.advance(4000); // a reports 10
    server.failing.add('a'); // a is gone
    server.stalled.add('b'); // b still watches, but its lease requests hang
    b.see(20); b.see(30);
    const c = replica(server, clock, 'c', shipped, 100, null); // restarted: its first list still running
    c.elector.start();
    await clock.advance(20_000); // a's lease has expired
    assert.equal(c.elector.isLeader, false, 'blind, it does not take over');
    c.handover.listed('35'); // its first list: it sees from 35 on
    await clock.advance(2000);
    assert.equal(c.elector.isLeader, true);
    assert.equal(server.lease?.metadata.annotations?.['crotel.io/unseen'], '10-35', 'what it never saw is left to a follower that did');
    server.stalled.delete('b');
    await clock.advance(4000);
    assert.deepEqual(sorted(shipped), ['change 10 by a', 'change 20 by b', 'change 30 by b']);
    await Promise.all([a.elector.stop(), b.elector.stop(), c.elector.stop()]);
  });

  test('a graceful stop reports the last changes in the release: the leader ships them, the successor starts after them', async () => {
    const { server, clock, shipped, a, b } = await pair();
    await clock.advance(4000);
    a.see(10); b.see(10); // seen, not yet reported by a renewal
    await a.elector.stop();
    assert.equal(server.lease?.metadata.annotations?.['crotel.io/spans-through'], '10');
    await clock.advance(2000);
    assert.equal(b.elector.isLeader, true);
    a.see(20); b.see(20);
    await clock.advance(2000);
    assert.deepEqual(sorted(shipped), ['change 10 by a', 'change 20 by b']);
    await b.elector.stop();
  });

  test('a leader frozen past its lease (SIGSTOP) ships nothing of its successor\'s term when it wakes', async () => {
    const { server, clock, shipped, a, b } = await pair();
    a.see(5); b.see(5);
    await clock.advance(4000);
    server.stalled.add('a');
    for (const rv of [6, 7]) { a.see(rv); b.see(rv); }
    while (!b.elector.isLeader) await clock.advance(500);
    server.stalled.delete('a');
    a.see(8); b.see(8); // a's tracker runs on before its loop has learnt it lost the lease
    await clock.advance(6000);
    assert.deepEqual(sorted(shipped), ['change 5 by a', 'change 6 by b', 'change 7 by b', 'change 8 by b']);
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  });

  test('a leader that stepped down (no renewal within the deadline) and renews its own lease again ships its changes', async () => {
    // Both replicas cut off (an apiserver answering 429 to everyone): a steps down, b cannot take
    // over; when the apiserver answers again a finds its own name in the Lease and leads on.
    const { server, clock, shipped, a, b } = await pair();
    a.see(5); b.see(5);
    await clock.advance(4000);
    server.failing.add('a');
    server.failing.add('b');
    for (const rv of [6, 7]) { a.see(rv); b.see(rv); }
    await clock.advance(12_000);
    assert.equal(a.elector.isLeader, false, 'stepped down past the renew deadline');
    server.failing.clear();
    while (!a.elector.isLeader && !b.elector.isLeader) await clock.advance(500);
    assert.equal(a.elector.isLeader, true, 'the holder renews first (b waits for the record to stand still)');
    for (const rv of [8, 9]) { a.see(rv); b.see(rv); }
    await clock.advance(4000);
    assert.deepEqual(sorted(shipped), ['change 5 by a', 'change 6 by a', 'change 7 by a', 'change 8 by a', 'change 9 by a']);
    assert.equal(a.handover.heldCount, 0, 'nothing left held by the leader');
    assert.equal(b.handover.heldCount, 0, 'the follower let go of what the leader reported');
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  });

  test('a renewal stored but whose answer was lost: the successor takes over from what it reported, and the old leader ships up to there', async () => {
    const { server, clock, shipped, a, b } = await pair();
    a.see(5); b.see(5);
    await clock.advance(4000); // a's renewals report 5
    for (const rv of [6, 7]) { a.see(rv); b.see(rv); }
    server.answerLost.add('a'); // a's next renewal stores "through 7", but a never hears so
    await clock.advance(2000);
    assert.equal(server.lease?.metadata.annotations?.['crotel.io/spans-through'], '7');
    server.stalled.add('a');
    while (!b.elector.isLeader) await clock.advance(500);
    a.see(8); b.see(8);
    server.stalled.delete('a');
    server.answerLost.delete('a');
    await clock.advance(12000); // a reads the Lease: b took over from a's report of 7
    assert.deepEqual(sorted(shipped), ['change 5 by a', 'change 6 by a', 'change 7 by a', 'change 8 by b']);
    assert.equal(a.handover.heldCount, 0);
    assert.equal(b.handover.heldCount, 0);
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  });

  test('a leader whose hold fills (a watch backlog after a reconnect) renews early instead of dropping its own spans', async () => {
    const server = new LeaseServer();
    const clock = new FakeClock();
    const shipped: string[] = [];
    const a = replica(server, clock, 'a', shipped, 10);
    a.elector.start();
    await settle();
    await clock.advance(100); // just after a renewal: the next is ~1.9 s away
    for (let rv = 10; rv < 40; rv++) {
      a.see(rv); // 30 changes in 1.2 s, three times the hold, before the next regular renewal
      await clock.advance(40);
    }
    assert.equal(a.handover.dropped, 0, 'nothing dropped');
    assert.ok(shipped.length >= 25, `early renewals shipped most before the next regular one (${shipped.length} of 30)`);
    await clock.advance(2000);
    assert.equal(shipped.length, 30, 'the rest at the next renewal');
    await a.elector.stop();
  });

  test('the leader writes its open episodes with each renewal; a replica that starts reads them before it lists', async () => {
    const { server, clock, a, b } = await pair();
    let episodes = 'E1';
    a.elector.attachCheckpoint(() => episodes);
    b.elector.attachCheckpoint(() => 'never written: b follows');
    await clock.advance(2000);
    assert.equal(server.lease?.metadata.annotations?.['crotel.io/open-episodes'], 'E1');
    episodes = 'E2';
    await clock.advance(2000);
    assert.equal(await b.elector.readCheckpoint(), 'E2', 'the latest renewal');
    assert.equal(server.lease?.metadata.annotations?.['crotel.io/spans-through'] !== undefined, true, 'beside the handover');
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  });
});

