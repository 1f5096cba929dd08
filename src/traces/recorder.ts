// Turns the tracker's output into OpenTelemetry: spans to the shipper, and the SLO view beside
// them — a counter of transitions and histograms of time per state and per episode ("time to
// Ready" per kind). Attributes are kinds and state names only: low cardinality by design, so
// Tempo/Prometheus queries over them stay cheap.
import type { Meter } from '@opentelemetry/api';
import type { ResourceRef } from '../model.ts';
import type { EpisodeOutcome, EpisodeTrigger, LifecycleSink, SpanRecord, StateType } from './episodes.ts';

const DURATION_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400];

function kindAttributes(ref: ResourceRef): Record<string, string> {
  return { 'k8s.object.group': ref.group, 'k8s.object.kind': ref.kind };
}

export class LifecycleRecorder implements LifecycleSink {
  private readonly transitions;
  private readonly stateDuration;
  private readonly episodeDuration;
  private readonly spans?: (record: SpanRecord) => void;
  private readonly active: () => boolean;
  private readonly spansWhileFollowing: boolean;

  /**
   * `active`: whether this replica emits (the leader, with leader election). Followers still
   * track episodes — so a new leader continues them — but emit nothing, so nothing is doubled.
   */
  constructor(meter: Meter, spans?: (record: SpanRecord) => void, active: () => boolean = () => true, spansWhileFollowing = false) {
    this.spans = spans;
    this.active = active;
    this.spansWhileFollowing = spansWhileFollowing;
    this.transitions = meter.createCounter('crotel.transitions', {
      description: 'State transitions of watched objects (phase or condition status), by kind, from and to',
      unit: '{transition}',
    });
    this.stateDuration = meter.createHistogram('crotel.state.duration', {
      description: 'Time an object spent in a phase or condition status, recorded when it leaves it',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.episodeDuration = meter.createHistogram('crotel.episode.duration', {
      description: 'Duration of reconcile episodes (creation or spec change or degradation until healthy, failed, deleted or timed out)',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
  }

  /**
   * `spansWhileFollowing`: a follower still hands spans on (to the handover, which holds them
   * until the Lease says whose they are); otherwise only the active replica makes spans.
   */
  wantsSpans(): boolean {
    return this.spans !== undefined && (this.spansWhileFollowing || this.active());
  }

  span(record: SpanRecord): void {
    if (this.wantsSpans()) this.spans!(record);
  }

  transition(ref: ResourceRef, stateType: StateType, from: string, to: string): void {
    if (!this.active()) return;
    this.transitions.add(1, { ...kindAttributes(ref), 'crotel.state.type': stateType, 'crotel.transition.from': from, 'crotel.transition.to': to });
  }

  stateEnded(ref: ResourceRef, stateType: StateType, state: string, seconds: number): void {
    if (!this.active()) return;
    this.stateDuration.record(seconds, { ...kindAttributes(ref), 'crotel.state.type': stateType, 'crotel.state': state });
  }

  episodeEnded(ref: ResourceRef, trigger: EpisodeTrigger, outcome: EpisodeOutcome, seconds: number): void {
    if (!this.active()) return;
    this.episodeDuration.record(seconds, { ...kindAttributes(ref), 'crotel.episode.trigger': trigger, 'crotel.episode.outcome': outcome });
  }
}
