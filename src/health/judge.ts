// One resource's health judge, built once when its config is compiled: deletion first, then the
// user's rules (config), configured phases, Flux healthCheckExprs for the kind, the built-in
// catalog, and the generic rules last. Every compiled resource gets the catalog by group and kind,
// whether it came from a config entry or was synthesized for discovery.

import type { ConditionSnapshot, ExtractionError, ResourceRef } from '../model.ts';
import type { HealthConfig } from '../config/index.ts';
import { bindingsOf, withConditions, type CelBindings } from './cel.ts';
import { catalogLookup } from './catalog.ts';
import { genericVerdict } from './generic.ts';
import { compileRuleSet, evaluateRuleSet, type CompiledRuleSet, type RuleSetSpec } from './rules.ts';
import type { FluxHealthCheck } from './schema.ts';
import type { HealthFacts, Verdict } from './types.ts';
import { verdict } from './verdicts.ts';

export interface JudgedFacts extends HealthFacts {
  readonly conditions: readonly ConditionSnapshot[];
}

export type HealthJudge = (object: Readonly<Record<string, unknown>>, facts: JudgedFacts, errors: ExtractionError[]) => Verdict;

export interface JudgeOptions {
  /** Flux healthCheckExprs entries from the config (all kinds; the judge picks its own). */
  readonly fluxChecks?: readonly FluxHealthCheck[];
  /** Applied to text a rule quotes from the object. */
  readonly redact?: (text: string) => string;
}

const TERMINATING = verdict('terminating', 'deletionTimestamp set');

function kindId(ref: ResourceRef): string {
  return ref.group === '' ? ref.kind : `${ref.group}/${ref.kind}`;
}

/** Flux's order (kustomize-controller): inProgress, failed, current; none true → in progress; an error waits. */
export function fluxRuleSet(check: FluxHealthCheck): RuleSetSpec {
  return {
    rules: [
      ...(check.inProgress ? [{ when: check.inProgress, state: 'in_progress' as const, reason: 'healthCheckExprs inProgress' }] : []),
      ...(check.failed ? [{ when: check.failed, state: 'failed' as const, reason: 'healthCheckExprs failed' }] : []),
      { when: check.current, state: 'current' as const, reason: 'healthCheckExprs current' },
    ],
    otherwise: 'in_progress',
    onError: 'in_progress',
  };
}

const apiVersionOf = (ref: ResourceRef): string => (ref.group === '' ? ref.version : `${ref.group}/${ref.version}`);

function compiled(id: string, spec: RuleSetSpec): CompiledRuleSet {
  const { set, problems } = compileRuleSet(id, spec);
  // Config rules are checked when the config is loaded and catalog rules by the catalog tests,
  // so a problem here is a bug, not bad input.
  if (problems.length > 0) throw new Error(`health rules ${id}: ${problems.map((p) => `rule ${p.rule + 1} ${p.key}: ${p.message}`).join('; ')}`);
  return set;
}

/** The rule sets for a kind, in the order they are tried (without the generic fallback). */
export function ruleSetsFor(ref: ResourceRef, health: HealthConfig, fluxChecks: readonly FluxHealthCheck[] = []): CompiledRuleSet[] {
  const sets: CompiledRuleSet[] = [];
  const id = kindId(ref);
  if (health.rules !== undefined && health.rules.length > 0) sets.push(compiled(`config ${id}`, { rules: health.rules, otherwise: health.otherwise ?? 'generic' }));
  const flux = fluxChecks.find((c) => c.apiVersion === apiVersionOf(ref) && c.kind === ref.kind);
  if (flux) sets.push(compiled(`healthCheckExprs ${id}`, fluxRuleSet(flux)));
  if (health.catalog !== false) {
    const hit = catalogLookup(ref.group, ref.kind);
    if (hit) sets.push(compiled(id, { rules: hit.entry.rules, ...(hit.entry.otherwise ? { otherwise: hit.entry.otherwise } : {}) }));
  }
  return sets;
}

export function compileHealthJudge(ref: ResourceRef, health: HealthConfig, options: JudgeOptions = {}): HealthJudge {
  const sets = ruleSetsFor(ref, health, options.fluxChecks);
  const phasesConfigured = health.successPhases.length > 0 || health.failurePhases.length > 0;
  const redact = options.redact ?? ((t: string) => t);
  return (object, facts, errors) => {
    if (facts.deleting) return TERMINATING;
    // Configured phases are the user's word: they come before the catalog's.
    if (phasesConfigured) return genericVerdict(facts, health);
    if (sets.length > 0) {
      const found = withConditions(facts.conditions, () => {
        let bindings: CelBindings | undefined;
        for (const set of sets) {
          bindings ??= bindingsOf(object, facts.phase, generationObserved(facts));
          const v = evaluateRuleSet(set, bindings, errors, redact);
          if (v) return v;
        }
        return undefined;
      });
      if (found) return found;
    }
    return genericVerdict(facts, health);
  };
}

/** False while status.observedGeneration is behind metadata.generation (or negative). */
export function generationObserved(f: HealthFacts): boolean {
  if (f.observedGeneration === undefined) return true;
  if (f.observedGeneration < 0) return false;
  return f.generation === undefined || f.observedGeneration >= f.generation;
}
