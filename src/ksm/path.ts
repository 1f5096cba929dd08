// kube-state-metrics paths: a list of segments, each a map key, a list index (negative counts
// from the end), `[key=value]` (first list item whose key equals value, also as a number or
// boolean) or `key=value` (the map's value at key when it equals value). Compiled once; `get`
// runs per object and never throws. Own properties only, like src/extract's resolvePath.

import { isPlainObject } from '../extract/index.ts';
import { ksmFloat } from './values.ts';

type Op = (v: unknown) => unknown;

export interface KsmPath {
  /** The segments as written, for messages: `[status,conditions,[type=Ready]]`. */
  readonly text: string;
  readonly segments: readonly string[];
  get(root: unknown): unknown;
}

export type KsmPathResult = { readonly ok: true; readonly path: KsmPath } | { readonly ok: false; readonly error: string };

const own = (m: Record<string, unknown>, k: string): unknown => (Object.hasOwn(m, k) ? m[k] : undefined);

export function compileKsmPath(segments: readonly string[]): KsmPathResult {
  const ops: Op[] = [];
  for (const part of segments) {
    if (part.startsWith('[') && part.endsWith(']') && part.length >= 2) {
      const inner = part.slice(1, -1);
      const eq = inner.indexOf('=');
      if (eq < 0) return { ok: false, error: `invalid list lookup ${JSON.stringify(part)}: expected [key=value]` };
      ops.push(listLookup(inner.slice(0, eq), inner.slice(eq + 1)));
    } else {
      ops.push(fieldOrIndex(part));
    }
  }
  const text = `[${segments.join(',')}]`;
  const get = (root: unknown): unknown => {
    let cur = root;
    for (const op of ops) {
      if (cur === undefined || cur === null) return undefined;
      cur = op(cur);
    }
    return cur;
  };
  return { ok: true, path: { text, segments, get } };
}

/** For paths known to be valid (tests, built-ins). */
export function mustCompileKsmPath(segments: readonly string[]): KsmPath {
  const r = compileKsmPath(segments);
  if (!r.ok) throw new Error(r.error);
  return r.path;
}

function listLookup(key: string, value: string): Op {
  const asNumber = ksmFloat(value, false);
  const asBool = goParseBool(value);
  return (v) => {
    if (!Array.isArray(v)) return undefined;
    for (const item of v) {
      if (!isPlainObject(item) || !Object.hasOwn(item, key)) continue;
      const candidate = item[key];
      if (candidate === value) return item;
      if (asNumber.ok && candidate !== null) {
        const c = ksmFloat(candidate, false);
        if (c.ok && c.value === asNumber.value) return item;
      }
      if (asBool !== undefined && typeof candidate === 'boolean' && candidate === asBool) return item;
    }
    return undefined;
  };
}

function fieldOrIndex(part: string): Op {
  const kv = part.split('=');
  const index = goAtoi(part);
  return (v) => {
    if (isPlainObject(v)) {
      if (kv.length === 2) {
        const got = own(v, kv[0]!);
        if (got === kv[1]) return got;
      }
      return own(v, part);
    }
    if (Array.isArray(v)) {
      if (index === undefined) return undefined;
      const i = index < 0 ? index + v.length : index;
      return i >= 0 && i < v.length ? v[i] : undefined;
    }
    return undefined;
  };
}

/** Go's strconv.Atoi: optional sign, decimal digits, within int64. */
function goAtoi(s: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Go's strconv.ParseBool. */
function goParseBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}
