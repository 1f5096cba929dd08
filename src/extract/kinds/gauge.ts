// `gauge`: the number at a path (numbers, booleans, RFC 3339 times, quantities, percentages), or 1/0
// when the scalar there is one of `equals`/`oneOf`; absent unless nilIsZero.
import { z } from 'zod';
import { fieldPath, problem, scalar } from '../../config/fields.ts';
import { resolvePath, scalarString } from '../resolve.ts';
import { parseValue } from '../values.ts';
import type { KindSource, MetricKind } from './kind.ts';

const schema = z
  .strictObject({
    path: fieldPath.describe('Path of the value: number, numeric string, boolean, True/False, RFC 3339 time (→ Unix seconds), quantity (10Gi, 500m) or duration (1h30m).'),
    equals: scalar.optional().describe('Value is 1 when the scalar at path, as a string, equals this; else 0.'),
    oneOf: z.array(scalar).min(1).optional().describe('Value is 1 when the scalar at path, as a string, is in this list; else 0.'),
    nilIsZero: z.boolean().default(false).describe('A missing or null value gives 0 instead of no series.'),
  })
  .superRefine((g, ctx) => {
    if (g.equals !== undefined && g.oneOf !== undefined) problem(ctx, ['oneOf'], 'at most one of equals, oneOf', 'both');
  })
  .describe('A number read from a path.')
  .transform((g) => {
    const matches = g.equals !== undefined ? [g.equals] : g.oneOf;
    // `matches`: the value is 1 when the scalar at path (as a string) is one of these, else 0.
    return { path: g.path, nilIsZero: g.nilIsZero, ...(matches ? { matches } : {}) };
  });

export type GaugeSource = KindSource<typeof schema>;

export const gaugeKind: MetricKind<typeof schema> = {
  schema,
  blockLabels: () => [],
  labelKeys: () => [],
  description: (s, kind) => (s.matches ? `1 when ${s.path.text} of the ${kind} is ${s.matches.join(' or ')}, else 0.` : `Value of ${s.path.text} of the ${kind}.`),
  emitter(s, { index, attributes }) {
    const segments = s.path.segments;
    const matches = s.matches ? new Set(s.matches) : undefined;
    return (ctx) => {
      if (ctx.common === undefined) return;
      const raw = resolvePath(ctx.object, segments);
      let value: number;
      if (raw === undefined || raw === null) {
        if (!s.nilIsZero) return;
        value = 0;
      } else if (matches) {
        const text = scalarString(raw);
        if (text === undefined) {
          ctx.errors.push({ path: s.path.text, reason: `expected a scalar to compare, got ${Array.isArray(raw) ? 'a list' : 'an object'}` });
          return;
        }
        value = matches.has(text) ? 1 : 0;
      } else {
        const r = parseValue(raw);
        if (r.kind === 'error') {
          ctx.errors.push({ path: s.path.text, reason: r.reason });
          return;
        }
        if (r.kind === 'absent' && !s.nilIsZero) return;
        value = r.kind === 'value' ? r.value : 0;
      }
      const a = attributes(ctx, ctx.common, []);
      if (a) ctx.samples.push({ family: index, attributeValues: a, value });
    };
  },
};
