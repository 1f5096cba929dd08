// `stateSet`: one series per listed state, 1 for the state the scalar at the path names.
import { z } from 'zod';
import { fieldPath, labelName, problem } from '../../config/fields.ts';
import { resolvePath, scalarString } from '../resolve.ts';
import type { KindSource, MetricKind } from './kind.ts';

const schema = z
  .strictObject({
    path: fieldPath,
    label: labelName.describe('Label holding each state.'),
    list: z.array(z.string()).min(1).describe('Every state; one series each, 1 for the current one.'),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.list.forEach((v, i) => {
      if (seen.has(v)) problem(ctx, ['list', i], 'unique states', `${JSON.stringify(v)} twice`);
      seen.add(v);
    });
  })
  .describe('An enum as one series per allowed value; no series when the path is missing.');

export type StateSetSource = KindSource<typeof schema>;

export const stateSetKind: MetricKind<typeof schema> = {
  schema,
  blockLabels: (b) => [{ name: b.label, at: ['label'] }],
  labelKeys: (s) => [s.label],
  description: (s, kind) => `State at ${s.path.text} of the ${kind}: 1 for the current value, 0 for the others.`,
  emitter(s, { index, ownLabels }) {
    return (ctx) => {
      if (ctx.common === undefined) return;
      const raw = resolvePath(ctx.object, s.path.segments);
      if (raw === undefined || raw === null) return;
      const current = scalarString(raw);
      if (current === undefined) {
        ctx.errors.push({ path: s.path.text, reason: `expected a scalar state, got ${Array.isArray(raw) ? 'a list' : 'an object'}` });
        return;
      }
      const own = ownLabels(ctx);
      if (!own) return;
      for (const state of s.list) {
        ctx.samples.push({ family: index, attributeValues: ctx.common.concat(own, [state]), value: state === current ? 1 : 0 });
      }
    };
  },
};
