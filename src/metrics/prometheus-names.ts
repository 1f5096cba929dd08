// OpenTelemetry → Prometheus metric names, as Prometheus' own OTLP receiver translates them
// (prometheus/otlptranslator, strategy UnderscoreEscapingWithSuffixes, the default of Prometheus
// 3): invalid characters → `_`; the unit as a word suffix (`s` → `_seconds`, `By` → `_bytes`,
// `m/s` → `_meters_per_second`, `1` on a gauge → `_ratio`, `{…}` annotations dropped); `_total`
// on monotonic counters. /metrics uses the same names, so one query works on both paths.

const UNIT_WORDS: Readonly<Record<string, string>> = {
  d: 'days', h: 'hours', min: 'minutes', s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds',
  By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes', TiBy: 'tibibytes',
  KBy: 'kilobytes', MBy: 'megabytes', GBy: 'gigabytes', TBy: 'terabytes',
  m: 'meters', V: 'volts', A: 'amperes', J: 'joules', W: 'watts', g: 'grams',
  Cel: 'celsius', Hz: 'hertz', '%': 'percent',
};
const PER_UNIT_WORDS: Readonly<Record<string, string>> = {
  s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week', mo: 'month', y: 'year',
};

export type PrometheusKind = 'gauge' | 'counter' | 'histogram';

function sanitize(text: string): string {
  return text.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/_+/g, '_').replace(/^_+|_+$/g, '');
}

/** The unit's word(s), e.g. `seconds`, `meters_per_second`; empty when the unit adds nothing. */
export function unitSuffix(unit: string, kind: PrometheusKind): string {
  const plain = unit.replace(/\{[^}]*\}/g, '').trim();
  if (plain === '1') return kind === 'gauge' ? 'ratio' : '';
  if (plain === '') return '';
  const [main = '', per] = plain.split('/', 2);
  const mainWord = sanitize(UNIT_WORDS[main] ?? main);
  const perWord = per === undefined ? '' : sanitize(PER_UNIT_WORDS[per] ?? per);
  if (mainWord !== '' && perWord !== '') return `${mainWord}_per_${perWord}`;
  return mainWord !== '' ? mainWord : perWord !== '' ? `per_${perWord}` : '';
}

/**
 * The Prometheus family name (for counters without `_total`: that is the sample suffix). A suffix
 * already present in the name is not repeated.
 */
export function prometheusFamilyName(name: string, unit: string, kind: PrometheusKind): string {
  let out = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  if (/^[0-9]/.test(out)) out = `_${out}`;
  if (kind === 'counter' && out.endsWith('_total')) out = out.slice(0, -'_total'.length);
  const suffix = unitSuffix(unit, kind);
  if (suffix !== '' && !out.endsWith(`_${suffix}`)) out += `_${suffix}`;
  return out;
}

/** The OpenMetrics `# UNIT` value: only when the family name ends with it, as OpenMetrics requires. */
export function openMetricsUnit(familyName: string, unit: string, kind: PrometheusKind): string | undefined {
  const suffix = unitSuffix(unit, kind);
  return suffix !== '' && familyName.endsWith(`_${suffix}`) ? suffix : undefined;
}
