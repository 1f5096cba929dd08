// A strict reader of Prometheus text exposition (format 0.0.4), for tests that must prove a
// scrape is valid whatever the input: it fails on everything Prometheus' own parser rejects
// (bad metric or label names, duplicate label names, bad escapes, invalid UTF-8, a second
// HELP/TYPE for a name, a family split in two) and on what Prometheus rejects at ingestion
// (the same series twice, `__`-reserved label names). promtool is the reference; this runs
// in-process so property tests can afford thousands of cases.

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES = ['_total', '_bucket', '_sum', '_count', '_created'];

export interface StrictResult {
  readonly families: number;
  readonly series: number;
}

/** Throws an Error naming the line and the rule broken; returns counts when valid. */
export function checkExposition(text: string): StrictResult {
  if (!text.isWellFormed()) throw new Error('exposition is not well-formed Unicode (lone surrogate: invalid UTF-8 on the wire)');
  const lines = text.split('\n');
  if (lines.at(-1) !== '') throw new Error('exposition does not end with a newline');
  const typed = new Map<string, string>();
  const helped = new Set<string>();
  const finished = new Set<string>();
  const series = new Set<string>();
  let current: string | undefined;
  const familyOf = (sample: string): string => {
    if (typed.has(sample)) return sample;
    for (const s of SUFFIXES) {
      if (sample.endsWith(s)) {
        const base = sample.slice(0, -s.length);
        const t = typed.get(base);
        if (t !== undefined && t !== 'gauge' && t !== 'untyped') return base;
      }
    }
    return sample;
  };
  const enter = (family: string, n: number): void => {
    if (current === family) return;
    if (finished.has(family)) throw new Error(`line ${n}: family ${family} continues after another family (split in two)`);
    if (current !== undefined) finished.add(current);
    current = family;
  };
  for (let i = 0; i < lines.length - 1; i++) {
    const line = lines[i]!;
    const n = i + 1;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!m) continue; // other comments are allowed
      const [, kind, name = '', rest = ''] = m;
      if (!METRIC.test(name)) throw new Error(`line ${n}: invalid metric name ${JSON.stringify(name)}`);
      enter(name, n);
      if (kind === 'HELP') {
        if (helped.has(name)) throw new Error(`line ${n}: second HELP for ${name}`);
        helped.add(name);
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) throw new Error(`line ${n}: bad escape in HELP`);
      } else {
        if (typed.has(name)) throw new Error(`line ${n}: second TYPE for ${name}`);
        if (!TYPES.has(rest)) throw new Error(`line ${n}: unknown type ${JSON.stringify(rest)}`);
        typed.set(name, rest);
      }
      continue;
    }
    if (line === '') throw new Error(`line ${n}: empty line`);
    const { name, labels, value } = parseSample(line, n);
    enter(familyOf(name), n);
    if (!/^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Inf)|NaN)$/.test(value)) throw new Error(`line ${n}: bad value ${JSON.stringify(value)}`);
    const key = `${name}{${[...labels].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
    if (series.has(key)) throw new Error(`line ${n}: duplicate series ${key.slice(0, 200)}`);
    series.add(key);
  }
  return { families: typed.size, series: series.size };
}

function parseSample(line: string, n: number): { name: string; labels: Map<string, string>; value: string } {
  let i = 0;
  while (i < line.length && line[i] !== '{' && line[i] !== ' ') i++;
  const name = line.slice(0, i);
  if (!METRIC.test(name)) throw new Error(`line ${n}: invalid metric name ${JSON.stringify(name)}`);
  const labels = new Map<string, string>();
  if (line[i] === '{') {
    i++;
    while (line[i] !== '}') {
      const eq = line.indexOf('=', i);
      if (eq < 0) throw new Error(`line ${n}: label without =`);
      const label = line.slice(i, eq);
      if (!LABEL.test(label)) throw new Error(`line ${n}: invalid label name ${JSON.stringify(label)}`);
      if (label.startsWith('__')) throw new Error(`line ${n}: reserved label name ${label}`);
      if (labels.has(label)) throw new Error(`line ${n}: duplicate label name ${label}`);
      if (line[eq + 1] !== '"') throw new Error(`line ${n}: label value not quoted`);
      let j = eq + 2;
      let v = '';
      for (;;) {
        if (j >= line.length) throw new Error(`line ${n}: unterminated label value`);
        const c = line[j]!;
        if (c === '"') break;
        if (c === '\\') {
          const e = line[j + 1];
          if (e === 'n') v += '\n';
          else if (e === '\\' || e === '"') v += e;
          else throw new Error(`line ${n}: bad escape \\${e ?? ''}`);
          j += 2;
          continue;
        }
        v += c;
        j++;
      }
      labels.set(label, v);
      i = j + 1;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') throw new Error(`line ${n}: expected , or } after a label`);
    }
    i++;
  }
  if (line[i] !== ' ') throw new Error(`line ${n}: expected a space before the value`);
  const parts = line.slice(i + 1).split(' ');
  if (parts.length > 2 || (parts[1] !== undefined && !/^-?\d+$/.test(parts[1]))) throw new Error(`line ${n}: bad value/timestamp`);
  return { name, labels, value: parts[0]! };
}
