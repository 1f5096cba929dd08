// What the seven health states mean for episodes (README "Health" → episodes): degraded opens or
// continues and never ends one; failed ends with ERROR; suspended opens none and stops the
// timeout clock; unknown opens none and ends none; the reason lands on the root span.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConditionSnapshot, Health, HealthWhy, ResourceRef, Snapshot } from '../../src/model.ts';
import { EpisodeTracker, type EpisodeOutcome, type LifecycleSink, type SpanRecord } from '../../src/traces/episodes.ts';

const ref: ResourceRef = { group: 'cert-manager.io', version: 'v1', kind: 'Certificate' };
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
let rv = 0;

function snap(health: Health, conditions: ConditionSnapshot[], why?: HealthWhy): Snapshot {
  return { uid: 'uid-1', namespace: 'shop', name: 'web', resourceVersion: String(++rv), generation: 1, conditions, createdAt: T0, health, ...(why ? { healthWhy: why } : {}), samples: [], errors: [] };
}
const ready = (status: string, since: number, reason = `R${status}`): ConditionSnapshot => ({ type: 'Ready', status, since, reason });

class Sink implements LifecycleSink {
  spans: SpanRecord[] = [];
  transitions: string[] = [];
  episodes: EpisodeOutcome[] = [];
  wantsSpans() { return true; }
  span(r: SpanRecord) { this.spans.push(r); }
  transition(_r: ResourceRef, type: string, from: string, to: string) { this.transitions.push(`${type}:${from}->${to}`); }
  stateEnded() {}
  episodeEnded(_r: ResourceRef, _t: string, outcome: EpisodeOutcome) { this.episodes.push(outcome); }
}

function setup(timeoutMs = 600_000) {
  let now = T0;
  const sink = new Sink();
  const tracker = new EpisodeTracker(sink, { episodeTimeoutMs: timeoutMs, clock: () => now });
  return { sink, tracker, at: (ms: number) => (now = T0 + ms) };
}

const healthy = (at: number) => snap('current', [ready('True', at)], { rule: 'cert-manager.io/Certificate rule 3: Ready=True' });
const degraded = (at: number) => snap('degraded', [ready('False', at, 'DoesNotExist')], { rule: 'cert-manager.io/Certificate rule 2: Ready=False', detail: 'DoesNotExist' });

test('degraded opens an episode, stays open while degraded, and healthy again ends it OK with the reason on the root', () => {
  const { sink, tracker, at } = setup();
  const h0 = healthy(T0);
  at(100_000); tracker.observe(ref, undefined, h0);
  const d1 = degraded(T0 + 200_000);
  at(200_000); tracker.observe(ref, h0, d1);
  assert.equal(tracker.openEpisodes(), 1, 'degraded opened one');
  const d2 = { ...d1, conditions: [{ ...ready('False', T0 + 200_000, 'DoesNotExist'), message: 'still missing' }], resourceVersion: 'x' };
  at(250_000); tracker.observe(ref, d1, d2);
  assert.equal(tracker.openEpisodes(), 1, 'still degraded: not ended');
  const h3 = healthy(T0 + 300_000);
  at(300_000); tracker.observe(ref, d2, h3);
  assert.equal(tracker.openEpisodes(), 0);
  assert.deepEqual(sink.episodes, ['succeeded']);
  const root = sink.spans.find((s) => s.parentSpanId === undefined);
  assert.ok(root);
  assert.equal(root.status, 'ok');
  assert.equal(root.attributes['crotel.episode.trigger'], 'degraded');
  assert.equal(root.attributes['crotel.health.state'], 'degraded');
  assert.equal(root.attributes['crotel.health.reason'], 'cert-manager.io/Certificate rule 2: Ready=False (DoesNotExist)');
  assert.ok(sink.transitions.includes('health:current->degraded') && sink.transitions.includes('health:degraded->current'));
});

test('failed ends the episode with status ERROR and the rule as message', () => {
  const { sink, tracker, at } = setup();
  const h0 = healthy(T0);
  at(1000); tracker.observe(ref, undefined, h0);
  const d1 = degraded(T0 + 2000);
  at(2000); tracker.observe(ref, h0, d1);
  const f2 = snap('failed', [ready('False', T0 + 3000, 'Denied')], { rule: 'cert-manager.io/CertificateRequest rule 2: Denied=True', detail: 'PolicyDenied' });
  at(3000); tracker.observe(ref, d1, f2);
  assert.deepEqual(sink.episodes, ['failed']);
  const root = sink.spans.find((s) => s.parentSpanId === undefined);
  assert.equal(root?.status, 'error');
  assert.equal(root?.statusMessage, 'cert-manager.io/CertificateRequest rule 2: Denied=True (PolicyDenied)');
  assert.equal(root?.attributes['crotel.health.state'], 'failed');
});

test('suspended opens no episode', () => {
  const { tracker, at } = setup();
  const h0 = healthy(T0);
  at(1000); tracker.observe(ref, undefined, h0);
  at(2000); tracker.observe(ref, h0, snap('suspended', [ready('True', T0), { type: 'Paused', status: 'True', since: T0 + 2000 }], { rule: 'generic: spec.suspend or spec.paused' }));
  assert.equal(tracker.openEpisodes(), 0);
});

test('an episode does not time out while the object is suspended; the suspended time does not count', () => {
  const { sink, tracker, at } = setup(600_000);
  const h0 = healthy(T0);
  at(0); tracker.observe(ref, undefined, h0);
  const d1 = degraded(T0 + 1000);
  at(1000); tracker.observe(ref, h0, d1);
  const s2 = snap('suspended', [ready('False', T0 + 1000, 'DoesNotExist'), { type: 'Paused', status: 'True', since: T0 + 100_000 }]);
  at(100_000); tracker.observe(ref, d1, s2);
  at(5_000_000); tracker.sweep();
  assert.equal(tracker.openEpisodes(), 1, 'suspended for far longer than the timeout: still open');
  const d3 = degraded(T0 + 1000);
  at(5_000_000); tracker.observe(ref, s2, { ...d3, conditions: [ready('False', T0 + 1000, 'DoesNotExist')] });
  at(5_000_000 + 400_000); tracker.sweep();
  assert.equal(tracker.openEpisodes(), 1, 'active time 99 s + 400 s < 600 s');
  at(5_000_000 + 600_000); tracker.sweep();
  assert.deepEqual(sink.episodes, ['timed_out']);
});

test('unknown neither opens nor ends an episode', () => {
  const { sink, tracker, at } = setup();
  const h0 = healthy(T0);
  at(1000); tracker.observe(ref, undefined, h0);
  const u1 = snap('unknown', [ready('Unknown', T0 + 2000)], { rule: 'argoproj.io/AnalysisRun rule 3: phase Inconclusive' });
  at(2000); tracker.observe(ref, h0, u1);
  assert.equal(tracker.openEpisodes(), 0, 'unknown from healthy opens none');
  const d2 = degraded(T0 + 3000);
  at(3000); tracker.observe(ref, u1, d2);
  assert.equal(tracker.openEpisodes(), 1, 'unknown → degraded opens one');
  const u3 = snap('unknown', [ready('Unknown', T0 + 4000)]);
  at(4000); tracker.observe(ref, d2, u3);
  assert.equal(tracker.openEpisodes(), 1, 'unknown does not end it');
  assert.deepEqual(sink.episodes, []);
});

test('first sight: degraded opens an episode, suspended and unknown do not', () => {
  for (const [health, opens] of [['degraded', 1], ['in_progress', 1], ['suspended', 0], ['unknown', 0], ['failed', 0], ['current', 0], ['terminating', 0]] as const) {
    const { tracker, at } = setup();
    at(1000);
    tracker.observe(ref, undefined, snap(health, [ready(health === 'current' ? 'True' : 'False', T0 + 500)]));
    assert.equal(tracker.openEpisodes(), opens, health);
  }
});

test('a spec change that suspends opens no episode (and ends an open one); resuming opens a spec change', () => {
  const { sink, tracker, at } = setup();
  const h0 = { ...healthy(T0), observedGeneration: 1 };
  at(1000); tracker.observe(ref, undefined, h0);
  const d1 = { ...degraded(T0 + 2000), observedGeneration: 1 };
  at(2000); tracker.observe(ref, h0, d1);
  assert.equal(tracker.openEpisodes(), 1);
  const s2 = { ...snap('suspended', [ready('False', T0 + 2000, 'DoesNotExist')], { rule: 'kustomize.toolkit.fluxcd.io/Kustomization rule 1: spec.suspend' }), generation: 2, observedGeneration: 1 };
  at(3000); tracker.observe(ref, d1, s2);
  assert.equal(tracker.openEpisodes(), 0, 'suspending: the open episode is superseded, none opens');
  assert.deepEqual(sink.episodes, ['superseded']);
  const s3 = { ...s2, resourceVersion: 'x', generation: 3 };
  at(4000); tracker.observe(ref, s2, s3);
  assert.equal(tracker.openEpisodes(), 0, 'a spec change while suspended opens none');
  const r4 = { ...healthy(T0), generation: 4, observedGeneration: 1 };
  at(5000); tracker.observe(ref, s3, r4);
  assert.equal(tracker.openEpisodes(), 1, 'resuming is a spec change: it opens one');
});

test('a spec change ends only when status.observedGeneration reaches the generation, even if only observedGeneration moves', () => {
  const { sink, tracker, at } = setup();
  const h0 = { ...healthy(T0), observedGeneration: 1 };
  at(1000); tracker.observe(ref, undefined, h0);
  // The rule reads Ready only: the old Ready=True still says current after the spec change.
  const h1 = { ...healthy(T0), generation: 2, observedGeneration: 1 };
  at(2000); tracker.observe(ref, h0, h1);
  assert.equal(tracker.openEpisodes(), 1, 'current, but generation 2 not observed: open');
  const h2 = { ...h1, resourceVersion: 'y', observedGeneration: 2 };
  at(3000); tracker.observe(ref, h1, h2);
  assert.equal(tracker.openEpisodes(), 0, 'observedGeneration caught up: ended');
  assert.deepEqual(sink.episodes, ['succeeded']);
  const root = sink.spans.find((s) => s.parentSpanId === undefined);
  assert.equal(root?.attributes['crotel.episode.trigger'], 'spec_change');
  assert.equal(root?.endMs, T0 + 3000);
});
