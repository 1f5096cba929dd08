// `conditions`: one series per condition of a list (or map) of conditions, labelled with its type
// and status, 1 when the status is True.
import { z } from 'zod';
import { fieldPath, labelName } from '../../config/fields.ts';
import { mustParsePath } from '../../config/path.ts';
import { readConditions } from '../conditions.ts';
import { CONDITIONS_PATH } from '../facts.ts';
import { labelText } from '../labels.ts';
import { resolvePath } from '../resolve.ts';
import type { KindSource, MetricKind } from './kind.ts';

const DEFAULT_TYPE_LABEL = 'condition_type';
const DEFAULT_STATUS_LABEL = 'condition_status';

const schema = z
  .strictObject({
    path: fieldPath.default(() => mustParsePath(CONDITIONS_PATH)).describe('Path of the conditions list (or map of type → condition). Default status.conditions.'),
    typeLabel: labelName.default(DEFAULT_TYPE_LABEL).describe('Label holding the condition type. Default condition_type.'),
    statusLabel: labelName.default(DEFAULT_STATUS_LABEL).describe('Label holding the condition status. Default condition_status.'),
  })
  .describe('One series per condition; value 1 when its status is "True", else 0.');

export type ConditionsSource = KindSource<typeof schema>;

export const conditionsKind: MetricKind<typeof schema> = {
  schema,
  blockLabels: (b) => [
    { name: b.typeLabel ?? DEFAULT_TYPE_LABEL, at: ['typeLabel'] },
    { name: b.statusLabel ?? DEFAULT_STATUS_LABEL, at: ['statusLabel'] },
  ],
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
