// Per-kind health rules as data: an ordered list of {CEL condition, state, reason}, the first
// that holds decides. Compiled once per rule set (CEL parsed and checked), evaluated per change.
// Sugar keys (`condition: Ready=False`, `phase: [Failed]`) are rewritten to CEL here, so every
// rule runs through the same evaluator.

import type { Health } from '../model.ts';
import { compileExpression, type CelBindings, type CompiledExpression } from './cel.ts';
import type { Verdict } from './types.ts';
import { verdict } from './verdicts.ts';

export interface RuleSpec {
  /** CEL over the object; exactly one of when / condition / phase. */
  readonly when?: string;
  /** `Type=Status` (Status may be `!True`: anything but True, including absent). */
  readonly condition?: string;
  /** status.phase is one of these (exact, as the operator writes it). */
  readonly phase?: readonly string[];
  readonly state: Health;
  /** Short words for --explain; defaults to the condition or phase text. */
  readonly reason?: string;
  /** CEL string quoting the object (e.g. a condition reason) for --explain; defaults to the condition's reason / the phase. */
  readonly detail?: string;
}

export interface RuleSetSpec {
  readonly rules: readonly RuleSpec[];
  /** When no rule holds: a state, or `generic` (the generic rules decide). Default generic. */
  readonly otherwise?: Health | 'generic';
  /** When a rule's expression errors: this state (Flux waits on errors), else the rule is skipped. */
  readonly onError?: Health;
}

export interface CompiledRule {
  readonly index: number;
  readonly when: CompiledExpression;
  readonly detail?: CompiledExpression;
  readonly state: Health;
  /** `cert-manager.io/Certificate rule 2: Ready=False`. */
  readonly label: string;
}

export interface CompiledRuleSet {
  readonly id: string;
  readonly rules: readonly CompiledRule[];
  readonly otherwise: Health | 'generic';
  readonly onError?: Health;
}

export interface RuleProblem {
  /** Index of the rule and the key whose expression is wrong. */
  readonly rule: number;
  readonly key: 'when' | 'condition' | 'phase' | 'detail';
  readonly message: string;
  readonly offset?: number;
}

const CONDITION_SUGAR = /^([A-Za-z0-9_./-]+)=(!?)([A-Za-z]+)$/;
const celString = (s: string): string => JSON.stringify(s);

/** The CEL a rule stands for, and the default reason/detail of its sugar form. */
export function ruleExpressions(r: RuleSpec): { when: string; key: RuleProblem['key']; reason: string; detail?: string } | { error: string; key: RuleProblem['key'] } {
  const forms = [r.when, r.condition, r.phase].filter((f) => f !== undefined).length;
  if (forms !== 1) return { error: 'expected exactly one of when, condition, phase', key: 'when' };
  if (r.when !== undefined) return { when: r.when, key: 'when', reason: r.reason ?? r.when };
  if (r.condition !== undefined) {
    const m = CONDITION_SUGAR.exec(r.condition);
    if (!m) return { error: 'expected Type=Status, e.g. Ready=False or Ready=!True', key: 'condition' };
    const [, type = '', not, status = ''] = m;
    const when = `cond(${celString(type)}) ${not ? '!=' : '=='} ${celString(status)}`;
    return { when, key: 'condition', reason: r.reason ?? r.condition, detail: r.detail ?? `condReason(${celString(type)})` };
  }
  const phases = r.phase ?? [];
  if (phases.length === 0) return { error: 'expected at least one phase', key: 'phase' };
  return { when: `phase in [${phases.map(celString).join(', ')}]`, key: 'phase', reason: r.reason ?? `phase ${phases.join('|')}`, detail: r.detail ?? 'phase' };
}

/** Compiles every rule; problems (syntax, types, sugar) are returned, never thrown. */
export function compileRuleSet(id: string, spec: RuleSetSpec): { set: CompiledRuleSet; problems: RuleProblem[] } {
  const problems: RuleProblem[] = [];
  const rules: CompiledRule[] = [];
  spec.rules.forEach((r, index) => {
    const e = ruleExpressions(r);
    if ('error' in e) {
      problems.push({ rule: index, key: e.key, message: e.error });
      return;
    }
    const when = compileExpression(e.when, 'bool');
    if (!when.ok) {
      // Offsets point into what the user wrote only for `when`; sugar is ours.
      problems.push({ rule: index, key: e.key, message: when.error, ...(e.key === 'when' && when.offset !== undefined ? { offset: when.offset } : {}) });
      return;
    }
    const detailSource = r.detail ?? e.detail;
    let detail: CompiledExpression | undefined;
    if (detailSource !== undefined) {
      const d = compileExpression(detailSource, 'string');
      if (!d.ok) {
        problems.push({ rule: index, key: 'detail', message: d.error, ...(r.detail !== undefined && d.offset !== undefined ? { offset: d.offset } : {}) });
        return;
      }
      detail = d.expression;
    }
    rules.push({ index, when: when.expression, ...(detail ? { detail } : {}), state: r.state, label: `${id} rule ${index + 1}: ${e.reason}` });
  });
  return { set: { id, rules, otherwise: spec.otherwise ?? 'generic', ...(spec.onError ? { onError: spec.onError } : {}) }, problems };
}

export interface RuleError {
  readonly path: string;
  readonly reason: string;
}

const MAX_DETAIL = 128;

/**
 * The first rule that holds, else the set's `otherwise` (undefined for `generic`). A rule whose
 * expression errors on this object is reported and skipped: the next rules still decide.
 */
export function evaluateRuleSet(set: CompiledRuleSet, bindings: CelBindings, errors: RuleError[], clean: (text: string) => string = (t) => t): Verdict | undefined {
  for (const rule of set.rules) {
    const r = rule.when.evaluate(bindings);
    if ('error' in r) {
      errors.push({ path: `health: ${set.id} rule ${rule.index + 1}`, reason: `CEL: ${r.error}` });
      if (set.onError) return verdict(set.onError, `${rule.label} (expression error)`);
      continue;
    }
    if (r.value !== true) continue;
    let detail: string | undefined;
    if (rule.detail) {
      const d = rule.detail.evaluate(bindings);
      if ('value' in d && typeof d.value === 'string' && d.value !== '') {
        const text = clean(d.value);
        detail = text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
      }
    }
    return verdict(rule.state, rule.label, detail);
  }
  if (set.otherwise === 'generic') return undefined;
  return verdict(set.otherwise, `${set.id}: no rule holds`);
}
