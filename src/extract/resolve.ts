// Walks a parsed path through a decoded object. Only own properties are read, so a field named
// `constructor` or `__proto__` in a path or an object never reaches into prototypes.

import type { PathSegment } from '../config/index.ts';

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at the path, or undefined when any step is missing or of the wrong shape. */
export function resolvePath(root: unknown, segments: readonly PathSegment[]): unknown {
  let cur: unknown = root;
  for (const seg of segments) {
    if (seg.kind === 'field') {
      if (!isPlainObject(cur) || !Object.hasOwn(cur, seg.name)) return undefined;
      cur = cur[seg.name];
    } else if (seg.kind === 'index') {
      if (!Array.isArray(cur) || seg.index >= cur.length) return undefined;
      cur = cur[seg.index];
    } else {
      if (!Array.isArray(cur)) return undefined;
      cur = cur.find((item) => isPlainObject(item) && Object.hasOwn(item, seg.key) && scalarString(item[seg.key]) === seg.value);
    }
  }
  return cur;
}

/** A scalar as the string comparisons and labels use; undefined for objects, lists, null. */
export function scalarString(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    default:
      return undefined;
  }
}
