// `stateSet`: one series per listed state, 1 for the state the scalar at the path names.
import type { MetricSource } from '../../config/index.ts';
type StateSetSource = Extract<MetricSource, { type: 'stateSet' }>;
import { resolvePath, scalarString } from '../resolve.ts';
import type { MetricKind } from './kind.ts';

export const stateSetKind: MetricKind<StateSetSource> = {
  type: 'stateSet',
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
