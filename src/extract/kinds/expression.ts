// `expression`: the value and labels computed by CEL over the object, in the same environment as
// the health rules (self, metadata, spec, status, phase, generationObserved, cond(type) …) and
// with the same deterministic bounds (health/cel.ts). An expression that errors on an object
// is counted as an extraction error of that metric and gives no series; the object's other
// series are unaffected. Label results are redacted and capped like every label value.
import { z } from 'zod';
import { labelName, problem } from '../../config/fields.ts';
import { checkMetricExpressions } from '../../health/config-check.ts';
import { bindingsOf, compileExpression, withConditions, type CompiledExpression } from '../../health/cel.ts';
import { generationObserved } from '../../health/judge.ts';
import { labelText } from '../labels.ts';
import { isPlainObject } from '../resolve.ts';
import type { KindSource, MetricKind } from './kind.ts';

const schema = z
  .strictObject({
    value: z.string().max(4096).describe('CEL number expression over the object (self, metadata, spec, status, phase, cond(type) …), e.g. double(status.readyReplicas) / double(spec.replicas). No series when it errors.'),
    labels: z.record(labelName, z.string().max(4096)).default(() => ({})).describe('Label name → CEL string expression, e.g. metadata.?labels.?tier.orValue("none").'),
  })
  .superRefine((e, ctx) => {
    for (const p of checkMetricExpressions(e)) problem(ctx, [...p.path], p.expected, p.got, p.offset);
  })
  .describe('A value and labels computed by CEL expressions, the language of the health rules.')
  .transform((e) => ({ value: e.value, labels: Object.entries(e.labels).map(([name, expression]) => ({ name, expression })) }));

export type ExpressionSource = KindSource<typeof schema>;

function mustCompile(source: string, type: 'number' | 'string'): CompiledExpression {
  const r = compileExpression(source, type);
  // The config schema compiled it already (checkMetricExpressions); failing here is a bug.
  if (!r.ok) throw new Error(`CEL expression that passed validation does not compile: ${r.error}`);
  return r.expression;
}

export const expressionKind: MetricKind<typeof schema> = {
  schema,
  blockLabels: (b) => (isPlainObject(b.labels) ? Object.keys(b.labels).map((name) => ({ name, at: ['labels', name] })) : []),
  labelKeys: (s) => s.labels.map((l) => l.name),
  description: (s, kind) => `${s.value} over the ${kind} (CEL).`,
  emitter(s, { index, redactor, attributes }) {
    const value = mustCompile(s.value, 'number');
    const labels = s.labels.map((l) => ({ name: l.name, expression: mustCompile(l.expression, 'string') }));
    const at = `expression ${s.value}`;
    return (ctx) => {
      if (ctx.common === undefined) return;
      const bindings = bindingsOf(ctx.object, ctx.facts.phase, generationObserved(ctx.facts));
      withConditions(ctx.facts.conditions, () => {
        const v = value.evaluate(bindings);
        if ('error' in v) {
          ctx.errors.push({ path: at, reason: `CEL: ${v.error}` });
          return;
        }
        const tail: string[] = [];
        for (const l of labels) {
          const r = l.expression.evaluate(bindings);
          if ('error' in r) {
            ctx.errors.push({ path: `labels.${l.name}`, reason: `CEL: ${r.error}` });
            return;
          }
          tail.push(labelText(String(r.value), redactor));
        }
        const a = attributes(ctx, ctx.common!, tail);
        if (a) ctx.samples.push({ family: index, attributeValues: a, value: v.value as number });
      });
    };
  },
};
