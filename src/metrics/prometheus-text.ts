// Prometheus text exposition (format 0.0.4) for object samples. Lines are rendered once per
// object change; the scrape only concatenates them, which keeps 400k series well under a second.
import { prometheusLabelName } from '../config/index.ts';
import type { CompiledResource, MetricFamily, Snapshot } from '../model.ts';

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
  readonly head: string;
  readonly separators: readonly string[];
}

export function familyTemplate(family: MetricFamily): FamilyTemplate {
  const labels = family.attributeKeys.map(prometheusLabelName);
  if (labels.length === 0) return { head: `${family.prometheusName} `, separators: [] };
  return {
    head: `${family.prometheusName}{${labels[0]}="`,
    separators: labels.slice(1).map((l) => `",${l}="`),
  };
}

const templates = new WeakMap<MetricFamily, FamilyTemplate>();
function templateOf(family: MetricFamily): FamilyTemplate {
  let t = templates.get(family);
  if (!t) templates.set(family, (t = familyTemplate(family)));
  return t;
}

/** An object's exposition lines, one string per family index of its resource ('' when none). */
export function renderSnapshot(resource: CompiledResource, snapshot: Snapshot): string[] {
  const out: string[] = new Array<string>(resource.families.length).fill('');
  for (const sample of snapshot.samples) {
    const family = resource.families[sample.family]!;
    const t = templateOf(family);
    let line = t.head;
    if (t.separators.length > 0 || family.attributeKeys.length > 0) {
      const values = sample.attributeValues;
      line += escapeLabelValue(values[0] ?? '');
      for (let i = 0; i < t.separators.length; i++) line += t.separators[i]! + escapeLabelValue(values[i + 1] ?? '');
      line += '"} ';
    }
    out[sample.family] += `${line}${formatValue(sample.value)}\n`;
  }
  return out;
}

export function familyHeader(family: MetricFamily): string {
  const help = family.description.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return `# HELP ${family.prometheusName} ${help}\n# TYPE ${family.prometheusName} gauge\n`;
}
