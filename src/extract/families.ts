// One configured metric → its family definition and the emitter that reads it from an object.
// Everything that depends only on config (label keys, match sets, descriptions) is done here,
// once; the returned emitters only walk paths and push samples.

import type { MetricFamily } from '../model.ts';
import { prometheusMetricName, type LabelConfig, type MetricConfig } from '../config/index.ts';
import type { Emitter, ExtractContext } from './context.ts';
import { CONDITIONS_PATH } from './facts.ts';
import { readConditions } from './conditions.ts';
import { labelText, labelValue } from './labels.ts';
import type { Redactor } from './redact.ts';
import { resolvePath, scalarString } from './resolve.ts';
import { parseValue } from './values.ts';

export interface CompiledMetric {
  readonly family: MetricFamily;
  readonly emit: Emitter;
}

/** Reads label values in order; undefined (with the error recorded) when any is not a scalar. */
export function readLabels(ctx: ExtractContext, labels: readonly LabelConfig[], redactor: Redactor): string[] | undefined {
  const out: string[] = new Array<string>(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i] as LabelConfig;
    const v = labelValue(resolvePath(ctx.object, l.path.segments), redactor);
    if (typeof v !== 'string') {
      ctx.errors.push({ path: l.path.text, reason: v.error });
      return undefined;
    }
    out[i] = v;
  }
  return out;
}

/** Whether labels from these paths tell objects apart: the uid, or the name and the namespace. */
function identifiesObject(paths: readonly string[]): boolean {
  return paths.includes('metadata.uid') || (paths.includes('metadata.name') && paths.includes('metadata.namespace'));
}

export function compileMetric(
  m: MetricConfig,
  index: number,
  kind: string,
  commonKeys: readonly string[],
  commonPaths: readonly string[],
  defaultLimit: number,
  redactor: Redactor,
): CompiledMetric {
  const s = m.source;
  const kindKeys = s.type === 'conditions' ? [s.typeLabel, s.statusLabel] : s.type === 'stateSet' ? [s.label] : s.type === 'info' ? s.labels.map((l) => l.name) : [];
  const family: MetricFamily = {
    name: m.name,
    prometheusName: prometheusMetricName(m.name, m.unit),
    description: m.description ?? defaultDescription(m, kind),
    unit: m.unit,
    // Configured metrics are point-in-time readings, as in the original monitor and kube-state-metrics.
    instrument: 'gauge',
    attributeKeys: [...commonKeys, ...m.labels.map((l) => l.name), ...kindKeys],
    cardinalityLimit: m.cardinalityLimit ?? defaultLimit,
    ...(identifiesObject([...commonPaths, ...m.labels.map((l) => l.path.text)]) ? {} : { seriesMayRepeat: true }),
  };
  const extra = m.labels;
  // Builds the attribute values of one sample: common, then metric labels, then kind-specific.
  const attrs = (ctx: ExtractContext, common: readonly string[], tail: readonly string[]): string[] | undefined => {
    const own = extra.length === 0 ? [] : readLabels(ctx, extra, redactor);
    // concat allocates exactly; spreading grows the backing store with slack that every kept Sample would carry.
    if (own === undefined) return undefined;
    // Samples with only the common labels share one array: it is never mutated.
    return own.length === 0 && tail.length === 0 ? (common as string[]) : common.concat(own, tail);
  };

  let emit: Emitter;
  switch (s.type) {
    case 'gauge': {
      const segments = s.path.segments;
      const matches = s.matches ? new Set(s.matches) : undefined;
      emit = (ctx) => {
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
        const a = attrs(ctx, ctx.common, []);
        if (a) ctx.samples.push({ family: index, attributeValues: a, value });
      };
      break;
    }
    case 'conditions': {
      const reuse = s.path.text === CONDITIONS_PATH;
      emit = (ctx) => {
        if (ctx.common === undefined) return;
        // status.conditions was already read (and its errors counted) with the object's facts.
        const list = reuse ? ctx.facts.conditions : readConditions(resolvePath(ctx.object, s.path.segments), s.path.text, redactor, ctx.errors);
        if (list.length === 0) return;
        const own = extra.length === 0 ? [] : readLabels(ctx, extra, redactor);
        if (!own) return;
        for (const c of list) {
          const attributeValues = ctx.common.concat(own, [labelText(c.type, redactor), labelText(c.status, redactor)]);
          ctx.samples.push({ family: index, attributeValues, value: c.status === 'True' ? 1 : 0 });
        }
      };
      break;
    }
    case 'stateSet': {
      emit = (ctx) => {
        if (ctx.common === undefined) return;
        const raw = resolvePath(ctx.object, s.path.segments);
        if (raw === undefined || raw === null) return;
        const current = scalarString(raw);
        if (current === undefined) {
          ctx.errors.push({ path: s.path.text, reason: `expected a scalar state, got ${Array.isArray(raw) ? 'a list' : 'an object'}` });
          return;
        }
        const own = extra.length === 0 ? [] : readLabels(ctx, extra, redactor);
        if (!own) return;
        for (const state of s.list) {
          ctx.samples.push({ family: index, attributeValues: ctx.common.concat(own, [state]), value: state === current ? 1 : 0 });
        }
      };
      break;
    }
    case 'info': {
      const infoLabels = s.labels;
      emit = (ctx) => {
        if (ctx.common === undefined) return;
        const tail = infoLabels.length === 0 ? [] : readLabels(ctx, infoLabels, redactor);
        if (!tail) return;
        const a = attrs(ctx, ctx.common, tail);
        if (a) ctx.samples.push({ family: index, attributeValues: a, value: 1 });
      };
      break;
    }
  }
  return { family, emit };
}

function defaultDescription(m: MetricConfig, kind: string): string {
  const s = m.source;
  switch (s.type) {
    case 'gauge':
      return s.matches ? `1 when ${s.path.text} of the ${kind} is ${s.matches.join(' or ')}, else 0.` : `Value of ${s.path.text} of the ${kind}.`;
    case 'conditions':
      return `Conditions at ${s.path.text} of the ${kind}: 1 when the status is True, else 0.`;
    case 'stateSet':
      return `State at ${s.path.text} of the ${kind}: 1 for the current value, 0 for the others.`;
    case 'info':
      return `Information about the ${kind}; the value is always 1.`;
  }
}
