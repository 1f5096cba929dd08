// Reads Prometheus text exposition into comparable series: `name{a="x",b="y"}` → value, with
// labels sorted so two expositions compare regardless of label order.
export type SeriesMap = Map<string, number>;

function unescape(value: string): string {
  return value.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

export function seriesKey(name: string, labels: Record<string, string>): string {
  const parts = Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name}{${parts.join(',')}}`;
}

/** Series → every value seen for it (more than one when an exposition repeats a series). */
export type SeriesValues = Map<string, number[]>;

/**
 * The one Prometheus text parser of the tests and benchmarks. Lenient: keeps duplicates, sorts
 * labels, skips names `skip` rejects; `mapValue` rewrites label values (e.g. crotel's redaction
 * applied to kube-state-metrics' output).
 */
export function parseSeries(text: string, skip: (name: string) => boolean = () => false, mapValue: (v: string) => string = (v) => v): SeriesValues {
  const out: SeriesValues = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/.exec(line);
    if (!m) throw new Error(`unparseable exposition line: ${line}`);
    if (skip(m[1]!)) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = mapValue(unescape(l[2]!));
    const key = seriesKey(m[1]!, labels);
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}

/** Strict: every series once (a repeat throws), one value each. */
export function parseExposition(text: string): SeriesMap {
  const out: SeriesMap = new Map();
  for (const [key, values] of parseSeries(text)) {
    if (values.length > 1) throw new Error(`duplicate series in exposition: ${key}`);
    out.set(key, values[0]!);
  }
  return out;
}

/** Only the series whose metric name starts with one of the prefixes. */
export function pick(series: SeriesMap, ...prefixes: string[]): SeriesMap {
  return new Map([...series].filter(([key]) => prefixes.some((p) => key.startsWith(p))));
}

// crotel's own families: crotel_*, target_info, and the process_* / nodejs_* metrics every
// Prometheus client library exports (kube-state-metrics serves its own on the telemetry port).
export const isCrotelSelfMetric = (name: string): boolean =>
  name.startsWith('crotel_') || name.startsWith('process_') || name.startsWith('nodejs_') || name === 'target_info';
