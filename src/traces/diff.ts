// Two Snapshots of one object → the Transitions between them. Pure; the only input the
// lifecycle tracer and the transition metrics need, so nothing keeps old objects around.
import type { ConditionSnapshot, Health, Snapshot } from '../model.ts';

export type Transition =
  | { readonly type: 'phase'; readonly from?: string; readonly to?: string }
  | {
      readonly type: 'condition';
      readonly condition: string;
      readonly from?: string;
      readonly to?: string;
      /** lastTransitionTime of the new status, when the object records it. */
      readonly at?: number;
      readonly reason?: string;
      readonly message?: string;
    }
  | { readonly type: 'generation'; readonly from?: number; readonly to?: number }
  | { readonly type: 'health'; readonly from: Health; readonly to: Health }
  | { readonly type: 'deleting'; readonly at?: number };

function byType(conditions: readonly ConditionSnapshot[]): Map<string, ConditionSnapshot> {
  return new Map(conditions.map((c) => [c.type, c]));
}

export function diff(previous: Snapshot, next: Snapshot): Transition[] {
  const out: Transition[] = [];
  if (next.generation !== undefined && previous.generation !== undefined && next.generation > previous.generation) {
    out.push({ type: 'generation', from: previous.generation, to: next.generation });
  }
  if (previous.phase !== next.phase) out.push({ type: 'phase', from: previous.phase, to: next.phase });
  const before = byType(previous.conditions);
  const after = byType(next.conditions);
  for (const [type, c] of after) {
    const old = before.get(type);
    if (old?.status !== c.status) {
      out.push({ type: 'condition', condition: type, from: old?.status, to: c.status, at: c.since, reason: c.reason, message: c.message });
    }
  }
  for (const [type, old] of before) {
    if (!after.has(type)) out.push({ type: 'condition', condition: type, from: old.status, to: undefined });
  }
  if (previous.health !== next.health) out.push({ type: 'health', from: previous.health, to: next.health });
  if (next.deletingSince !== undefined && previous.deletingSince === undefined) out.push({ type: 'deleting', at: next.deletingSince });
  return out;
}
