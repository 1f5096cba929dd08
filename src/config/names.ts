// Naming rules for instruments and labels, shared by validation (reject what would collide in
// Prometheus) and compilation (the Prometheus names of families).
import { prometheusFamilyName } from '../metrics/prometheus-names.ts';

/** OpenTelemetry instrument names crotel accepts. */
export const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:.]*$/;
const PROMETHEUS_LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * OpenTelemetry → Prometheus name of a gauge family (every object family is one), as Prometheus'
 * OTLP receiver names it: invalid characters → `_`, the unit as a suffix (`s` → `_seconds`, …).
 */
export function prometheusMetricName(name: string, unit: string): string {
  return prometheusFamilyName(name, unit, 'gauge');
}

/** OpenTelemetry attribute key → Prometheus label name (dots and other characters → `_`). */
export function prometheusLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** Why a label name is unusable, or undefined when it is fine. */
export function labelNameProblem(name: string): string | undefined {
  const translated = name.replace(/\./g, '_');
  if (!PROMETHEUS_LABEL_RE.test(translated)) return 'a label name: [a-zA-Z_][a-zA-Z0-9_]* (dots allowed)';
  // Prometheus reserves names starting with "__" for internal use.
  if (translated.startsWith('__')) return 'a label name not starting with "__" (reserved by Prometheus)';
  return undefined;
}

/**
 * Why a name cannot be a Prometheus label name as it stands (no translation applied), or
 * undefined. For names taken verbatim into an exposition (kube-state-metrics configs).
 */
export function exportLabelNameProblem(name: string): string | undefined {
  if (name === '') return 'a non-empty label name';
  if (!PROMETHEUS_LABEL_RE.test(name)) return 'a Prometheus label name [a-zA-Z_][a-zA-Z0-9_]*';
  if (name.startsWith('__')) return 'a label name not starting with "__" (reserved by Prometheus)';
  return undefined;
}

// Prometheus names crotel's own series use or may use: its self-metrics (crotel_*, with their
// _total/_bucket/_sum/_count series), process and runtime metrics, and the OpenTelemetry info
// families. A configured metric taking one would give two families one name: the scrape fails.
const RESERVED_PREFIXES = ['crotel_', 'process_', 'nodejs_', 'otel_'];
const RESERVED_NAMES = new Set(['target_info', 'otel_scope_info', 'up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

/** Why a Prometheus metric name is reserved, or undefined. */
export function reservedMetricNameProblem(prometheusName: string): string | undefined {
  if (RESERVED_NAMES.has(prometheusName) || RESERVED_PREFIXES.some((p) => prometheusName.startsWith(p))) {
    return `a name outside crotel's own (${RESERVED_PREFIXES.map((p) => `${p}*`).join(', ')}, ${[...RESERVED_NAMES].join(', ')})`;
  }
  return undefined;
}

// Kubernetes name shapes: API groups are DNS subdomains, versions and namespaces DNS labels.
// They become label values of crotel's own series, so only what Kubernetes allows is accepted.
export const API_GROUP_RE = /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*)?$/;
export const DNS_LABEL_RE = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** Names of the generic convention families, reserved so a configured metric cannot collide. */
export const GENERIC_FAMILY_NAMES = [
  'k8s.object.condition.status',
  'k8s.object.phase',
  'k8s.object.generation.lag',
  'k8s.object.health',
] as const;
