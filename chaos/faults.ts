// The fault schedule, drawn from the seed: every kind at least once, spread over the run, so a
// failing run replays exactly. Each fault is logged with its start and end time; the windows in
// which the design accepts a loss are recorded for the verdict.
import type { Rng } from './rng.ts';

export const FAULT_KINDS = [
  'kill-leader', 'kill-follower', 'stop-leader', 'apiserver-restart', 'etcd-compact',
  'proxy-reset', 'proxy-cut', 'proxy-stall', 'proxy-reject', 'proxy-delay',
  'collector-kill', 'collector-slow', 'sigterm-under-load',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface PlannedFault {
  readonly at: number; // ms after the run started
  readonly kind: FaultKind;
}

export interface FaultRecord {
  readonly kind: FaultKind;
  readonly start: number; // wall ms
  end: number;
  detail: string;
}

/** Faults for a run of durationMs: each kind once in random order, then more at random, about one every spacingMs. */
export function planFaults(rng: Rng, durationMs: number, spacingMs: number): PlannedFault[] {
  const kinds: FaultKind[] = [...FAULT_KINDS];
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  const extra = Math.max(0, Math.floor(durationMs / spacingMs) - kinds.length);
  for (let i = 0; i < extra; i++) kinds.push(rng.pick(FAULT_KINDS));
  // Leave the first 10 % for the replicas to settle and the last 10 % for no new fault.
  const from = durationMs * 0.1;
  const span = durationMs * 0.8;
  return kinds.map((kind, i) => ({ kind, at: Math.round(from + (span * i) / kinds.length + rng() * (span / kinds.length) * 0.5) }));
}
