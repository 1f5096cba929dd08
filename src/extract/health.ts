// Generic health in the kstatus style: an ordered list of small pure rules, the first that has
// an opinion wins. Facts are read once from the object (facts.ts); rules never see raw objects.
//
// observedGeneration < 0 (Flux writes -1 as its default) means "no generation observed yet":
// the controller has not reconciled the object, so it is in_progress whatever else it says.

import type { Health } from '../model.ts';
import type { HealthConfig } from '../config/index.ts';

export interface HealthFacts {
  readonly deleting: boolean;
  /** metadata.generation when an integer. */
  readonly generation?: number;
  /** status.observedGeneration when an integer, including negative "never observed" values. */
  readonly observedGeneration?: number;
  readonly phase?: string;
  /** First condition of each type, in object order. */
  readonly conditions: readonly { readonly type: string; readonly status: string }[];
}

export interface HealthRule {
  readonly name: string;
  readonly apply: (facts: HealthFacts, config: HealthConfig) => Health | undefined;
}

const status = (f: HealthFacts, type: string): string | undefined => f.conditions.find((c) => c.type === type)?.status;

export const HEALTH_RULES: readonly HealthRule[] = [
  { name: 'deletion', apply: (f) => (f.deleting ? 'terminating' : undefined) },
  {
    name: 'generation',
    apply: (f) => {
      if (f.observedGeneration === undefined) return undefined;
      if (f.observedGeneration < 0) return 'in_progress';
      return f.generation !== undefined && f.generation !== f.observedGeneration ? 'in_progress' : undefined;
    },
  },
  { name: 'reconciling', apply: (f) => (status(f, 'Reconciling') === 'True' ? 'in_progress' : undefined) },
  { name: 'stalled', apply: (f) => (status(f, 'Stalled') === 'True' ? 'failed' : undefined) },
  { name: 'failurePhase', apply: (f, c) => (f.phase !== undefined && c.failurePhases.includes(f.phase) ? 'failed' : undefined) },
  { name: 'successPhase', apply: (f, c) => (f.phase !== undefined && c.successPhases.includes(f.phase) ? 'current' : undefined) },
  // With success phases configured the phase is authoritative: any other phase (or none yet: a
  // fresh object) has not arrived, whatever Ready says. Without this a Pending object with no
  // conditions, or a Provisioning one with a stale Ready=True, would count as healthy.
  { name: 'awaitingSuccessPhase', apply: (f, c) => (c.successPhases.length > 0 ? 'in_progress' : undefined) },
  {
    name: 'ready',
    apply: (f) => {
      const s = status(f, 'Ready');
      if (s === 'True') return 'current';
      if (s === 'False' || s === 'Unknown') return 'in_progress';
      return undefined;
    },
  },
];

const NO_PHASES: HealthConfig = { successPhases: [], failurePhases: [] };

export function healthOf(facts: HealthFacts, config: HealthConfig = NO_PHASES): Health {
  for (const rule of HEALTH_RULES) {
    const h = rule.apply(facts, config);
    if (h !== undefined) return h;
  }
  return 'current';
}

export const HEALTH_VALUES: readonly Health[] = ['current', 'in_progress', 'failed', 'terminating'];
