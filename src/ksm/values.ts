// kube-state-metrics' value conversions, kept exact so the same object gives the same number
// and the same label text: `toFloat64` (pkg/customresourcestate) and Go's `fmt.Sprintf("%v")`.
// crotel's own parseValue differs on purpose (durations, sub-second times, `Unknown` = absent),
// so only the shared grammars are reused here: RFC 3339 parsing and Kubernetes quantities.

import { parseTimestamp } from '../extract/index.ts';

export type KsmValue = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly reason: string };

const ok = (value: number): KsmValue => ({ ok: true, value });
const fail = (reason: string): KsmValue => ({ ok: false, reason });

/** Go's strconv.ParseFloat for decimal text, plus its Inf/NaN spellings. */
const GO_FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const GO_SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** The value kube-state-metrics reads from a field, or why it cannot (never quoting the value). */
export function ksmFloat(raw: unknown, nilIsZero: boolean): KsmValue {
  if (raw === undefined || raw === null) return nilIsZero ? ok(0) : fail('expected a number, got nothing (null)');
  switch (typeof raw) {
    case 'boolean':
      return ok(raw ? 1 : 0);
    case 'number':
      return ok(raw);
    case 'string':
      return stringValue(raw);
    default:
      return fail(`expected a number, got ${Array.isArray(raw) ? 'a list' : typeof raw === 'object' ? 'an object' : typeof raw}`);
  }
}

function stringValue(s: string): KsmValue {
  if (s.length > MAX_KSM_VALUE_STRING) return fail(`expected a number, got a string longer than ${MAX_KSM_VALUE_STRING} characters`);
  const lower = s.toLowerCase();
  if (lower === 'true' || lower === 'yes') return ok(1);
  if (lower === 'false' || lower === 'no' || lower === 'unknown') return ok(0);
  const t = goRfc3339(s);
  if (t !== undefined) return ok(t);
  const q = goQuantity(s);
  if (q !== undefined) return ok(q);
  if (/^[0-9]+%$/.test(s)) return ok(Number(s.slice(0, -1)) / 100);
  if (GO_FLOAT.test(s)) {
    const n = Number(s);
    return Number.isFinite(n) ? ok(n) : fail('expected a number, got an out-of-range number');
  }
  const special = GO_SPECIAL.exec(s);
  if (special) return ok(special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity);
  return fail('expected a number, boolean, RFC 3339 time, quantity or percentage; got an unparseable string');
}

/** Go's time.Parse(time.RFC3339, s).Unix(): whole seconds, 'T' and 'Z' upper case. */
function goRfc3339(s: string): number | undefined {
  if (s.length < 20 || s[10] !== 'T' || /[tz ]/.test(s) || s.slice(17, 19) === '60') return undefined;
  const t = parseTimestamp(s);
  return t === undefined ? undefined : Math.floor(t.seconds);
}

// k8s.io/apimachinery resource.ParseQuantity followed by AsApproximateFloat64: the number is kept
// as an integer and a power of ten (rounded up to nano precision, as the library does) and only
// then multiplied out, so the float is bit-identical to kube-state-metrics'.
const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|n|u|m|k|M|G|T|P|E)?$/;
const BINARY_EXP: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_EXP: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const MAX_EXPONENT = 2 ** 31 - 1;
/** Longer strings are not read as numbers at all (bounded work per value). */
export const MAX_KSM_VALUE_STRING = 1024;

export function goQuantity(s: string): number | undefined {
  if (s.length === 0 || s.length > 64) return undefined;
  const m = QUANTITY.exec(s);
  if (!m) return undefined;
  const [, sign, whole = '', frac = '', suffix = ''] = m;
  if (whole === '' && frac === '') return undefined;
  const digits = (whole + frac).replace(/^0+/, '');
  let unscaled = BigInt(digits || '0');
  let scale = frac.length; // value = unscaled * 10^-scale
  if (suffix in BINARY_EXP) {
    unscaled *= 2n ** BigInt(BINARY_EXP[suffix]!);
  } else if (/^[eE]/.test(suffix)) {
    // The library keeps the exponent in an int32; beyond it the text is not a quantity.
    const e = Number(suffix.slice(1));
    if (!Number.isSafeInteger(e) || Math.abs(e) > MAX_EXPONENT) return undefined;
    scale -= e;
  } else {
    scale -= DECIMAL_EXP[suffix]!;
  }
  if (unscaled === 0n) return 0;
  // Far below nano precision: the round-up leaves exactly one nano (O(1), where 10n ** scale would
  // build a number with up to 2^31 digits). Far above float range: ±Inf, as math.Pow10 gives.
  if (scale - 9 > digits.length) return sign === '-' ? -1e-9 : 1e-9;
  if (-scale > 400) return sign === '-' ? -Infinity : Infinity;
  // Below nano precision the library rounds up (away from zero for the magnitude).
  if (scale > 9) {
    const div = 10n ** BigInt(scale - 9);
    unscaled = unscaled / div + (unscaled % div === 0n ? 0n : 1n);
    scale = 9;
  }
  if (sign === '-') unscaled = -unscaled;
  const base = Number(unscaled);
  const exponent = -scale;
  if (exponent === 0) return base;
  return base * pow10(exponent);
}

/** Go's math.Pow10: exact powers, and 1/10^n for negative n. */
function pow10(n: number): number {
  return n >= 0 ? 10 ** n : 1 / 10 ** -n;
}

/**
 * Go's fmt `%v` of a decoded JSON value: how kube-state-metrics turns a field into label text.
 * Whole numbers print as integers (Go decodes them as int64); others as strconv 'g' shortest.
 */
const MAX_GO_STRING_DEPTH = 32;

export function goString(v: unknown, depth = 0): string {
  if (v === null || v === undefined) return '<nil>';
  // Nesting is bounded so a hostile object costs neither stack nor unbounded text.
  if (depth > MAX_GO_STRING_DEPTH && typeof v === 'object') return '...';
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return goNumber(v);
    case 'object':
      if (Array.isArray(v)) return `[${v.map((x) => goString(x, depth + 1)).join(' ')}]`;
      return `map[${Object.keys(v).sort().map((k) => `${k}:${goString((v as Record<string, unknown>)[k], depth + 1)}`).join(' ')}]`;
    default:
      return String(v);
  }
}

function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return BigInt(n).toString();
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  // Shortest round-trip digits (JavaScript and Go agree on them) in Go's %g layout: exponent
  // form when the decimal exponent is < -4 or >= 6 (e.g. 1.2345675e+06, 1e-05).
  const [mantissa, expText] = n.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp);
    return `${mantissa}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  return String(n);
}
