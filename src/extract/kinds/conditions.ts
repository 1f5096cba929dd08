// `conditions`: one series per condition of a list (or map) of conditions, labelled with its type
// and status, 1 when the status is True.
import type { MetricSource } from '../../config/index.ts';
type ConditionsSource = Extract<MetricSource, { type: 'conditions' }>;
import { readConditions } from '../conditions.ts';
import { CONDITIONS_PATH } from '../facts.ts';
import { labelText } from '../labels.ts';
import { resolvePath } from '../resolve.ts';
import type { MetricKind } from './kind.ts';

export const conditionsKind: MetricKind<ConditionsSource> = {
  type: 'conditions',
  labelKeys: (s) => [s.typeLabel, s.statusLabel],
  description: (s, kind) => `Conditions at ${s.path.text} of the ${kind}: 1 when the status is True, else 0.`,
  emitter(s, { index, redactor, ownLabels }) {
    const reuse = s.path.text === CONDITIONS_PATH;
    return (ctx) => {
      if (ctx.common === undefined) return;
      // status.conditions was already read (and its errors counted) with the object's facts.
      const list = reuse ? ctx.facts.conditions : readConditions(resolvePath(ctx.object, s.path.segments), s.path.text, redactor, ctx.errors);
      if (list.length === 0) return;
      const own = ownLabels(ctx);
      if (!own) return;
      for (const c of list) {
        const attributeValues = ctx.common.concat(own, [labelText(c.type, redactor), labelText(c.status, redactor)]);
        ctx.samples.push({ family: index, attributeValues, value: c.status === 'True' ? 1 : 0 });
      }
    };
  },
};
