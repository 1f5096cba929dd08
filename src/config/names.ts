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

/** Names of the generic convention families, reserved so a configured metric cannot collide. */
export const GENERIC_FAMILY_NAMES = [
  'k8s.object.condition.status',
  'k8s.object.phase',
  'k8s.object.generation.lag',
  'k8s.object.health',
] as const;
