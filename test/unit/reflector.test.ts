// The Reflector against a scripted ListerWatcher and a fake clock: every path of list → watch →
// relist without an apiserver (the real-apiserver paths are in test/integration).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ResourceNotServedError } from '../../src/kube/discovery.ts';
import { KubeHttpError } from '../../src/kube/http.ts';
import { Reflector, type ReflectorOptions, type ReflectorSink } from '../../src/kube/reflector.ts';
import { FakeClock, FakeListerWatcher, obj, RESOURCE, settle } from './reflector-fakes.ts';

function recordingSink(): { sink: ReflectorSink; log: string[] } {
  const log: string[] = [];
  const id = (o: unknown): string => {
    const m = (o as { metadata: { uid: string; resourceVersion: string } }).metadata;
    return `${m.uid}@${m.resourceVersion}`;
  };
  return {
    log,
    sink: {
      beginList: () => log.push('begin'),
      listPage: (items) => log.push(`page ${items.map(id).join(',')}`),
      endList: () => log.push('end'),
      upsert: (o) => log.push(`upsert ${id(o)}`),
      remove: (o) => log.push(`remove ${id(o)}`),
    },
  };
}

function setup(options: Partial<ReflectorOptions> = {}) {
  const clock = new FakeClock();
  const lw = new FakeListerWatcher();
  const { sink, log } = recordingSink();
  const observed: string[] = [];
  const reflector = new Reflector({
    listerWatcher: lw, clock, ref: RESOURCE.ref, namespace: 'ns', sink, coalesceMs: 0,
    observer: {
      failed: (stage, error) => observed.push(`failed ${stage}: ${error instanceof Error ? error.message : String(error)}`),
      relist: (reason) => observed.push(`relist ${reason}`),
      watchStarted: () => observed.push('watch started'),
    },
    ...options,
  });
  return { clock, lw, log, observed, reflector };
}

const page = (resourceVersion: string, items: unknown[], next?: string) => ({ metadata: { resourceVersion, ...(next ? { continue: next } : {}) }, items });

describe('list and watch', () => {
  test('pages are delivered between beginList and endList; the watch starts at the list resourceVersion', async () => {
    const { lw, log, reflector, clock } = setup();
    lw.lists.push(page('', [obj('a', '5')], 'tok'), page('10', [obj('b', '7')]));
    reflector.start();
    await settle();
    assert.deepEqual(lw.calls, ['discover Widget', 'list', 'list continue=tok', 'watch rv=10']);
    assert.deepEqual(log, ['begin', 'page a@5', 'page b@7', 'end']);
    assert.equal(reflector.synced, true);
    assert.equal(lw.listRequests[0]!.namespace, 'ns');
    lw.lastWatch.start().upsert('a', '11').event('DELETED', obj('b', '12'));
    assert.deepEqual(log.slice(4), ['upsert a@11', 'remove b@12']);
    await reflector.stop();
    void clock;
  });

  test('a clean end resumes from the last event; a bookmark moves the position without reaching the sink', async () => {
    const { lw, log, reflector } = setup();
    lw.lists.push(page('10', []));
    reflector.start();
    await settle();
    lw.lastWatch.start().upsert('a', '11').bookmark('15');
    lw.lastWatch.end();
    await settle();
    assert.equal(lw.lastWatch.request.resourceVersion, '15');
    assert.deepEqual(log, ['begin', 'page ', 'end', 'upsert a@11']);
    await reflector.stop();
  });

  test('a JSON line cut across chunks arrives whole; a line that does not decode is counted and skipped', async () => {
    const { lw, log, observed, reflector } = setup();
    lw.lists.push(page('1', []));
    reflector.start();
    await settle();
    const line = JSON.stringify({ type: 'ADDED', object: obj('a', '2') });
    lw.lastWatch.start().bytes(line.slice(0, 9)).bytes(`${line.slice(9)}\n{not json\n`).upsert('b', '3');
    assert.deepEqual(log.slice(3), ['upsert a@2', 'upsert b@3']);
    assert.ok(observed.some((o) => o.startsWith('failed decode')), observed.join('\n'));
    await reflector.stop();
  });

  test('a sink that throws is reported and the watch goes on', async () => {
    const { lw, observed, reflector } = setup({
      sink: { beginList() {}, listPage() {}, endList() {}, upsert() { throw new Error('boom'); }, remove() {} },
    });
    lw.lists.push(page('1', []));
    reflector.start();
    await settle();
    lw.lastWatch.start().upsert('a', '2');
    assert.ok(observed.includes('failed handler: boom'));
    assert.equal(lw.watches.length, 1);
    await reflector.stop();
  });

  test('stop() ends the watch in flight; nothing reaches the sink afterwards', async () => {
    const { lw, log, reflector } = setup();
    lw.lists.push(page('1', []));
    reflector.start();
    await settle();
    const watch = lw.lastWatch.start();
    await reflector.stop();
    assert.equal(watch.aborted, true);
    watch.upsert('late', '9');
    assert.equal(log.includes('upsert late@9'), false);
    assert.equal(reflector.state, 'stopped');
  });
});

describe('errors', () => {
  const cases: { name: string; fail: (lw: FakeListerWatcher) => void; expect: string[] }[] = [
    {
      name: '410 Gone as a watch ERROR event relists',
      fail: (lw) => lw.lastWatch.start().event('ERROR', { code: 410, reason: 'Expired', message: 'too old' }),
      expect: ['relist expired'],
    },
    {
      name: '410 Gone as the HTTP answer relists',
      fail: (lw) => lw.lastWatch.fail(new KubeHttpError(410, 'Expired', 'HTTP 410')),
      expect: ['failed watch: HTTP 410', 'relist expired'],
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const { lw, clock, observed, reflector } = setup();
      lw.lists.push(page('10', [obj('a', '10')]), page('20', [obj('a', '18')]));
      reflector.start();
      await settle();
      c.fail(lw);
      await clock.advance(1000);
      assert.deepEqual(observed.filter((o) => !o.startsWith('watch started')), c.expect);
      assert.deepEqual(lw.calls.filter((x) => x !== 'discover Widget'), ['list', 'watch rv=10', 'list', 'watch rv=20']);
      await reflector.stop();
    });
  }

  test('a relist tells the sink through which version its view was current: the last event handled before the 410', async () => {
    const { lw, clock } = setup();
    const begun: (string | undefined)[] = [];
    const { sink } = recordingSink();
    const r = new Reflector({ listerWatcher: lw, clock, ref: RESOURCE.ref, namespace: 'ns', coalesceMs: 0, sink: { ...sink, beginList: (viewThrough) => begun.push(viewThrough) } });
    lw.lists.push(page('10', [obj('a', '10')]), page('30', [obj('a', '25')]));
    r.start();
    await settle();
    lw.lastWatch.start().upsert('b', '14').bookmark('17').event('ERROR', { code: 410, reason: 'Expired', message: 'too old' });
    await clock.advance(1000);
    assert.deepEqual(begun, [undefined, '17'], 'a first list has no view before it; the relist continues one current through 17');
    await r.stop();
  });

  test('a kind not served (yet) is rediscovered after a backoff, and served once its CRD appears', async () => {
    const { lw, clock, observed, reflector } = setup();
    lw.discoveries.push(new ResourceNotServedError(RESOURCE.ref), new ResourceNotServedError(RESOURCE.ref), RESOURCE);
    lw.discoveries.next(); // drop the default answer queued first
    lw.lists.push(page('3', []));
    reflector.start();
    await settle();
    assert.equal(reflector.state, 'backoff');
    await clock.advance(5000);
    assert.deepEqual(lw.calls, ['discover Widget', 'discover Widget', 'discover Widget', 'list', 'watch rv=3']);
    assert.equal(observed.filter((o) => o.startsWith('failed discovery')).length, 2);
    await reflector.stop();
  });

  test('a 404 on the list (CRD deleted) rediscovers before listing again', async () => {
    const { lw, clock, reflector } = setup();
    lw.lists.push(new KubeHttpError(404, 'NotFound', 'HTTP 404'), page('4', []));
    reflector.start();
    await clock.advance(5000);
    assert.deepEqual(lw.calls, ['discover Widget', 'list', 'discover Widget', 'list', 'watch rv=4']);
    await reflector.stop();
  });

  /** The waits between the first `n` attempts, each timer run out in turn. */
  async function waitsOf(clock: FakeClock, n: number): Promise<number[]> {
    const waits: number[] = [];
    for (let i = 0; i < n; i++) {
      const [wait] = clock.pending();
      waits.push(wait!);
      await clock.advance(wait!);
    }
    return waits;
  }

  test('the backoff grows ×2 per failure up to its cap (full jitter at 0.5 → 75 % of the ceiling)', async () => {
    const { lw, clock, reflector } = setup();
    lw.lists.push(new KubeHttpError(503, 'ServiceUnavailable', 'HTTP 503'));
    reflector.start();
    await settle();
    const waits = await waitsOf(clock, 9);
    assert.deepEqual(waits, [375, 750, 1500, 3000, 6000, 12_000, 22_500, 22_500, 22_500]);
    await reflector.stop();
  });

  test('a 429 or 503 with Retry-After waits what the server asked, and does not grow the backoff', async () => {
    const { lw, clock, reflector } = setup();
    lw.lists.push(
      new KubeHttpError(429, 'TooManyRequests', 'HTTP 429', 1000),
      new KubeHttpError(429, 'TooManyRequests', 'HTTP 429', 1000),
      new KubeHttpError(503, 'ServiceUnavailable', 'HTTP 503', 120_000),
      new KubeHttpError(503, 'ServiceUnavailable', 'HTTP 503'),
      page('5', []),
    );
    reflector.start();
    await settle();
    const waits = await waitsOf(clock, 4);
    assert.deepEqual(waits, [1000, 1000, 30_000, 375], 'as asked (at most the backoff cap), then the backoff from its first step');
    assert.equal(reflector.synced, true);
    await reflector.stop();
  });
});

describe('coalescing', () => {
  test('the first event after a quiet spell goes at once; the next ones within the window wait and go together', async () => {
    const { lw, log, clock, reflector } = setup({ coalesceMs: 100 });
    lw.lists.push(page('1', []));
    reflector.start();
    await settle();
    const watch = lw.lastWatch.start();
    watch.upsert('a', '2');
    assert.deepEqual(log.slice(3), ['upsert a@2'], 'first at once');
    await clock.advance(30);
    watch.upsert('b', '3');
    await clock.advance(30);
    watch.upsert('c', '4');
    assert.deepEqual(log.slice(3), ['upsert a@2'], 'held within the window');
    await clock.advance(40);
    assert.deepEqual(log.slice(3), ['upsert a@2', 'upsert b@3', 'upsert c@4'], 'released together at the window end');
    await clock.advance(500);
    watch.upsert('d', '5');
    assert.deepEqual(log.at(-1), 'upsert d@5', 'quiet again: at once');
    await reflector.stop();
  });

  test('a batch of 256 KiB goes without waiting; what waits at the stream end is delivered before the next watch', async () => {
    const { lw, log, clock, reflector } = setup({ coalesceMs: 1000 });
    lw.lists.push(page('1', []));
    reflector.start();
    await settle();
    const watch = lw.lastWatch.start();
    watch.upsert('a', '2');
    watch.upsert('big', '3', { data: 'x'.repeat(300 * 1024) });
    assert.equal(log.at(-1), 'upsert big@3');
    await clock.advance(10);
    watch.upsert('c', '4');
    assert.equal(log.at(-1), 'upsert big@3');
    watch.end();
    await settle();
    assert.equal(log.at(-1), 'upsert c@4');
    assert.equal(lw.lastWatch.request.resourceVersion, '4');
    await reflector.stop();
  });
});

// Each of these failed before the fix it names (see the commit that brought it).
describe('reconnects', () => {
  test('after a broken watch the next one resumes from the last event handled, not from where the broken one started', async () => {
    const { lw, log, clock, observed, reflector } = setup();
    lw.lists.push(page('10', []));
    reflector.start();
    await settle();
    lw.lastWatch.start().upsert('a', '11').upsert('b', '12').bookmark('14');
    lw.lastWatch.fail(new Error('connection reset'));
    await clock.advance(1000);
    assert.deepEqual(lw.calls.filter((c) => c.startsWith('watch')), ['watch rv=10', 'watch rv=14']);
    assert.equal(lw.calls.filter((c) => c === 'list').length, 1, 'no relist');
    assert.deepEqual(observed.filter((o) => o.startsWith('relist')), []);
    assert.deepEqual(log.filter((l) => l.startsWith('upsert')), ['upsert a@11', 'upsert b@12'], 'nothing replayed');
    await reflector.stop();
  });

  test('complete lines waiting in the coalescing window when the connection breaks are handled, and the watch resumes after them', async () => {
    const { lw, log, clock, reflector } = setup({ coalesceMs: 100 });
    lw.lists.push(page('10', []));
    reflector.start();
    await settle();
    lw.lastWatch.start().upsert('a', '11').upsert('b', '12');
    assert.deepEqual(log.filter((l) => l.startsWith('upsert')), ['upsert a@11']);
    lw.lastWatch.bytes('{"type":"MODIFIED","obj'); // a line cut mid-way is never handled
    lw.lastWatch.fail(new Error('connection reset'));
    await clock.advance(1000);
    assert.deepEqual(log.filter((l) => l.startsWith('upsert')), ['upsert a@11', 'upsert b@12']);
    assert.equal(lw.lastWatch.request.resourceVersion, '12');
    await reflector.stop();
  });

  test('the backoff starts again from its initial delay after a watch that delivered events, even if it then broke', async () => {
    const { lw, clock, reflector } = setup();
    lw.lists.push(page('10', []));
    reflector.start();
    await settle();
    const waits: number[] = [];
    const breakAndWait = async (deliver: boolean): Promise<void> => {
      const watch = lw.lastWatch.start();
      if (deliver) watch.upsert('a', String(20 + waits.length));
      watch.fail(new Error('connection reset'));
      await settle();
      const [wait] = clock.pending().filter((ms) => ms < 100_000);
      waits.push(wait!);
      await clock.advance(wait!);
    };
    for (let i = 0; i < 4; i++) await breakAndWait(false);
    await breakAndWait(true);
    await breakAndWait(false);
    assert.deepEqual(waits, [375, 750, 1500, 3000, 375, 750]);
    await reflector.stop();
  });
});

describe('watch liveness', () => {
  test('a watch that receives nothing (half-open) is torn down within a minute, not after 150 s', async () => {
    const { lw, clock, observed, reflector } = setup({ coalesceMs: 100 });
    lw.lists.push(page('10', []));
    reflector.start();
    await settle();
    const stalled = lw.lastWatch.start().upsert('a', '11');
    assert.equal(reflector.state, 'watching');
    await clock.advance(60_000);
    assert.equal(stalled.aborted, true, 'torn down');
    assert.ok(observed.some((o) => /failed watch: watch silent/.test(o)), observed.join('\n'));
    assert.ok(lw.watches.length >= 2, 'reconnected');
    assert.equal(lw.lastWatch.request.resourceVersion, '11');
    await reflector.stop();
  });

  test('until the server answers, a watch is connecting, not watching (crotel_watch_up stays 0)', async () => {
    const { lw, reflector } = setup();
    lw.lists.push(page('10', []));
    reflector.start();
    await settle();
    assert.equal(lw.watches.length, 1);
    assert.equal(reflector.state, 'connecting');
    lw.lastWatch.start();
    assert.equal(reflector.state, 'watching');
    await reflector.stop();
  });

  test('a quiet watch that the server ends at its timeoutSeconds is a healthy expiry: no error, same position', async () => {
    // As the Events watch on a quiet cluster: no event, no bookmark (events bypass the watch cache).
    const { lw, clock, observed, reflector } = setup();
    lw.lists.push(page('10', []));
    reflector.start();
    await settle();
    for (let i = 0; i < 3; i++) {
      const watch = lw.lastWatch.start();
      await clock.advance(watch.request.timeoutSeconds * 1000);
      assert.equal(watch.aborted, false, 'not torn down by crotel before the server ends it');
      watch.end();
      await settle();
    }
    assert.deepEqual(observed.filter((o) => o.startsWith('failed')), []);
    assert.deepEqual(lw.watches.map((w) => w.request.resourceVersion), ['10', '10', '10', '10']);
    await reflector.stop();
  });
});

describe('stale watches', () => {
  test('a stalled watch on a changing collection is found by a probe within ~10 s and resumed from the last event handled', async () => {
    const { lw, clock, observed, reflector } = setup();
    lw.lists.push(page('10', []));
    lw.onProbe = (probe) => probe.start().upsert('b', '13'); // the server has a change the watch never delivered
    reflector.start();
    await settle();
    const stalled = lw.lastWatch.start().upsert('a', '11');
    await clock.advance(11_000);
    assert.equal(stalled.aborted, true, 'torn down as stale');
    assert.equal(lw.probes[0]!.request.resourceVersion, '11', 'the probe asks from the last event handled');
    assert.ok(observed.some((o) => /failed watch: watch stale/.test(o)), observed.join('\n'));
    await clock.advance(2000);
    assert.equal(lw.lastWatch.request.resourceVersion, '11');
    assert.equal(lw.watches.length, 2);
    await reflector.stop();
  });

  test('a silent watch whose probe is answered 410 Gone (the apiserver restarted behind a half-open connection) is torn down, and the next watch relists', async () => {
    const { lw, clock, observed, reflector } = setup();
    lw.lists.push(page('10', []), page('20', []));
    lw.onProbe = (probe) => probe.start().event('ERROR', { code: 410, reason: 'Expired', message: 'too old resource version: 11 (2400)' });
    reflector.start();
    await settle();
    const stalled = lw.lastWatch.start().upsert('a', '11');
    await clock.advance(11_000);
    assert.equal(stalled.aborted, true, 'torn down as stale, not left for the inactivity timer');
    assert.ok(observed.some((o) => /failed watch: watch stale: the server has no history/.test(o)), observed.join('\n'));
    await clock.advance(2000);
    lw.lastWatch.start().event('ERROR', { code: 410, reason: 'Expired', message: 'too old' });
    await clock.advance(2000);
    assert.ok(observed.includes('relist expired'), observed.join('\n'));
    await reflector.stop();
  });

  test('a quiet watch on a quiet collection is probed and left alone', async () => {
    const { lw, clock, observed, reflector } = setup();
    lw.lists.push(page('10', []));
    lw.onProbe = (probe) => probe.start().end(); // nothing since: the server ends the probe empty
    reflector.start();
    await settle();
    const quiet = lw.lastWatch.start();
    await clock.advance(35_000);
    assert.ok(lw.probes.length >= 2, 'probed while silent');
    assert.equal(quiet.aborted, false);
    assert.deepEqual(observed.filter((o) => o.startsWith('failed')), []);
    await reflector.stop();
  });

  test('a probe that sees a change the watch delivers meanwhile does not tear the watch down', async () => {
    const { lw, clock, observed, reflector } = setup();
    lw.lists.push(page('10', []));
    reflector.start();
    await settle();
    const watch = lw.lastWatch.start();
    lw.onProbe = (probe) => {
      watch.upsert('b', '12'); // the watch was only slow: it delivers the change too
      probe.start().upsert('b', '12');
    };
    await clock.advance(11_000);
    assert.equal(watch.aborted, false);
    assert.deepEqual(observed.filter((o) => o.startsWith('failed')), []);
    await reflector.stop();
  });

  test('a probe that hears of a change before the watch does gives the watch a moment to deliver it', async () => {
    // Both hear of the change at about the same time: a change made just as the probe ran is no proof.
    const { lw, clock, observed, reflector } = setup();
    lw.lists.push(page('10', []));
    reflector.start();
    await settle();
    const watch = lw.lastWatch.start();
    lw.onProbe = (probe) => {
      probe.start().upsert('b', '12');
      clock.setTimer(() => watch.upsert('b', '12'), 500); // the watch delivers it half a second later
    };
    await clock.advance(15_000);
    assert.equal(watch.aborted, false);
    assert.equal(lw.watches.length, 1, 'no relist');
    assert.deepEqual(observed.filter((o) => o.startsWith('failed')), []);
    await reflector.stop();
  });
});
