// CEL for health rules (and anything else that reads an object with an expression), on
// @marcbachmann/cel-js: a maintained CEL implementation (parser, checker, macros, optional
// chaining `.?`), chosen over @bufbuild/cel for speed on this path (bench in README "Health").
//
// One environment for every expression. Variables: `self` (the object), its top-level fields
// `apiVersion`, `kind`, `metadata`, `spec`, `status` (as Flux healthCheckExprs bind them; `{}` when
// absent), `phase` (status.phase or ""), `generationObserved` (false while
// status.observedGeneration is behind metadata.generation or negative). Functions over the
// leniently read conditions (list or map form): `cond(type)` → status or "", `condReason(type)`,
// `condMessage(type)` → text or "".
//
// Bounds: expressions are capped in size and nesting at compile time; CEL has no loops beyond
// comprehensions over the object's own lists, and each evaluation is timed: one slower than
// EVAL_BUDGET_MS is reported as an error (JavaScript cannot pre-empt a synchronous call).

import { Environment } from '@marcbachmann/cel-js';
import type { ConditionSnapshot } from '../model.ts';

export const EVAL_BUDGET_MS = 5;
export const MAX_EXPRESSION_LENGTH = 4096;

/** The per-object inputs conditions helpers read; set for the duration of one evaluation batch. */
let currentConditions: readonly ConditionSnapshot[] = [];

const condition = (type: string): ConditionSnapshot | undefined => currentConditions.find((c) => c.type === type);

const env = new Environment({
  enableOptionalTypes: true,
  homogeneousAggregateLiterals: false,
  limits: { maxAstNodes: 1000, maxDepth: 40, maxListElements: 200, maxMapEntries: 200, maxCallArguments: 16 },
})
  .registerVariable('self', 'dyn')
  .registerVariable('apiVersion', 'dyn')
  .registerVariable('kind', 'dyn')
  .registerVariable('metadata', 'dyn')
  .registerVariable('spec', 'dyn')
  .registerVariable('status', 'dyn')
  .registerVariable('phase', 'string')
  .registerVariable('generationObserved', 'bool')
  .registerFunction('cond(string): string', (type: string) => condition(type)?.status ?? '')
  .registerFunction('condReason(string): string', (type: string) => condition(type)?.reason ?? '')
  .registerFunction('condMessage(string): string', (type: string) => condition(type)?.message ?? '');

export type CelType = 'bool' | 'string' | 'number';

export interface CelBindings {
  readonly self: Readonly<Record<string, unknown>>;
  readonly apiVersion: unknown;
  readonly kind: unknown;
  readonly metadata: unknown;
  readonly spec: unknown;
  readonly status: unknown;
  readonly phase: string;
  readonly generationObserved: boolean;
}

export interface CompiledExpression {
  readonly source: string;
  /** The value, or an error message (never object data: CEL messages name the expression, not values). */
  evaluate(bindings: CelBindings): { readonly value: unknown } | { readonly error: string };
}

export type CompileResult = { readonly ok: true; readonly expression: CompiledExpression } | { readonly ok: false; readonly error: string; readonly offset?: number };

interface CelErrorLike {
  readonly summary?: string;
  readonly message: string;
  readonly range?: { readonly start?: number };
}

function describe(e: unknown): { message: string; offset?: number } {
  const err = e as CelErrorLike;
  const message = (err.summary ?? err.message ?? String(e)).split('\n')[0] ?? 'error';
  const start = err.range?.start;
  return typeof start === 'number' ? { message, offset: start } : { message };
}

const ACCEPTS: Record<CelType, readonly string[]> = { bool: ['bool', 'dyn'], string: ['string', 'dyn'], number: ['int', 'uint', 'double', 'dyn'] };

/** Parses and type-checks once; the returned expression is evaluated per object. */
export function compileExpression(source: string, type: CelType): CompileResult {
  if (source.length > MAX_EXPRESSION_LENGTH) return { ok: false, error: `expression longer than ${MAX_EXPRESSION_LENGTH} characters` };
  let run: ReturnType<Environment['parse']>;
  try {
    run = env.parse(source);
  } catch (e) {
    const d = describe(e);
    return { ok: false, error: `CEL syntax error: ${d.message}`, ...(d.offset !== undefined ? { offset: d.offset } : {}) };
  }
  const checked = run.check();
  if (!checked.valid) {
    const d = describe(checked.error);
    return { ok: false, error: `CEL type error: ${d.message}`, ...(d.offset !== undefined ? { offset: d.offset } : {}) };
  }
  if (checked.type !== undefined && !ACCEPTS[type].includes(checked.type)) {
    return { ok: false, error: `CEL type error: expected a ${type} expression, got ${checked.type}` };
  }
  const expression: CompiledExpression = {
    source,
    evaluate(bindings) {
      const t0 = performance.now();
      let value: unknown;
      try {
        value = run(bindings as unknown as Record<string, unknown>);
      } catch (e) {
        return { error: describe(e).message };
      }
      const ms = performance.now() - t0;
      if (ms > EVAL_BUDGET_MS) return { error: `evaluation took ${ms.toFixed(1)} ms, over the ${EVAL_BUDGET_MS} ms budget` };
      if (type === 'bool' && typeof value !== 'boolean') return { error: `expected a bool result, got ${typeof value}` };
      if (type === 'string' && typeof value !== 'string') return { error: `expected a string result, got ${typeof value}` };
      if (type === 'number') {
        if (typeof value === 'bigint') return { value: Number(value) };
        if (typeof value !== 'number') return { error: `expected a number result, got ${typeof value}` };
      }
      return { value };
    },
  };
  return { ok: true, expression };
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/** The variables of one object, built once per evaluation batch. */
export function bindingsOf(object: Readonly<Record<string, unknown>>, phase: string | undefined, generationObserved: boolean): CelBindings {
  const field = (k: string): unknown => (object[k] === undefined || object[k] === null ? EMPTY : object[k]);
  return {
    self: object,
    apiVersion: object.apiVersion ?? '',
    kind: object.kind ?? '',
    metadata: field('metadata'),
    spec: field('spec'),
    status: field('status'),
    phase: phase ?? '',
    generationObserved,
  };
}

/** Runs `body` with the condition helpers reading `conditions`. Synchronous by design. */
export function withConditions<T>(conditions: readonly ConditionSnapshot[], body: () => T): T {
  const saved = currentConditions;
  currentConditions = conditions;
  try {
    return body();
  } finally {
    currentConditions = saved;
  }
}
