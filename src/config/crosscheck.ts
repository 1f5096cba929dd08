// Rules that span several fields: metric names unique across the whole config and label names
// unique within each metric — common, the metric's own and those its kind's block adds — after
// Prometheus translation, where `a.b` and `a_b` collide.
// They read the raw YAML data defensively, so they report even when other fields are invalid.

import { METRIC_KINDS } from '../extract/kinds/index.ts';
import { GENERIC_FAMILY_NAMES, prometheusLabelName, prometheusMetricName, reservedMetricNameProblem } from './names.ts';

export interface CrossIssue {
  readonly path: PropertyKey[];
  readonly expected: string;
  readonly got: string;
}

type Raw = Record<string, unknown>;
const isRaw = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const keys = (v: unknown): string[] => (isRaw(v) ? Object.keys(v) : []);

export function crossCheck(data: unknown): CrossIssue[] {
  const issues: CrossIssue[] = [];
  if (!isRaw(data)) return issues;
  const reserved = new Set<string>(GENERIC_FAMILY_NAMES.map((n) => prometheusMetricName(n, '')));
  const seenMetrics = new Map<string, string>();

  list(data.resources).forEach((r, ri) => {
    if (!isRaw(r)) return;
    // A concrete kind needs its version; a wildcard entry (glob group or kind, or no kind) does not.
    const glob = (v: unknown): boolean => typeof v === 'string' && /[*?]/.test(v);
    if (r.version === undefined && typeof r.kind === 'string' && !glob(r.kind) && !glob(r.group)) {
      issues.push({ path: ['resources', ri, 'version'], expected: 'a string: an API version such as v1 (required unless group or kind is a wildcard)', got: 'nothing (required key missing)' });
    }
    const common = keys(r.labels);
    list(r.metrics).forEach((m, mi) => {
      if (!isRaw(m)) return;
      const at: PropertyKey[] = ['resources', ri, 'metrics', mi];
      if (typeof m.name === 'string') {
        const unit = typeof m.unit === 'string' ? m.unit : '';
        const prom = prometheusMetricName(m.name, unit);
        const own = reservedMetricNameProblem(prom) ?? reservedMetricNameProblem(prometheusMetricName(m.name, ''));
        if (reserved.has(prom) || reserved.has(prometheusMetricName(m.name, ''))) {
          issues.push({ path: [...at, 'name'], expected: 'a name not used by the generic families (k8s.object.*)', got: JSON.stringify(m.name) });
        } else if (own !== undefined) {
          issues.push({ path: [...at, 'name'], expected: own, got: `${JSON.stringify(m.name)} (Prometheus name ${prom})` });
        } else {
          // Unique both as pushed (the OpenTelemetry name: one instrument per name) and as
          // scraped (the Prometheus name, unit suffix included).
          const first = seenMetrics.get(prom) ?? seenMetrics.get(`otel ${m.name}`);
          if (first !== undefined) {
            issues.push({ path: [...at, 'name'], expected: 'a metric name unique across the config (after Prometheus translation)', got: `${JSON.stringify(m.name)}, already used at ${first}` });
          } else {
            seenMetrics.set(prom, `resources[${ri}].metrics[${mi}]`);
            seenMetrics.set(`otel ${m.name}`, `resources[${ri}].metrics[${mi}]`);
          }
        }
      }
      issues.push(...duplicateLabels(common, m, at));
    });
  });
  issues.push(...overlappingGeneric(list(data.resources)));
  return issues;
}

// The generic families carry namespace, name, kind and group: two entries for one group/kind
// (e.g. two versions) watching the same namespaces would serve each object's series twice.
function overlappingGeneric(resources: unknown[]): CrossIssue[] {
  const issues: CrossIssue[] = [];
  const seen: { key: string; namespaces: string[]; at: number }[] = [];
  resources.forEach((r, ri) => {
    if (!isRaw(r) || typeof r.kind !== 'string') return;
    const generic = typeof r.generic === 'boolean' ? r.generic : list(r.metrics).length === 0;
    if (!generic) return;
    const key = `${typeof r.group === 'string' ? r.group : ''}/${r.kind}`;
    const namespaces = list(r.namespaces).filter((n): n is string => typeof n === 'string');
    const other = seen.find((s) => s.key === key && (s.namespaces.length === 0 || namespaces.length === 0 || s.namespaces.some((n) => namespaces.includes(n))));
    if (other) {
      issues.push({
        path: ['resources', ri, 'kind'],
        expected: 'one entry with generic families per group and kind in a namespace (the same objects would be served twice)',
        got: `${JSON.stringify(key)}, also at resources[${other.at}]`,
      });
    } else {
      seen.push({ key, namespaces, at: ri });
    }
  });
  return issues;
}

function duplicateLabels(common: readonly string[], m: Raw, at: PropertyKey[]): CrossIssue[] {
  const issues: CrossIssue[] = [];
  const seen = new Map<string, string>();
  const add = (name: unknown, path: PropertyKey[], where: string): void => {
    if (typeof name !== 'string') return;
    const key = prometheusLabelName(name);
    const first = seen.get(key);
    if (first !== undefined) issues.push({ path, expected: 'label names unique within a metric (common labels included)', got: `${JSON.stringify(name)} also given by ${first}` });
    else seen.set(key, where);
  };
  for (const name of common) add(name, [...at, 'labels', name], `the resource's labels.${name}`);
  for (const name of keys(m.labels)) add(name, [...at, 'labels', name], `labels.${name}`);
  // The labels each kind's block adds (the kind's module says which).
  for (const [key, kind] of Object.entries(METRIC_KINDS)) {
    const block = m[key];
    if (!isRaw(block)) continue;
    for (const l of kind.blockLabels(block)) add(l.name, [...at, key, ...l.at], [key, ...l.at].join('.'));
  }
  return issues;
}
