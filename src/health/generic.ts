// The generic health rules, for kinds with no catalog or user rule: an ordered list of small pure
// rules over the object's facts (kstatus style), the first with an opinion wins. The order is
// chosen to agree with Argo CD's per-kind checks on real operator objects (README "Health"):
// explicit trouble (Stalled, failure conditions, health conditions False) outranks "still
// working" signals (generation not observed, Reconciling), which outrank "healthy" signals.

import type { HealthConfig } from '../config/index.ts';
import type { HealthFacts, Verdict } from './types.ts';
import { verdict } from './verdicts.ts';
import { PAUSE_TYPES, isFailureType, isHealthType, phaseMeaning } from './words.ts';

export interface GenericRule {
  readonly name: string;
  readonly apply: (facts: HealthFacts, config: HealthConfig) => Verdict | undefined;
}

type Condition = HealthFacts['conditions'][number];

/** `cnpg.io/hibernation` → `hibernation`: operators prefix types with their domain. */
function bareType(type: string): string {
  const i = type.lastIndexOf('/');
  return i < 0 ? type : type.slice(i + 1);
}

const STANDARD = new Set(['True', 'False', 'Unknown']);
const statusOf = (f: HealthFacts, type: string): string | undefined => f.conditions.find((c) => c.type === type)?.status;
const said = (c: Condition): string => `${c.type}=${c.status}`;
const first = (f: HealthFacts, test: (c: Condition) => boolean): Condition | undefined => f.conditions.find(test);
const byCondition = (state: Verdict['state'], c: Condition | undefined): Verdict | undefined => (c ? verdict(state, `generic: ${said(c)}`, c.reason) : undefined);

export const GENERIC_RULES: readonly GenericRule[] = [
  { name: 'deletion', apply: (f) => (f.deleting ? verdict('terminating', 'generic: deletionTimestamp set') : undefined) },
  { name: 'suspended', apply: (f) => (f.suspended === true ? verdict('suspended', 'generic: spec.suspend or spec.paused') : undefined) },
  { name: 'pauseCondition', apply: (f) => byCondition('suspended', first(f, (c) => c.status === 'True' && PAUSE_TYPES.has(bareType(c.type).toLowerCase()))) },
  { name: 'noStatus', apply: (f) => (f.statusShape === 'absent' || f.statusShape === 'empty' ? verdict('in_progress', 'generic: no status yet') : undefined) },
  { name: 'stalled', apply: (f) => byCondition('failed', first(f, (c) => c.type === 'Stalled' && c.status === 'True')) },
  { name: 'failurePhase', apply: (f, c) => (f.phase !== undefined && c.failurePhases.includes(f.phase) ? verdict('failed', 'config: failurePhases', f.phaseText) : undefined) },
  { name: 'successPhase', apply: (f, c) => (f.phase !== undefined && c.successPhases.includes(f.phase) ? verdict('current', 'config: successPhases', f.phaseText) : undefined) },
  // With success phases configured the phase is authoritative: any other phase (or none yet: a
  // fresh object) has not arrived, whatever Ready says.
  { name: 'awaitingSuccessPhase', apply: (f, c) => (c.successPhases.length > 0 ? verdict('in_progress', 'config: not in a successPhase', f.phaseText) : undefined) },
  { name: 'failureCondition', apply: (f) => byCondition('degraded', first(f, (c) => c.status === 'True' && isFailureType(bareType(c.type)))) },
  // A phase that says "broken", "paused" or "still working" is more specific than a Ready=False
  // next to it (CloudNativePG: "Setting up primary" with Ready=False is setting up, not broken).
  {
    name: 'phase',
    apply: (f) => {
      const word = f.phase ?? f.stateWord;
      if (word === undefined) return undefined;
      const m = phaseMeaning(word);
      if (m === undefined || m === 'current') return undefined;
      return verdict(m, `generic: ${f.phase !== undefined ? 'phase' : 'state'} ${m === 'in_progress' ? 'in progress' : m}`, f.phase !== undefined ? f.phaseText : undefined);
    },
  },
  { name: 'healthConditionFalse', apply: (f) => byCondition('degraded', first(f, (c) => (c.status === 'False' || !STANDARD.has(c.status)) && isHealthType(bareType(c.type)))) },
  {
    name: 'generation',
    apply: (f) => {
      if (f.observedGeneration === undefined) return undefined;
      if (f.observedGeneration < 0) return verdict('in_progress', 'generic: generation never observed');
      return f.generation !== undefined && f.observedGeneration < f.generation ? verdict('in_progress', 'generic: generation not yet observed') : undefined;
    },
  },
  { name: 'reconciling', apply: (f) => (statusOf(f, 'Reconciling') === 'True' ? byCondition('in_progress', first(f, (c) => c.type === 'Reconciling')) : undefined) },
  { name: 'healthConditionUnknown', apply: (f) => byCondition('in_progress', first(f, (c) => c.status === 'Unknown' && isHealthType(bareType(c.type)))) },
  { name: 'readyFalse', apply: (f) => (f.readyFlag === false ? verdict('in_progress', 'generic: status.ready false') : undefined) },
  { name: 'healthyPhase', apply: (f) => {
    const word = f.phase ?? f.stateWord;
    return word !== undefined && phaseMeaning(word) === 'current' ? verdict('current', `generic: ${f.phase !== undefined ? 'phase' : 'state'} healthy`, f.phase !== undefined ? f.phaseText : undefined) : undefined;
  } },
  { name: 'healthConditionTrue', apply: (f) => byCondition('current', first(f, (c) => c.status === 'True' && isHealthType(bareType(c.type)))) },
  { name: 'readyTrue', apply: (f) => (f.readyFlag === true ? verdict('current', 'generic: status.ready true') : undefined) },
];

const NO_PHASES: HealthConfig = { successPhases: [], failurePhases: [] };
const NO_OPINION = verdict('current', 'generic: no rule objects (status without known conditions or phase)');

export function genericVerdict(facts: HealthFacts, config: HealthConfig = NO_PHASES): Verdict {
  for (const rule of GENERIC_RULES) {
    const v = rule.apply(facts, config);
    if (v !== undefined) return v;
  }
  return NO_OPINION;
}
