// Building blocks of the config schema that the metric kinds' own schema fragments share
// (src/extract/kinds/*): field paths, label names and maps, scalars, and issues that carry what
// was expected and what was found. Also `Frozen`, the read-only view of zod's output types that
// every stage reads the config through.

import { z } from 'zod';
import { parsePath } from './path.ts';
import { labelNameProblem } from './names.ts';

/**
 * zod's output types, read-only all the way down: the loader's result is never changed after
 * validation, and the types say so (zod's own are mutable).
 */
export type Frozen<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer E)[]
    ? readonly Frozen<E>[]
    : T extends object
      ? { readonly [K in keyof T]: Frozen<T[K]> }
      : T;

/** A custom issue carrying what was expected and what was found, for the error formatter. */
export function problem(ctx: z.RefinementCtx, path: PropertyKey[], expected: string, got: string, offset?: number): void {
  ctx.addIssue({ code: 'custom', path, message: `expected ${expected}, got ${got}`, params: { expected, got, ...(offset !== undefined ? { offset } : {}) } });
}

export const fieldPath = z
  .string()
  .describe(
    "Path into the object: dot-separated fields, [N] list index, [key=value] first list item whose key equals value, ['a.b'] or \"a.b\" for keys with dots. Example: status.conditions[type=Ready].status",
  )
  .transform((text, ctx) => {
    const r = parsePath(text);
    if (r.ok) return r.path;
    ctx.addIssue({ code: 'custom', message: r.error, params: { expected: 'a valid path', got: r.error } });
    return z.NEVER;
  });

export const labelName = z.string().superRefine((name, ctx) => {
  const p = labelNameProblem(name);
  if (p !== undefined) problem(ctx, [], p, JSON.stringify(name));
});

export const labelMap = z
  .record(labelName, fieldPath)
  .describe('Label name → path of its value; labels keep this order.')
  .transform((m) => Object.entries(m).map(([name, path]) => ({ name, path })));

/** A label name and the object path its value comes from, in config order. */
export type LabelConfig = Frozen<z.output<typeof labelMap>[number]>;

/** A string, number or boolean, as text. */
export const scalar = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));
