// `info`: a constant 1 whose labels carry information about the object.
import type { MetricSource } from '../../config/index.ts';
type InfoSource = Extract<MetricSource, { type: 'info' }>;
import { readLabels } from '../read-labels.ts';
import type { MetricKind } from './kind.ts';

export const infoKind: MetricKind<InfoSource> = {
  type: 'info',
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
