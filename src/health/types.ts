// What health rules read and what they return. Facts are read once per object (extract/facts.ts);
// generic rules see only facts, CEL rules see the object too.

import type { ConditionSnapshot, Health, HealthWhy } from '../model.ts';

export interface HealthFacts {
  readonly deleting: boolean;
  /** spec.suspend or spec.paused is true. */
  readonly suspended?: boolean;
  /** Whether status is missing, `{}`, or has fields. Absent means "present" (callers that only have conditions). */
  readonly statusShape?: 'absent' | 'empty' | 'present';
  /** metadata.generation when an integer (or an integer string). */
  readonly generation?: number;
  /** status.observedGeneration when an integer (or an integer string), including negative "never observed" values. */
  readonly observedGeneration?: number;
  readonly phase?: string;
  /** The phase as exported (redacted, capped): what a verdict may quote. */
  readonly phaseText?: string;
  /** A one-word state from a field other than phase (status.state, status.status, …), raw. */
  readonly stateWord?: string;
  /** status.ready when a boolean (Cluster API infrastructure, Vault operator). */
  readonly readyFlag?: boolean;
  /** First condition of each type with a status, in object order. */
  readonly conditions: readonly Pick<ConditionSnapshot, 'type' | 'status' | 'reason'>[];
}

/** A health judgement and the rule that made it. */
export interface Verdict extends HealthWhy {
  readonly state: Health;
}

/** Every state, in the order the `k8s.object.health` family reports them. */
export const HEALTH_VALUES: readonly Health[] = ['current', 'in_progress', 'degraded', 'failed', 'suspended', 'terminating', 'unknown'];

export function isHealth(v: unknown): v is Health {
  return typeof v === 'string' && (HEALTH_VALUES as readonly string[]).includes(v);
}
