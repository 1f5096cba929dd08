// `gauge`: the number at a path (numbers, booleans, RFC 3339 times, quantities, percentages), or 1/0
// when the scalar there is one of `equals`/`oneOf`; absent unless nilIsZero.
import type { MetricSource } from '../../config/index.ts';
type GaugeSource = Extract<MetricSource, { type: 'gauge' }>;
import { resolvePath, scalarString } from '../resolve.ts';
import { parseValue } from '../values.ts';
import type { MetricKind } from './kind.ts';

export const gaugeKind: MetricKind<GaugeSource> = {
  type: 'gauge',
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
