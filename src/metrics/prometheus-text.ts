// Prometheus text exposition (format 0.0.4, or OpenMetrics 1.0 when the scraper asks) for object
// samples. Label names are templated once
// per family; a line is then a handful of concatenations, rendered straight into the response.
import { prometheusLabelName } from '../config/index.ts';
import type { MetricFamily } from '../model.ts';
import { openMetricsUnit } from './prometheus-names.ts';

/** `text`: Prometheus text 0.0.4; `openmetrics`: OpenMetrics 1.0 (`# UNIT`, `# EOF`). */
export type ExpositionFormat = 'text' | 'openmetrics';

export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  text: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

/** HELP text escaping: 0.0.4 escapes `\\` and newlines; OpenMetrics also `"`. */
export function escapeHelp(help: string, format: ExpositionFormat): string {
  const escaped = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return format === 'openmetrics' ? escaped.replace(/"/g, '\\"') : escaped;
}

export function escapeLabelValue(value: string): string {
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

export function familyHeader(family: MetricFamily, format: ExpositionFormat = 'text'): string {
  const name = family.prometheusName;
  const help = escapeHelp(family.description.toWellFormed(), format);
  if (format === 'text') return `# HELP ${name} ${help}\n# TYPE ${name} gauge\n`;
  const unit = openMetricsUnit(name, family.unit, 'gauge');
  return `# TYPE ${name} gauge\n${unit ? `# UNIT ${name} ${unit}\n` : ''}# HELP ${name} ${help}\n`;
}
