// Reconcile episodes of objects, as spans. Pure logic with an injected clock: Snapshots in,
// finished SpanRecords and lifecycle measurements out. One episode is one trace:
//   start  — creation, a spec change (generation bump), or leaving a settled state (current,
//            suspended, unknown) for in_progress, degraded or failed;
//   end    — healthy again (`current`, with status.observedGeneration, when reported, caught up
//            with the generation), a terminal failure (`failed`, status ERROR), deletion,
//            or timeout. `degraded` is recoverable: it opens or continues an episode and never
//            ends one. `suspended` neither opens an episode nor lets an open one time out (the
//            time spent suspended does not count; a spec change to a suspended object opens none).
//            `unknown` neither opens nor ends one;
//            `terminating` opens none and the deletion ends it;
//   spans  — a root for the episode, a child per phase / condition-status interval, each
//            handed out as soon as it closes (at the next transition), the root last.
// Ids are derived from the uid and an episode key read from the object, so a restart
// mid-episode continues the same trace (see README "Lifecycle traces" for the limits).
import type { Health, ResourceRef, Snapshot } from '../model.ts';
import { diff, type Transition } from './diff.ts';
import { spanIdFor, traceIdFor } from './ids.ts';

export type EpisodeTrigger = 'created' | 'spec_change' | 'degraded';
export type EpisodeOutcome = 'succeeded' | 'failed' | 'deleted' | 'timed_out' | 'superseded';
export type StateType = 'phase' | 'condition' | 'health';

export interface SpanEventRecord {
  readonly name: string;
  readonly timeMs: number;
  /** How coarse timeMs is (1000 for the second-precision timestamps of core Events). */
  readonly precisionMs?: number;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface SpanRecord {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly attributes: Readonly<Record<string, string | number>>;
  readonly status: 'unset' | 'ok' | 'error';
  readonly statusMessage?: string;
  readonly events: readonly SpanEventRecord[];
}

/** Where the tracker's output goes: spans to export and measurements for the SLO metrics. */
export interface LifecycleSink {
  /** False when no span would be exported (tracing off, or a follower): records are not built. */
  wantsSpans(): boolean;
  span(record: SpanRecord): void;
  transition(ref: ResourceRef, stateType: StateType, from: string, to: string): void;
  stateEnded(ref: ResourceRef, stateType: StateType, state: string, seconds: number): void;
  episodeEnded(ref: ResourceRef, trigger: EpisodeTrigger, outcome: EpisodeOutcome, seconds: number): void;
}

export interface TrackerOptions {
  readonly episodeTimeoutMs: number;
  readonly clock: () => number;
}

interface OpenState {
  readonly key: string; // 'phase' | 'condition/<type>'
  readonly stateType: StateType;
  readonly value: string; // 'Provisioning' | 'Ready=False'
  readonly spanId: string;
  readonly startMs: number;
  /** Attributes beyond the identity and state ones; the full set is built when the span closes. */
  readonly extra: Record<string, string | number>;
  readonly events: SpanEventRecord[];
}

/**
 * An open episode as a restarted tracker needs it to continue the same trace (carried through the
 * Lease by traces/checkpoint.ts): which episode it is and when it began.
 */
export interface EpisodeMark {
  readonly uid: string;
  readonly trigger: EpisodeTrigger;
  /** The episode key its trace id derives from ('created', 'generation/3', 'degraded/…'). */
  readonly key: string;
  readonly startMs: number;
  readonly changed: boolean;
}

interface OpenEpisode {
  readonly uid: string;
  readonly ref: ResourceRef;
  readonly key: string;
  readonly traceId: string;
  readonly rootSpanId: string;
  readonly trigger: EpisodeTrigger;
  readonly startMs: number;
  readonly identity: Record<string, string | number>;
  readonly states: Map<string, OpenState>;
  readonly events: SpanEventRecord[];
  /** A status transition happened since the start (success needs one when the object reports no observedGeneration). */
  changed: boolean;
  /** The latest judgement that was not healthy, for the root span (`crotel.health.*`). */
  problem?: { readonly state: Health; readonly reason: string };
  /** When the object became suspended (episode clock stopped), and time suspended so far. */
  suspendedSince?: number;
  suspendedMs: number;
}

/** Settled states: leaving one for an unsettled state opens a degradation episode. */
const SETTLED: ReadonlySet<Health> = new Set(['current', 'suspended', 'unknown']);
const OPENS: ReadonlySet<Health> = new Set(['in_progress', 'degraded', 'failed']);

function reasonOf(s: Snapshot): string | undefined {
  const w = s.healthWhy;
  return w ? `${w.rule}${w.detail !== undefined ? ` (${w.detail})` : ''}` : undefined;
}

const missing = '<none>';

/** Conditions that moved more than this after creation mark a degradation, not provisioning. */
const DEGRADATION_GAP_MS = 60_000;

/**
 * Which episode an object first seen in progress (after a restart) is in: its generation's own
 * (creation or spec change) or a later degradation — the answer the live tracker gave, as far as
 * the object records it:
 * - status.observedGeneration behind metadata.generation: the controller has not yet observed
 *   this generation, so the generation's own episode is certainly still open (a restart during a
 *   spec change of an old object used to be taken for a degradation: a new trace, and the first
 *   part of the spec change's trace never got its root);
 * - otherwise a guess: a condition that moved more than 60 s after creation marks a degradation.
 *   When unsure the guess leans to a degradation — a new trace — because the opposite mistake
 *   re-opens a trace that may have ended and exports its root twice.
 */
function resumedAs(s: Snapshot, generation: number, lastMove: number | undefined): 'own' | 'degraded' {
  if (s.observedGeneration !== undefined && s.observedGeneration < generation) return 'own';
  return lastMove !== undefined && s.createdAt !== undefined && lastMove - s.createdAt > DEGRADATION_GAP_MS ? 'degraded' : 'own';
}

/** The controller reports observedGeneration and has not observed the current generation yet. */
function behind(s: Snapshot): boolean {
  return s.observedGeneration !== undefined && s.generation !== undefined && s.observedGeneration < s.generation;
}

/** The latest lastTransitionTime among the object's conditions. */
function latestTransition(s: Snapshot): number | undefined {
  let latest: number | undefined;
  for (const c of s.conditions) if (c.since !== undefined && (latest === undefined || c.since > latest)) latest = c.since;
  return latest;
}

/**
 * A degradation episode's key, read from the object so a restarted crotel derives the same one:
 * the latest condition transition when there is one (phases carry no time), else when it was seen.
 */
function degradedKey(s: Snapshot, observedAt: number): string {
  return `degraded/${s.generation ?? 0}/${latestTransition(s) ?? observedAt}`;
}

function conditionValue(type: string, status: string | undefined): string {
  return `${type}=${status ?? missing}`;
}

function identityOf(ref: ResourceRef, s: Snapshot): Record<string, string | number> {
  const attrs: Record<string, string | number> = {
    'k8s.object.group': ref.group,
    'k8s.object.version': ref.version,
    'k8s.object.kind': ref.kind,
    'k8s.object.name': s.name,
    'k8s.object.uid': s.uid,
  };
  if (s.namespace) attrs['k8s.namespace.name'] = s.namespace;
  if (s.generation !== undefined) attrs['k8s.object.generation'] = s.generation;
  return attrs;
}

/**
 * An object first seen in this state may be mid-episode: in progress or degraded, or behind on
 * observedGeneration (a spec change the live tracker still has open, whatever the health says).
 */
function inProgress(s: Snapshot): boolean {
  return behind(s) || (OPENS.has(s.health) && s.health !== 'failed');
}

/**
 * Whether a checkpointed episode can still be the one an object first seen in progress is in: the
 * object must not have settled meanwhile, and its generation must be the episode's own.
 */
function continues(mark: EpisodeMark, s: Snapshot): boolean {
  const generation = s.generation ?? 1;
  // The retry of a Failed object (a spec change the controller has not picked up, no
  // observedGeneration) still shows Failed: the open episode of exactly this generation is it.
  if (mark.trigger === 'spec_change' && s.health === 'failed' && s.observedGeneration === undefined) return mark.key === `generation/${generation}`;
  if (!inProgress(s)) return false;
  switch (mark.trigger) {
    case 'created': return generation <= 1;
    case 'spec_change': return mark.key === `generation/${generation}`;
    case 'degraded': return mark.key.startsWith(`degraded/${s.generation ?? 0}/`);
  }
}

export class EpisodeTracker {
  private readonly episodes = new Map<string, OpenEpisode>();
  private readonly sink: LifecycleSink;
  private readonly options: TrackerOptions;
  /** Episodes another tracker had open (the leader's checkpoint), for objects first seen in progress after a restart. */
  private readonly resumed = new Map<string, EpisodeMark>();

  constructor(sink: LifecycleSink, options: TrackerOptions) {
    this.sink = sink;
    this.options = options;
  }

  /** The episodes open now, as a restarted tracker would continue them (see resume). */
  checkpoint(): EpisodeMark[] {
    return [...this.episodes.values()].map((e) => ({ uid: e.uid, trigger: e.trigger, key: e.key, startMs: e.startMs, changed: e.changed }));
  }

  /**
   * Episodes a tracker had open shortly before this one started (the leader's last checkpoint):
   * an object first seen in progress continues its episode's trace, instead of the guess from
   * the object alone (resumedAs), which takes a long creation for a degradation.
   */
  resume(marks: readonly EpisodeMark[]): void {
    for (const mark of marks) this.resumed.set(mark.uid, mark);
  }

  /** Episodes open now, optionally for one kind. */
  openEpisodes(ref?: ResourceRef): number {
    if (!ref) return this.episodes.size;
    let n = 0;
    for (const e of this.episodes.values()) if (e.ref.kind === ref.kind && e.ref.group === ref.group) n++;
    return n;
  }

  /** Feeds one change of one object: added (no previous), updated, or deleted (no next). */
  observe(ref: ResourceRef, previous: Snapshot | undefined, next: Snapshot | undefined): void {
    const now = this.options.clock();
    if (!next) {
      if (previous) this.deleted(previous, now);
      return;
    }
    if (!previous) {
      this.firstSight(ref, next, now);
      return;
    }
    const transitions = diff(previous, next);
    if (transitions.length === 0) {
      // A controller catching up with a spec change may move nothing but status.observedGeneration
      // (a catalog rule such as Flux's reads Ready, not the generation): that can end the episode.
      if (next.observedGeneration !== previous.observedGeneration) {
        const open = this.episodes.get(next.uid);
        if (open) this.finishIfDone(open, next, transitions, now);
      }
      return;
    }
    this.measure(ref, previous, next, transitions, now);

    let episode = this.episodes.get(next.uid);
    const bump = transitions.find((t) => t.type === 'generation');
    if (bump) {
      if (episode) this.end(episode, now, 'superseded');
      // A suspended object is not being reconciled: the spec change that suspends it (or one made
      // while it is suspended) opens no episode; resuming is a spec change of its own and does.
      if (next.health === 'suspended') return;
      episode = this.start(ref, next, 'spec_change', `generation/${next.generation}`, now);
    } else if (!episode && SETTLED.has(previous.health) && OPENS.has(next.health)) {
      const at = this.transitionTime(transitions, now);
      episode = this.start(ref, next, 'degraded', degradedKey(next, at), at);
    } else if (episode) {
      // On the update that ends the episode, close the old states but open no new ones: the
      // healthy (or failed) state it arrived at is the episode's end, not a state within it.
      if (episode.changed === false && transitions.some((t) => t.type === 'phase' || t.type === 'condition')) episode.changed = true;
      const done = this.outcomeOf(episode, next) !== undefined;
      this.advance(episode, transitions, now, !done);
    }
    if (!episode) return;
    this.note(episode, next, now);
    this.finishIfDone(episode, next, transitions, now);
  }

  /** Keeps the episode's health story: the latest problem, and the suspended clock. */
  private note(episode: OpenEpisode, s: Snapshot, now: number): void {
    if (s.health !== 'current') {
      const reason = reasonOf(s);
      if (reason !== undefined && s.health !== 'suspended') episode.problem = { state: s.health, reason };
    }
    if (s.health === 'suspended') episode.suspendedSince ??= now;
    else if (episode.suspendedSince !== undefined) {
      episode.suspendedMs += Math.max(0, now - episode.suspendedSince);
      episode.suspendedSince = undefined;
    }
  }

  /** Attaches a Kubernetes Event to the span active at its time; false when no episode is open. */
  addEvent(uid: string, event: SpanEventRecord): boolean {
    const episode = this.episodes.get(uid);
    // Events from before the episode (e.g. re-listed after a restart) belong to no open span.
    if (!episode || event.timeMs < episode.startMs) return false;
    let target: OpenState | undefined;
    const latest = event.timeMs + (event.precisionMs ?? 0);
    for (const state of episode.states.values()) {
      if (state.startMs <= latest && (!target || state.startMs > target.startMs)) target = state;
    }
    (target?.events ?? episode.events).push(event);
    return true;
  }

  /** Ends episodes open longer than the timeout. Call periodically. */
  sweep(): void {
    const now = this.options.clock();
    for (const episode of [...this.episodes.values()]) {
      if (episode.suspendedSince !== undefined) continue; // paused on purpose: its clock is stopped
      if (now - episode.startMs - episode.suspendedMs > this.options.episodeTimeoutMs) this.end(episode, now, 'timed_out');
    }
  }

  private firstSight(ref: ResourceRef, s: Snapshot, now: number): void {
    const mark = this.resumed.get(s.uid);
    if (mark) {
      this.resumed.delete(s.uid);
      if (continues(mark, s) && now - mark.startMs <= this.options.episodeTimeoutMs) {
        // The episode began at the mark; its current phase began some time after, unknown here:
        // from first sight, so it never takes the start (and span id) of an earlier span of the
        // same phase in this trace, which the predecessor may have shipped already.
        const episode = this.start(ref, s, mark.trigger, mark.key, mark.startMs, now);
        episode.changed = mark.changed;
        return;
      }
    }
    // observedGeneration behind: a spec change the live tracker still has open (see outcomeOf),
    // whatever the health says about the old spec (Running, or Failed before the change).
    if (!inProgress(s)) return;
    // In progress when first seen: either just created, or crotel (re)started mid-episode.
    // Recompute the key the episode had when it began, from the object alone (see resumedAs).
    const generation = s.generation ?? 1;
    const lastMove = latestTransition(s);
    if (resumedAs(s, generation, lastMove) === 'degraded') {
      if (now - lastMove! > this.options.episodeTimeoutMs) return;
      const episode = this.start(ref, s, 'degraded', degradedKey(s, now), lastMove!);
      episode.changed = true;
      return;
    }
    const created = generation <= 1;
    const startMs = created ? (s.createdAt ?? now) : now;
    if (now - startMs > this.options.episodeTimeoutMs) return; // stuck for longer than any episode lasts
    const episode = created
      ? this.start(ref, s, 'created', 'created', startMs)
      : this.start(ref, s, 'spec_change', `generation/${generation}`, startMs);
    if (!created || s.phase !== undefined || s.conditions.length > 0) episode.changed = true;
  }

  private start(ref: ResourceRef, s: Snapshot, trigger: EpisodeTrigger, key: string, startMs: number, phaseFrom = startMs): OpenEpisode {
    const traceId = traceIdFor(s.uid, key);
    const episode: OpenEpisode = {
      uid: s.uid, ref, key, traceId, trigger, startMs,
      rootSpanId: spanIdFor(traceId, 'root'),
      identity: identityOf(ref, s),
      states: new Map(),
      events: [],
      changed: false,
      suspendedMs: 0,
    };
    this.episodes.set(s.uid, episode);
    this.note(episode, s, startMs);
    if (s.phase !== undefined) this.openState(episode, 'phase', 'phase', s.phase, phaseFrom, {});
    for (const c of s.conditions) {
      this.openState(episode, `condition/${c.type}`, 'condition', conditionValue(c.type, c.status),
        Math.max(c.since ?? startMs, startMs), this.conditionAttributes(c.type, c.status, c.reason, c.message));
    }
    return episode;
  }

  private advance(episode: OpenEpisode, transitions: readonly Transition[], now: number, openNew: boolean): void {
    for (const t of transitions) {
      if (t.type === 'phase') {
        this.closeState(episode, 'phase', now, t.to ?? missing);
        if (openNew && t.to !== undefined) this.openState(episode, 'phase', 'phase', t.to, now, { 'crotel.transition.from': t.from ?? missing });
      } else if (t.type === 'condition') {
        const key = `condition/${t.condition}`;
        const at = Math.max(t.at ?? now, episode.startMs);
        this.closeState(episode, key, at, conditionValue(t.condition, t.to));
        if (openNew && t.to !== undefined) {
          this.openState(episode, key, 'condition', conditionValue(t.condition, t.to), at, {
            ...this.conditionAttributes(t.condition, t.to, t.reason, t.message),
            'crotel.transition.from': conditionValue(t.condition, t.from),
          });
        }
      }
    }
  }

  private outcomeOf(episode: OpenEpisode, s: Snapshot): 'succeeded' | 'failed' | undefined {
    // A controller that reports observedGeneration has not acted on a spec it has not observed:
    // whatever the health says then (configured successPhases outrank the generation check) is
    // about the old spec, so the episode goes on. This is also what a restarted crotel assumes
    // (resumedAs): ending it here let a restart re-open the ended trace and export its root twice.
    if (behind(s)) return undefined;
    if (s.health !== 'failed' && s.health !== 'current') return undefined;
    // Without observedGeneration an object cannot say it has seen a spec change; wait for the
    // controller to move its status at least once — for a failure as for a success: a spec change
    // of a Failed object is the user's retry, and the Failed status it still shows is the old
    // spec's. (Ending it at once left the retry's Provisioning → Running in no trace, while a
    // restarted crotel, seeing it in progress, re-opened the ended trace and exported its root twice.)
    const caughtUp = s.observedGeneration !== undefined || episode.trigger !== 'spec_change' || episode.changed;
    if (!caughtUp) return undefined;
    return s.health === 'failed' ? 'failed' : 'succeeded';
  }

  private finishIfDone(episode: OpenEpisode, s: Snapshot, transitions: readonly Transition[], now: number): void {
    const outcome = this.outcomeOf(episode, s);
    if (!outcome) return;
    const at = Math.max(this.transitionTime(transitions, now), episode.startMs);
    this.end(episode, at, outcome, outcome === 'failed' ? (reasonOf(s) ?? (s.phase !== undefined ? `phase ${s.phase}` : 'failed')) : undefined);
  }

  private deleted(s: Snapshot, now: number): void {
    const episode = this.episodes.get(s.uid);
    if (episode) this.end(episode, Math.max(s.deletingSince ?? now, episode.startMs), 'deleted');
  }

  private end(episode: OpenEpisode, endMs: number, outcome: EpisodeOutcome, message?: string): void {
    for (const key of [...episode.states.keys()]) this.closeState(episode, key, endMs, undefined);
    this.episodes.delete(episode.uid);
    this.sink.episodeEnded(episode.ref, episode.trigger, outcome, (endMs - episode.startMs) / 1000);
    if (!this.sink.wantsSpans()) return;
    const error = outcome === 'failed' || outcome === 'timed_out';
    this.sink.span({
      traceId: episode.traceId,
      spanId: episode.rootSpanId,
      name: `reconcile ${episode.ref.kind}`,
      startMs: episode.startMs,
      endMs,
      attributes: {
        ...episode.identity, 'crotel.episode.trigger': episode.trigger, 'crotel.episode.outcome': outcome,
        ...(episode.problem ? { 'crotel.health.state': episode.problem.state, 'crotel.health.reason': episode.problem.reason } : {}),
      },
      status: error ? 'error' : 'ok',
      ...(error ? { statusMessage: message ?? outcome } : {}),
      events: episode.events,
    });
  }

  private openState(episode: OpenEpisode, key: string, stateType: StateType, value: string, startMs: number, extra: Record<string, string | number>): void {
    episode.states.set(key, {
      key, stateType, value, startMs,
      spanId: spanIdFor(episode.traceId, key, value, startMs),
      extra,
      events: [],
    });
  }

  private closeState(episode: OpenEpisode, key: string, endMs: number, nextValue: string | undefined): void {
    const state = episode.states.get(key);
    if (!state) return;
    episode.states.delete(key);
    if (!this.sink.wantsSpans()) return;
    this.sink.span({
      traceId: episode.traceId,
      spanId: state.spanId,
      parentSpanId: episode.rootSpanId,
      name: `${state.stateType} ${state.value}`,
      startMs: state.startMs,
      endMs: Math.max(endMs, state.startMs),
      attributes: {
        ...episode.identity, 'crotel.state.type': state.stateType, 'crotel.state': state.value, ...state.extra,
        ...(nextValue !== undefined ? { 'crotel.transition.to': nextValue } : {}),
      },
      status: 'unset',
      events: state.events,
    });
  }

  private conditionAttributes(type: string, status: string | undefined, reason?: string, message?: string): Record<string, string> {
    const attrs: Record<string, string> = { 'k8s.object.condition.type': type, 'k8s.object.condition.status': status ?? missing };
    if (reason) attrs['k8s.object.condition.reason'] = reason;
    if (message) attrs['k8s.object.condition.message'] = message; // redacted and capped by extract
    return attrs;
  }

  /** Lifecycle metrics, for every object whether or not an episode is open. */
  private measure(ref: ResourceRef, previous: Snapshot, next: Snapshot, transitions: readonly Transition[], now: number): void {
    const before = new Map(previous.conditions.map((c) => [c.type, c]));
    for (const t of transitions) {
      if (t.type === 'health') {
        this.sink.transition(ref, 'health', t.from, t.to);
        continue;
      }
      if (t.type === 'phase') {
        const from = t.from ?? missing;
        const to = t.to ?? missing;
        this.sink.transition(ref, 'phase', from, to);
        const since = previous.phaseSince;
        if (t.from !== undefined && since !== undefined) this.sink.stateEnded(ref, 'phase', t.from, Math.max(0, now - since) / 1000);
      } else if (t.type === 'condition') {
        this.sink.transition(ref, 'condition', conditionValue(t.condition, t.from), conditionValue(t.condition, t.to));
        const old = before.get(t.condition);
        const end = t.at ?? now;
        if (old?.since !== undefined) this.sink.stateEnded(ref, 'condition', conditionValue(t.condition, old.status), Math.max(0, end - old.since) / 1000);
      }
    }
  }

  private transitionTime(transitions: readonly Transition[], now: number): number {
    let latest: number | undefined;
    let phaseMoved = false;
    for (const t of transitions) {
      if (t.type === 'condition' && t.at !== undefined) latest = Math.max(latest ?? t.at, t.at);
      if (t.type === 'phase') phaseMoved = true;
    }
    // A phase has no timestamp of its own: it moved when we saw it move.
    return phaseMoved || latest === undefined ? now : latest;
  }
}

export type { Health };
