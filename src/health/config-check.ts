// Validation of health rules where they are written (crotel config, Flux healthCheckExprs
// files): every CEL expression is compiled and type-checked once, and a problem names the key and
// the character inside the expression, so the config loader can report file:line:col.

import { compileExpression } from './cel.ts';
import { ruleExpressions, type RuleSpec } from './rules.ts';

export interface ExpressionProblem {
  /** Path below the rule list, e.g. [2, 'when']. */
  readonly path: readonly (string | number)[];
  readonly expected: string;
  readonly got: string;
  /** Character offset of the problem inside the expression text, when CEL says. */
  readonly offset?: number;
}

export function checkRules(rules: readonly RuleSpec[]): ExpressionProblem[] {
  const out: ExpressionProblem[] = [];
  rules.forEach((r, i) => {
    const e = ruleExpressions(r);
    if ('error' in e) {
      out.push({ path: [i, e.key], expected: e.error.replace(/^expected /, ''), got: 'something else' });
      return;
    }
    const when = compileExpression(e.when, 'bool');
    if (!when.ok) out.push({ path: [i, e.key], expected: 'a valid CEL boolean expression', got: when.error, ...(e.key === 'when' && when.offset !== undefined ? { offset: when.offset } : {}) });
    if (r.detail !== undefined) {
      const d = compileExpression(r.detail, 'string');
      if (!d.ok) out.push({ path: [i, 'detail'], expected: 'a valid CEL string expression', got: d.error, ...(d.offset !== undefined ? { offset: d.offset } : {}) });
    }
  });
  return out;
}

/** Flux healthCheckExprs: current is required; inProgress and failed optional; all CEL booleans. */
/** A native metric's `expression` source: a number value, string labels. */
export function checkMetricExpressions(e: { readonly value: string; readonly labels: Readonly<Record<string, string>> }): ExpressionProblem[] {
  const out: ExpressionProblem[] = [];
  const v = compileExpression(e.value, 'number');
  if (!v.ok) out.push({ path: ['value'], expected: 'a valid CEL number expression', got: v.error, ...(v.offset !== undefined ? { offset: v.offset } : {}) });
  for (const [name, src] of Object.entries(e.labels)) {
    const l = compileExpression(src, 'string');
    if (!l.ok) out.push({ path: ['labels', name], expected: 'a valid CEL string expression', got: l.error, ...(l.offset !== undefined ? { offset: l.offset } : {}) });
  }
  return out;
}

export function checkFluxExpressions(entry: { readonly current?: unknown; readonly inProgress?: unknown; readonly failed?: unknown }): ExpressionProblem[] {
  const out: ExpressionProblem[] = [];
  for (const key of ['current', 'inProgress', 'failed'] as const) {
    const src = entry[key];
    if (typeof src !== 'string') continue;
    const c = compileExpression(src, 'bool');
    if (!c.ok) out.push({ path: [key], expected: 'a valid CEL boolean expression', got: c.error, ...(c.offset !== undefined ? { offset: c.offset } : {}) });
  }
  return out;
}
