import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConditionSnapshot, Health, ResourceRef, Snapshot } from '../../src/model.ts';
import { EpisodeTracker, type EpisodeOutcome, type LifecycleSink, type SpanRecord } from '../../src/traces/episodes.ts';
import { traceIdFor } from '../../src/traces/ids.ts';

const ref: ResourceRef = { group: 'stable.example.com', version: 'v1', kind: 'DatabaseInstance' };
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function snap(over: Partial<Snapshot> & { health: Health }): Snapshot {
  return {
    uid: 'uid-1', namespace: 'default', name: 'db', resourceVersion: String(Math.random()),
    generation: 1, conditions: [], createdAt: T0, samples: [], errors: [], ...over,
  };
}
const ready = (status: string, since: number): ConditionSnapshot => ({ type: 'Ready', status, since, reason: `R${status}` });

class Recorder implements LifecycleSink {
  spans: SpanRecord[] = [];
  transitions: string[] = [];
  states: string[] = [];
  episodes: { outcome: EpisodeOutcome; seconds: number }[] = [];
  wantsSpans() { return true; }
  span(r: SpanRecord) { this.spans.push(r); }
  transition(_r: ResourceRef, type: string, from: string, to: string) { this.transitions.push(`${type}:${from}->${to}`); }
  stateEnded(_r: ResourceRef, type: string, state: string, seconds: number) { this.states.push(`${type}:${state}:${seconds}`); }
  episodeEnded(_r: ResourceRef, _t: string, outcome: EpisodeOutcome, seconds: number) { this.episodes.push({ outcome, seconds }); }
}

function setup(timeoutMs = 3_600_000) {
  let now = T0;
  const sink = new Recorder();
  const tracker = new EpisodeTracker(sink, { episodeTimeoutMs: timeoutMs, clock: () => now });
  return { sink, tracker, at: (ms: number) => (now = T0 + ms) };
}

test('create → Pending → Provisioning → Running (Ready False → True) is one trace with a child per state', () => {
  const { sink, tracker, at } = setup();
  const s0 = snap({ health: 'in_progress' });
  at(1000); tracker.observe(ref, undefined, s0);
  // phaseSince is what the store records when it sees a phase begin.
  const s1 = snap({ health: 'in_progress', phase: 'Pending', phaseSince: T0 + 2000 });
  at(2000); tracker.observe(ref, s0, s1);
  const s2 = snap({ health: 'in_progress', phase: 'Provisioning', phaseSince: T0 + 3500, conditions: [ready('False', T0 + 3000)] });
  at(3500); tracker.observe(ref, s1, s2);
  const s3 = snap({ health: 'current', phase: 'Running', phaseSince: T0 + 9500, conditions: [ready('True', T0 + 9000)] });
  at(9500); tracker.observe(ref, s2, s3);

  const byName = new Map(sink.spans.map((s) => [s.name, s]));
  assert.deepEqual(sink.spans.map((s) => s.name), ['phase Pending', 'phase Provisioning', 'condition Ready=False', 'reconcile DatabaseInstance']);
  const root = byName.get('reconcile DatabaseInstance')!;
  assert.equal(new Set(sink.spans.map((s) => s.traceId)).size, 1, 'one trace');
  assert.equal(root.parentSpanId, undefined);
  for (const child of sink.spans.slice(0, -1)) assert.equal(child.parentSpanId, root.spanId);
  // Times come from the object where it records them (creation, lastTransitionTime), else observation.
  assert.deepEqual([root.startMs, root.endMs], [T0, T0 + 9500]);
  assert.deepEqual([byName.get('phase Pending')!.startMs, byName.get('phase Pending')!.endMs], [T0 + 2000, T0 + 3500]);
  assert.deepEqual([byName.get('phase Provisioning')!.startMs, byName.get('phase Provisioning')!.endMs], [T0 + 3500, T0 + 9500]);
  assert.deepEqual([byName.get('condition Ready=False')!.startMs, byName.get('condition Ready=False')!.endMs], [T0 + 3000, T0 + 9000]);
  assert.equal(byName.get('condition Ready=False')!.attributes['crotel.transition.to'], 'Ready=True');
  assert.equal(root.status, 'ok');
  assert.equal(root.attributes['crotel.episode.outcome'], 'succeeded');
  assert.equal(root.attributes['crotel.episode.trigger'], 'created');
  assert.equal(root.attributes['k8s.object.uid'], 'uid-1');
  assert.deepEqual(sink.episodes, [{ outcome: 'succeeded', seconds: 9.5 }]);
  assert.deepEqual(sink.transitions, ['phase:<none>->Pending', 'phase:Pending->Provisioning', 'condition:Ready=<none>->Ready=False', 'phase:Provisioning->Running', 'condition:Ready=False->Ready=True', 'health:in_progress->current']);
  assert.deepEqual(sink.states, ['phase:Pending:1.5', 'phase:Provisioning:6', 'condition:Ready=False:6']);
});

function healthyAt(tracker: EpisodeTracker, at: (ms: number) => number): Snapshot {
  const s0 = snap({ health: 'in_progress' });
  at(0); tracker.observe(ref, undefined, s0);
  const s1 = snap({ health: 'current', phase: 'Running', conditions: [ready('True', T0 + 1000)] });
  at(1000); tracker.observe(ref, s0, s1);
  return s1;
}

test('a spec change opens a new episode: a new trace, ended once the status has moved', () => {
  const { sink, tracker, at } = setup();
  const s1 = healthyAt(tracker, at);
  const firstTrace = sink.spans.at(-1)!.traceId;
  const s2 = { ...s1, generation: 2, resourceVersion: 'b' };
  at(5000); tracker.observe(ref, s1, s2);
  assert.equal(tracker.openEpisodes(), 1, 'no observedGeneration: not done until the status moves');
  const s3 = { ...s2, phase: 'Provisioning', health: 'in_progress' as const, resourceVersion: 'c' };
  at(6000); tracker.observe(ref, s2, s3);
  const s4 = { ...s3, phase: 'Running', health: 'current' as const, resourceVersion: 'd' };
  at(8000); tracker.observe(ref, s3, s4);
  const root = sink.spans.at(-1)!;
  assert.equal(root.name, 'reconcile DatabaseInstance');
  assert.notEqual(root.traceId, firstTrace);
  assert.equal(root.attributes['crotel.episode.trigger'], 'spec_change');
  assert.deepEqual([root.startMs, root.endMs], [T0 + 5000, T0 + 8000]);
  // The states it passed through: Running when the spec changed (Ready=True all along), Provisioning.
  assert.deepEqual(sink.spans.filter((s) => s.traceId === root.traceId).map((s) => s.name).sort(),
    ['condition Ready=True', 'phase Provisioning', 'phase Running', 'reconcile DatabaseInstance']);
});

test('Running → Failed (terminal) opens an episode that ends with ERROR', () => {
  const { sink, tracker, at } = setup();
  const s1 = healthyAt(tracker, at);
  const failed = { ...s1, phase: 'Failed', health: 'failed' as const, resourceVersion: 'x' };
  at(20_000); tracker.observe(ref, s1, failed);
  const root = sink.spans.at(-1)!;
  assert.equal(root.status, 'error');
  assert.equal(root.statusMessage, 'phase Failed');
  assert.equal(root.attributes['crotel.episode.outcome'], 'failed');
  assert.equal(root.attributes['crotel.episode.trigger'], 'degraded');
  assert.equal(tracker.openEpisodes(), 0);
});

test('deletion ends the open episode', () => {
  const { sink, tracker, at } = setup();
  const s0 = snap({ health: 'in_progress', phase: 'Pending' });
  at(0); tracker.observe(ref, undefined, s0);
  at(4000); tracker.observe(ref, s0, undefined);
  const root = sink.spans.at(-1)!;
  assert.equal(root.attributes['crotel.episode.outcome'], 'deleted');
  assert.equal(root.endMs, T0 + 4000);
  assert.deepEqual(sink.spans.map((s) => s.name), ['phase Pending', 'reconcile DatabaseInstance']);
});

test('a restart mid-episode continues the same trace and exports no span twice', () => {
  const s0 = snap({ health: 'in_progress' });
  const s1 = snap({ health: 'in_progress', phase: 'Pending' });
  const s2 = snap({ health: 'in_progress', phase: 'Provisioning', conditions: [ready('False', T0 + 3000)] });
  const s3 = snap({ health: 'current', phase: 'Running', conditions: [ready('True', T0 + 9000)] });
  const before = setup();
  before.at(0); before.tracker.observe(ref, undefined, s0);
  before.at(2000); before.tracker.observe(ref, s0, s1);
  before.at(3500); before.tracker.observe(ref, s1, s2);
  // crotel dies here; a new process lists the object and follows it to the end.
  const after = setup();
  after.at(6000); after.tracker.observe(ref, undefined, s2);
  after.at(9500); after.tracker.observe(ref, s2, s3);
  const all = [...before.sink.spans, ...after.sink.spans];
  assert.equal(new Set(all.map((s) => s.traceId)).size, 1, 'same trace across the restart');
  assert.equal(new Set(all.map((s) => s.spanId)).size, all.length, 'no span exported twice');
  const root = after.sink.spans.at(-1)!;
  assert.equal(root.startMs, T0, 'root still starts at creation');
  assert.equal(all.filter((s) => s.name === 'reconcile DatabaseInstance').length, 1);
  for (const child of all.filter((s) => s.parentSpanId)) assert.equal(child.parentSpanId, root.spanId);
});

test('an unchanged object (relist) produces nothing', () => {
  const { sink, tracker, at } = setup();
  const s0 = snap({ health: 'in_progress', phase: 'Pending' });
  at(0); tracker.observe(ref, undefined, s0);
  at(100); tracker.observe(ref, s0, { ...s0, resourceVersion: 'other' });
  assert.deepEqual(sink.spans, []);
  assert.deepEqual(sink.transitions, []);
});

test('healthy or terminally failed objects seen for the first time open no episode', () => {
  const { sink, tracker, at } = setup();
  at(0);
  tracker.observe(ref, undefined, snap({ uid: 'a', health: 'current', phase: 'Running' }));
  tracker.observe(ref, undefined, snap({ uid: 'b', health: 'failed', phase: 'Failed' }));
  assert.equal(tracker.openEpisodes(), 0);
  assert.deepEqual(sink.spans, []);
});

test('episodes time out with ERROR; Events land on the span active at their time', () => {
  const { sink, tracker, at } = setup(60_000);
  const s0 = snap({ health: 'in_progress', phase: 'Pending' });
  at(1000); tracker.observe(ref, undefined, s0);
  assert.equal(tracker.addEvent('uid-1', { name: 'Scheduled', timeMs: T0 + 1500, attributes: { 'k8s.event.reason': 'Scheduled' } }), true);
  assert.equal(tracker.addEvent('nobody', { name: 'x', timeMs: T0, attributes: {} }), false);
  at(70_000); tracker.sweep();
  const [pending, root] = sink.spans;
  assert.deepEqual(pending!.events.map((e) => e.name), ['Scheduled']);
  assert.equal(root!.status, 'error');
  assert.equal(root!.attributes['crotel.episode.outcome'], 'timed_out');
});

test('a restart during a later degradation continues that episode, never re-exporting the creation root', () => {
  const created = snap({ health: 'in_progress', phase: 'Pending' });
  const healthy = snap({ health: 'current', phase: 'Running', conditions: [ready('True', T0 + 5000)] });
  const degraded = snap({ health: 'in_progress', phase: 'Running', conditions: [ready('False', T0 + 600_000)] });
  const recovered = snap({ health: 'current', phase: 'Running', conditions: [ready('True', T0 + 700_000)] });
  const before = setup();
  before.at(1000); before.tracker.observe(ref, undefined, created);
  before.at(5000); before.tracker.observe(ref, created, healthy);
  before.at(600_500); before.tracker.observe(ref, healthy, degraded);
  // crotel dies during the degradation; the new process sees the degraded object first.
  const after = setup();
  after.at(650_000); after.tracker.observe(ref, undefined, degraded);
  after.at(700_500); after.tracker.observe(ref, degraded, recovered);
  const all = [...before.sink.spans, ...after.sink.spans];
  assert.equal(new Set(all.map((s) => s.spanId)).size, all.length, 'no span id exported twice');
  const roots = all.filter((s) => s.name === 'reconcile DatabaseInstance');
  assert.deepEqual(roots.map((r) => r.attributes['crotel.episode.trigger']), ['created', 'degraded']);
  const degradedSpans = all.filter((s) => s.traceId === roots[1]!.traceId);
  assert.deepEqual(degradedSpans.map((s) => s.name).sort(), ['condition Ready=False', 'phase Running', 'reconcile DatabaseInstance']);
  // The key comes from the object (its latest condition transition), so both processes agree on the trace.
  assert.equal(roots[1]!.traceId, traceIdFor('uid-1', `degraded/1/${T0 + 600_000}`));
  assert.ok(degradedSpans.some((s) => s.name === 'condition Ready=False' && s.parentSpanId === roots[1]!.spanId));
});

test('a sink that wants no spans (tracing off, a follower) still gets the lifecycle measurements', () => {
  let now = T0;
  const sink = new Recorder();
  sink.wantsSpans = () => false;
  const tracker = new EpisodeTracker(sink, { episodeTimeoutMs: 3_600_000, clock: () => now });
  const s0 = snap({ health: 'in_progress', phase: 'Pending', phaseSince: T0 });
  tracker.observe(ref, undefined, s0);
  now = T0 + 2000;
  tracker.observe(ref, s0, snap({ health: 'current', phase: 'Running', phaseSince: T0 + 2000 }));
  assert.deepEqual(sink.spans, []);
  assert.deepEqual(sink.transitions, ['phase:Pending->Running', 'health:in_progress->current']);
  assert.deepEqual(sink.states, ['phase:Pending:2']);
  assert.deepEqual(sink.episodes, [{ outcome: 'succeeded', seconds: 2 }]);
  assert.equal(tracker.openEpisodes(), 0);
});

test('a restart during a spec change of an old object continues the spec change trace when observedGeneration says it is unfinished', () => {
  // Created long ago, healthy; generation 2 is being rolled out: Ready went False well after creation.
  const healthy = snap({ health: 'current', generation: 1, observedGeneration: 1, phase: 'Running', conditions: [ready('True', T0 + 5000)] });
  const bumped = snap({ health: 'in_progress', generation: 2, observedGeneration: 1, phase: 'Running', conditions: [ready('True', T0 + 5000)] });
  const rolling = snap({ health: 'in_progress', generation: 2, observedGeneration: 1, phase: 'Updating', conditions: [ready('False', T0 + 3_600_000)] });
  const done = snap({ health: 'current', generation: 2, observedGeneration: 2, phase: 'Running', conditions: [ready('True', T0 + 3_700_000)] });
  const before = setup();
  before.at(0); before.tracker.observe(ref, undefined, healthy);
  before.at(3_599_000); before.tracker.observe(ref, healthy, bumped);
  before.at(3_600_500); before.tracker.observe(ref, bumped, rolling);
  const after = setup();
  after.at(3_650_000); after.tracker.observe(ref, undefined, rolling);
  after.at(3_700_500); after.tracker.observe(ref, rolling, done);
  const all = [...before.sink.spans, ...after.sink.spans];
  const roots = all.filter((s) => s.name === 'reconcile DatabaseInstance');
  assert.equal(roots.length, 1, 'one root');
  assert.equal(roots[0]!.traceId, traceIdFor('uid-1', 'generation/2'));
  assert.equal(roots[0]!.attributes['crotel.episode.trigger'], 'spec_change');
  assert.deepEqual(new Set(all.map((s) => s.traceId)), new Set([roots[0]!.traceId]), 'every span in the spec change trace');
  assert.equal(new Set(all.map((s) => s.spanId)).size, all.length, 'no span exported twice');
});

test('a spec change does not end while observedGeneration is behind, even when the health says current (successPhases): a restart continues it, one root', () => {
  // With successPhases [Running] an object Running at a new generation is `current` before its
  // controller has observed that generation. Ending the episode then, and opening a degradation
  // when the controller moves to Provisioning, made a restarted crotel (which sees
  // observedGeneration behind and resumes the spec change) export the ended root a second time.
  const healthy = snap({ health: 'current', generation: 1, observedGeneration: 1, phase: 'Running', conditions: [ready('True', T0 + 1000)] });
  const bumped = { ...healthy, generation: 2, resourceVersion: 'b' };
  const working = snap({ health: 'in_progress', generation: 2, observedGeneration: 1, phase: 'Provisioning', conditions: [ready('False', T0 + 6000)] });
  const done = snap({ health: 'current', generation: 2, observedGeneration: 2, phase: 'Running', conditions: [ready('True', T0 + 9000)] });
  const live = setup();
  live.at(0); live.tracker.observe(ref, undefined, healthy);
  live.at(5000); live.tracker.observe(ref, healthy, bumped);
  assert.equal(live.tracker.openEpisodes(), 1, 'the controller has not observed generation 2 yet');
  live.at(6000); live.tracker.observe(ref, bumped, working);
  live.at(9000); live.tracker.observe(ref, working, done);
  const liveRoots = live.sink.spans.filter((s) => s.parentSpanId === undefined);
  assert.deepEqual(liveRoots.map((s) => [s.traceId, s.startMs, s.endMs]), [[traceIdFor('uid-1', 'generation/2'), T0 + 5000, T0 + 9000]]);
  // The replica that took over after the live one exported its spans up to Provisioning, restarted then.
  const restarted = setup();
  restarted.at(7000); restarted.tracker.observe(ref, undefined, working);
  restarted.at(9000); restarted.tracker.observe(ref, working, done);
  const roots = restarted.sink.spans.filter((s) => s.parentSpanId === undefined);
  assert.deepEqual(roots.map((s) => s.traceId), [traceIdFor('uid-1', 'generation/2')], 'the same trace: no second trace, no degradation');
});

test('a restart during a spec change the health calls settled (Running, or Failed before the change) still continues it while observedGeneration is behind', () => {
  for (const [health, phase] of [['current', 'Running'], ['failed', 'Failed']] as const) {
    const before = snap({ health, generation: 2, observedGeneration: 2, phase, conditions: [ready(health === 'current' ? 'True' : 'False', T0 + 1000)] });
    const bumped = { ...before, generation: 3, resourceVersion: 'b' };
    const working = snap({ health: 'in_progress', generation: 3, observedGeneration: 2, phase: 'Provisioning', conditions: [ready('False', T0 + 8000)] });
    const done = snap({ health: 'current', generation: 3, observedGeneration: 3, phase: 'Running', conditions: [ready('True', T0 + 9000)] });
    const live = setup();
    live.at(0); live.tracker.observe(ref, undefined, before);
    live.at(5000); live.tracker.observe(ref, before, bumped);
    // The live replica died here; another one lists the object at generation 3, not yet observed.
    const restarted = setup();
    restarted.at(6000); restarted.tracker.observe(ref, undefined, bumped);
    assert.equal(restarted.tracker.openEpisodes(), 1, `${phase}: the spec change is open`);
    restarted.at(8000); restarted.tracker.observe(ref, bumped, working);
    restarted.at(9000); restarted.tracker.observe(ref, working, done);
    const roots = restarted.sink.spans.filter((s) => s.parentSpanId === undefined);
    assert.deepEqual(roots.map((s) => [s.traceId, s.attributes['crotel.episode.outcome']]), [[traceIdFor('uid-1', 'generation/3'), 'succeeded']], phase);
    assert.ok(restarted.sink.spans.some((s) => s.name === 'phase Provisioning' && s.traceId === roots[0]!.traceId), `${phase}: the states after the restart are in it`);
  }
});

test('a spec change of a Failed object without observedGeneration is a retry: it waits for the status to move, and a restart continues it (one root)', async (t) => {
  const failed = snap({ health: 'failed', generation: 1, phase: 'Failed', conditions: [ready('False', T0 + 2000)] });
  const retried = { ...failed, generation: 2, resourceVersion: 'r' };
  const working = snap({ health: 'in_progress', generation: 2, phase: 'Provisioning', conditions: [ready('False', T0 + 8000)] });
  const done = snap({ health: 'current', generation: 2, phase: 'Running', conditions: [ready('True', T0 + 9000)] });
  const retryTrace = traceIdFor('uid-1', 'generation/2');

  await t.test('live: the retry ends when the controller has moved the status, not at once', () => {
    const live = setup();
    live.at(2000); live.tracker.observe(ref, undefined, failed);
    live.at(5000); live.tracker.observe(ref, failed, retried);
    assert.equal(live.tracker.openEpisodes(), 1, 'the Failed status still shown is the old spec\'s');
    assert.equal(live.sink.spans.filter((s) => s.traceId === retryTrace).length, 0);
    live.at(8000); live.tracker.observe(ref, retried, working);
    live.at(9000); live.tracker.observe(ref, working, done);
    const roots = live.sink.spans.filter((s) => s.traceId === retryTrace && s.parentSpanId === undefined);
    assert.deepEqual(roots.map((s) => [s.startMs, s.endMs, s.attributes['crotel.episode.outcome']]), [[T0 + 5000, T0 + 9000, 'succeeded']]);
    assert.ok(live.sink.spans.some((s) => s.traceId === retryTrace && s.name === 'phase Provisioning'));
  });

  await t.test('live: a retry that fails again ends failed once the status moved', () => {
    const live = setup();
    live.at(2000); live.tracker.observe(ref, undefined, failed);
    live.at(5000); live.tracker.observe(ref, failed, retried);
    live.at(8000); live.tracker.observe(ref, retried, working);
    const again = snap({ health: 'failed', generation: 2, phase: 'Failed', conditions: [ready('False', T0 + 8000)], resourceVersion: 'f' });
    live.at(9500); live.tracker.observe(ref, working, again);
    const roots = live.sink.spans.filter((s) => s.traceId === retryTrace && s.parentSpanId === undefined);
    assert.deepEqual(roots.map((s) => [s.endMs, s.attributes['crotel.episode.outcome']]), [[T0 + 9500, 'failed']]);
  });

  await t.test('restart while the retry still shows Failed: the leader\'s checkpoint continues it (its Failed phase span, then the root)', () => {
    const live = setup();
    live.at(2000); live.tracker.observe(ref, undefined, failed);
    live.at(5000); live.tracker.observe(ref, failed, retried);
    const checkpoint = live.tracker.checkpoint();
    assert.deepEqual(checkpoint.map((m) => [m.trigger, m.key]), [['spec_change', 'generation/2']]);
    const restarted = setup();
    restarted.tracker.resume(checkpoint);
    restarted.at(6000); restarted.tracker.observe(ref, undefined, retried); // first sight: Failed, generation 2
    assert.equal(restarted.tracker.openEpisodes(), 1, 'the retry the checkpoint holds goes on, though the status still says Failed');
    restarted.at(8000); restarted.tracker.observe(ref, retried, working);
    restarted.at(9000); restarted.tracker.observe(ref, working, done);
    const spans = restarted.sink.spans.filter((s) => s.traceId === retryTrace);
    assert.ok(spans.some((s) => s.name === 'phase Failed'), spans.map((s) => s.name).join(', '));
    assert.deepEqual(spans.filter((s) => s.parentSpanId === undefined).map((s) => [s.startMs, s.attributes['crotel.episode.outcome']]), [[T0 + 5000, 'succeeded']]);
  });

  await t.test('restart after a spec change went Failed again, still behind: the resumed phase starts at first sight, never as a Failed span already shipped', () => {
    // observedGeneration 1 throughout: the controller has not taken generation 2 up, the episode stays open.
    const running = snap({ health: 'current', generation: 1, observedGeneration: 1, phase: 'Running', conditions: [ready('True', T0 + 1000)] });
    const changed = { ...running, generation: 2, health: 'in_progress' as const, resourceVersion: 'c' };
    const down = snap({ health: 'failed', generation: 2, observedGeneration: 1, phase: 'Failed', conditions: [ready('False', T0 + 3000)], resourceVersion: 'd' });
    const up = snap({ health: 'in_progress', generation: 2, observedGeneration: 1, phase: 'Provisioning', conditions: [ready('False', T0 + 3000)], resourceVersion: 'u' });
    const downAgain = { ...down, resourceVersion: 'd2' };
    const live = setup();
    live.at(1000); live.tracker.observe(ref, undefined, running);
    live.at(2000); live.tracker.observe(ref, running, changed);
    live.at(3000); live.tracker.observe(ref, changed, down);
    live.at(4000); live.tracker.observe(ref, down, up); // ships "phase Failed" 3000–4000
    live.at(5000); live.tracker.observe(ref, up, downAgain);
    const checkpoint = live.tracker.checkpoint();
    assert.equal(checkpoint.length, 1);
    const restarted = setup();
    restarted.tracker.resume(checkpoint);
    restarted.at(6000); restarted.tracker.observe(ref, undefined, downAgain); // first sight: Failed again
    restarted.at(7000); restarted.tracker.observe(ref, downAgain, undefined); // deleted
    const shipped = new Set(live.sink.spans.map((x) => x.spanId));
    const failedSpans = restarted.sink.spans.filter((x) => x.name === 'phase Failed');
    assert.equal(failedSpans.length, 1, 'the resumed Failed phase, ended by the deletion');
    assert.equal(shipped.has(failedSpans[0]!.spanId), false, 'not the span id of the Failed span shipped before the restart');
    assert.equal(failedSpans[0]!.startMs, T0 + 6000);
  });

  await t.test('restart while provisioning the retry: the same trace, its root exported once in all', () => {
    const live = setup();
    live.at(2000); live.tracker.observe(ref, undefined, failed);
    live.at(5000); live.tracker.observe(ref, failed, retried);
    live.at(8000); live.tracker.observe(ref, retried, working);
    const restarted = setup();
    restarted.at(8500); restarted.tracker.observe(ref, undefined, working);
    restarted.at(9000); restarted.tracker.observe(ref, working, done);
    const roots = [...live.sink.spans, ...restarted.sink.spans].filter((s) => s.traceId === retryTrace && s.parentSpanId === undefined);
    assert.equal(roots.length, 1, 'one root for the retry');
    assert.equal(roots[0]!.attributes['crotel.episode.outcome'], 'succeeded');
  });
});

test('a restart during a creation that has gone on for minutes: with the leader\'s checkpoint the same trace goes on; without, it is taken for a degradation', async (t) => {
  // Created at T0, Pending at +70 s, Provisioning (Ready False) at +100 s; a replica starts at
  // +105 s and sees it Provisioning; it becomes Running at +130 s.
  const s0 = snap({ health: 'in_progress' });
  const s1 = snap({ health: 'in_progress', phase: 'Pending' });
  const s2 = snap({ health: 'in_progress', phase: 'Provisioning', conditions: [ready('False', T0 + 100_000)] });
  const s3 = snap({ health: 'current', phase: 'Running', conditions: [ready('True', T0 + 130_000)] });
  const leader = setup();
  leader.at(0); leader.tracker.observe(ref, undefined, s0);
  leader.at(70_000); leader.tracker.observe(ref, s0, s1);
  leader.at(100_000); leader.tracker.observe(ref, s1, s2);
  const checkpoint = leader.tracker.checkpoint();
  assert.deepEqual(checkpoint.map((m) => [m.uid, m.trigger, m.key, m.startMs]), [['uid-1', 'created', 'created', T0]]);
  const creation = traceIdFor('uid-1', 'created');

  await t.test('resumed from the checkpoint: the creation trace, its root once, from creation', () => {
    const restarted = setup();
    restarted.tracker.resume(checkpoint);
    restarted.at(105_000); restarted.tracker.observe(ref, undefined, s2);
    restarted.at(130_000); restarted.tracker.observe(ref, s2, s3);
    const root = restarted.sink.spans.find((s) => s.name === 'reconcile DatabaseInstance')!;
    assert.equal(root.traceId, creation);
    assert.equal(root.startMs, T0);
    assert.ok(restarted.sink.spans.every((s) => s.traceId === creation));
  });

  await t.test('without it: the guess from the object alone (a condition moved 100 s after creation) opens a degradation trace', () => {
    const restarted = setup();
    restarted.at(105_000); restarted.tracker.observe(ref, undefined, s2);
    restarted.at(130_000); restarted.tracker.observe(ref, s2, s3);
    const root = restarted.sink.spans.find((s) => s.name === 'reconcile DatabaseInstance')!;
    assert.notEqual(root.traceId, creation);
  });

  await t.test('a checkpointed episode the object has left (a new generation) is not continued', () => {
    const restarted = setup();
    restarted.tracker.resume(checkpoint);
    const changed = snap({ health: 'in_progress', generation: 2, phase: 'Provisioning', conditions: [ready('False', T0 + 100_000)] });
    restarted.at(105_000); restarted.tracker.observe(ref, undefined, changed);
    restarted.at(130_000); restarted.tracker.observe(ref, changed, { ...s3, generation: 2 });
    const root = restarted.sink.spans.find((s) => s.name === 'reconcile DatabaseInstance')!;
    assert.notEqual(root.traceId, creation, 'not the creation trace: that episode ended with the spec change');
  });
});
