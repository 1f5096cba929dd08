// `info`: a constant 1 whose labels carry information about the object.
import { z } from 'zod';
import { labelMap } from '../../config/fields.ts';
import { readLabels } from '../read-labels.ts';
import { isPlainObject } from '../resolve.ts';
import type { KindSource, MetricKind } from './kind.ts';

const schema = z
  .strictObject({ labels: labelMap.default(() => []).describe('Labels from paths; the value is always 1.') })
  .describe('Value always 1; carries labels.');

export type InfoSource = KindSource<typeof schema>;

export const infoKind: MetricKind<typeof schema> = {
  schema,
  blockLabels: (b) => (isPlainObject(b.labels) ? Object.keys(b.labels).map((name) => ({ name, at: ['labels', name] })) : []),
  labelKeys: (s) => s.labels.map((l) => l.name),
  description: (_s, kind) => `Information about the ${kind}; the value is always 1.`,
  emitter(s, { index, redactor, attributes }) {
    const infoLabels = s.labels;
    return (ctx) => {
      if (ctx.common === undefined) return;
      const tail = infoLabels.length === 0 ? [] : readLabels(ctx, infoLabels, redactor);
      if (!tail) return;
      const a = attributes(ctx, ctx.common, tail);
      if (a) ctx.samples.push({ family: index, attributeValues: a, value: 1 });
    };
  },
};
