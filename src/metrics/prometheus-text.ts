// Prometheus text exposition (format 0.0.4) for object samples. Label names are templated once
// per family; a line is then a handful of concatenations, rendered straight into the response.
import { prometheusLabelName } from '../config/index.ts';
import type { MetricFamily } from '../model.ts';

function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value;
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Per family: the label-name prefix `name{k1="`, `",k2="` … computed once, reused per sample. */
export interface FamilyTemplate {
  readonly labeled: boolean;
  readonly head: string;
  readonly separators: readonly string[];
}

function buildTemplate(family: MetricFamily): FamilyTemplate {
  const labels = family.attributeKeys.map(prometheusLabelName);
  if (labels.length === 0) return { labeled: false, head: `${family.prometheusName} `, separators: [] };
  return {
    labeled: true,
    head: `${family.prometheusName}{${labels[0]}="`,
    separators: labels.slice(1).map((l) => `",${l}="`),
  };
}

const templates = new WeakMap<MetricFamily, FamilyTemplate>();
/** The family's line template, built once per family (fetch it once per family, not per sample). */
export function familyTemplate(family: MetricFamily): FamilyTemplate {
  let t = templates.get(family);
  if (!t) templates.set(family, (t = buildTemplate(family)));
  return t;
}

/** One sample as an exposition line. Rendered at scrape time: cheaper than holding text per object. */
export function renderLine(t: FamilyTemplate, values: readonly string[], value: number): string {
  if (!t.labeled) return `${t.head}${formatValue(value)}\n`;
  let line = t.head + escapeLabelValue(values[0] ?? '');
  for (let i = 0; i < t.separators.length; i++) line += t.separators[i]! + escapeLabelValue(values[i + 1] ?? '');
  return `${line}"} ${formatValue(value)}\n`;
}

export function familyHeader(family: MetricFamily): string {
  // Config text may hold lone surrogates (YAML "\uD800"): repaired, as UTF-8 would.
  const help = family.description.toWellFormed().replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return `# HELP ${family.prometheusName} ${help}\n# TYPE ${family.prometheusName} gauge\n`;
}
