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
// Bounds, all deterministic (a verdict must never depend on how busy the process was, and
// JavaScript cannot pre-empt a synchronous call): expressions are capped in size and AST nesting
// at compile time; CEL loops only in comprehensions (all, exists, exists_one, map, filter) over
// the object's own lists, so the work of one evaluation is at most (list elements in the
// object)^(comprehension nesting). Nesting is capped at MAX_COMPREHENSION_DEPTH when compiled, and
// for nested comprehensions an object whose elements would push that product over MAX_VISITS is
// refused before evaluating (an error, so the next rule or the generic judgement decides). `matches()` is refused: cel-js
// runs it with a backtracking RegExp, so an object's value could stall the process.

import { Environment } from '@marcbachmann/cel-js';
import type { ConditionSnapshot } from '../model.ts';

export const MAX_EXPRESSION_LENGTH = 4096;
export const MAX_COMPREHENSION_DEPTH = 2;
/** Upper bound on the element visits one evaluation may make (elements ^ comprehension depth). */
export const MAX_VISITS = 1_000_000;

const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

interface AstNode {
  readonly op: string;
  readonly args: unknown;
  readonly start?: number;
}

const isNode = (v: unknown): v is AstNode => typeof v === 'object' && v !== null && typeof (v as { op?: unknown }).op === 'string';

/** The deepest nesting of comprehensions, or the offset of a refused call. */
function shapeOf(root: unknown): { depth: number; refused?: { name: string; offset: number } } {
  let refused: { name: string; offset: number } | undefined;
  const walk = (v: unknown): number => {
    if (Array.isArray(v)) return v.reduce((m: number, x) => Math.max(m, walk(x)), 0);
    if (!isNode(v)) return 0;
    const args = v.args;
    if ((v.op === 'rcall' || v.op === 'call') && Array.isArray(args) && typeof args[0] === 'string') {
      if (args[0] === 'matches') refused ??= { name: 'matches', offset: v.start ?? 0 };
      // A comprehension's range is evaluated once; its body once per element of the range.
      if (COMPREHENSIONS.has(args[0])) return Math.max(walk(args[1]), 1 + walk(args.slice(2)));
      return walk(args.slice(1));
    }
    return walk(args);
  };
  const depth = walk(root);
  return refused ? { depth, refused } : { depth };
}

/** List elements anywhere in a value; stops counting once over `cap`. Cached per object. */
const elementCounts = new WeakMap<object, number>();
function listElements(object: object, cap: number): number {
  const cached = elementCounts.get(object);
  if (cached !== undefined) return cached;
  let n = 0;
  const stack: unknown[] = [object];
  while (stack.length > 0 && n <= cap) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      n += v.length;
      for (const x of v) if (typeof x === 'object' && x !== null) stack.push(x);
    } else if (typeof v === 'object' && v !== null) {
      for (const x of Object.values(v)) if (typeof x === 'object' && x !== null) stack.push(x);
    }
  }
  elementCounts.set(object, n);
  return n;
}

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
  const shape = shapeOf(run.ast);
  if (shape.refused) {
    return { ok: false, error: `CEL: ${shape.refused.name}() is not allowed (it runs a backtracking regex on object values); use startsWith, endsWith or contains`, offset: shape.refused.offset };
  }
  if (shape.depth > MAX_COMPREHENSION_DEPTH) {
    return { ok: false, error: `CEL: comprehensions nested ${shape.depth} deep, over the limit of ${MAX_COMPREHENSION_DEPTH}` };
  }
  // The most list elements an object may hold for this expression's work to stay under MAX_VISITS.
  // Flat comprehensions (depth 1) are linear in the object, whose size the apiserver bounds: no
  // count is needed, and none is made on the watch path for them (the common Flux-style filter).
  const elementCap = shape.depth <= 1 ? Infinity : Math.floor(MAX_VISITS ** (1 / shape.depth));
  const expression: CompiledExpression = {
    source,
    evaluate(bindings) {
      if (elementCap !== Infinity) {
        const n = listElements(bindings.self, elementCap);
        if (n > elementCap) return { error: `object holds over ${elementCap} list elements, too many for this rule's comprehensions` };
      }
      let value: unknown;
      try {
        value = run(bindings as unknown as Record<string, unknown>);
      } catch (e) {
        return { error: describe(e).message };
      }
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
