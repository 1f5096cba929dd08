// Turns whatever a field holds into a sample value, or says why not. Order matters where forms
// overlap: `5m` is a quantity (0.005, as Kubernetes reads it), `5m30s` and `1h` are durations.

import { parseDuration } from './duration.ts';
import { parseQuantity } from './quantity.ts';
import { isGoZeroTime, parseTimestamp } from './time.ts';

export type ValueResult =
  | { readonly kind: 'value'; readonly value: number }
  /** Missing, null, empty, or `Unknown`: no series (or 0 with nilIsZero), and not an error. */
  | { readonly kind: 'absent' }
  /** Reason never quotes the value itself: values may be credentials. */
  | { readonly kind: 'error'; readonly reason: string };

export const MAX_VALUE_STRING = 1024;
const ABSENT: ValueResult = { kind: 'absent' };
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

const value = (v: number): ValueResult => ({ kind: 'value', value: v });
const error = (reason: string): ValueResult => ({ kind: 'error', reason });

export function parseValue(raw: unknown): ValueResult {
  switch (typeof raw) {
    case 'number':
      return Number.isFinite(raw) ? value(raw) : error('expected a finite number, got a non-finite number');
    case 'boolean':
      return value(raw ? 1 : 0);
    case 'undefined':
      return ABSENT;
    case 'string':
      return parseString(raw);
    case 'object':
      if (raw === null) return ABSENT;
      return error(`expected a number-like scalar, got ${Array.isArray(raw) ? 'a list' : 'an object'}`);
    default:
      return error(`expected a number-like scalar, got ${typeof raw}`);
  }
}

function parseString(raw: string): ValueResult {
  if (raw.length > MAX_VALUE_STRING) return error(`expected a number-like string, got a string longer than ${MAX_VALUE_STRING} characters`);
  const s = raw.trim();
  if (s === '') return ABSENT;
  if (PLAIN_NUMBER.test(s)) {
    const n = Number(s);
    return Number.isFinite(n) ? value(n) : error('expected a finite number, got an out-of-range number');
  }
  const lower = s.toLowerCase();
  if (lower === 'true') return value(1);
  if (lower === 'false') return value(0);
  if (lower === 'unknown') return ABSENT;
  const t = parseTimestamp(s);
  // Go's zero time means "never set": no series, as for a missing field.
  if (t !== undefined) return isGoZeroTime(t) ? ABSENT : value(t.seconds);
  const q = parseQuantity(s);
  if (q !== undefined) return value(q);
  const d = parseDuration(s);
  if (d !== undefined) return value(d);
  return error('expected a number, boolean, True/False, RFC 3339 time, quantity or duration; got an unparseable string');
}
