// Reads a metric's labels from an object, in order, redacted: shared by the compiled resource
// (common labels) and the metric kinds (own and info labels).
import type { LabelConfig } from '../config/index.ts';
import type { ExtractContext } from './context.ts';
import { labelValue } from './labels.ts';
import type { Redactor } from './redact.ts';
import { resolvePath } from './resolve.ts';

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
