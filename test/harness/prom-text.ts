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

export function parseExposition(text: string): SeriesMap {
  const out: SeriesMap = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!match) throw new Error(`unparseable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    const body = match[2] ?? '';
    for (const m of body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]!] = unescape(m[2]!);
    const key = seriesKey(match[1]!, labels);
    if (out.has(key)) throw new Error(`duplicate series in exposition: ${key}`);
    out.set(key, Number(match[3]));
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
