// Walks the config schema to list the keys allowed at a path, so an unknown-key error can say
// what was expected ("one of the keys group, version, kind, …") instead of only what was wrong.

import { configSchema } from './schema.ts';

// The few fields of zod's internal definitions this walk reads; zod 4 keeps them under `_zod.def`.
interface Def {
  type: string;
  innerType?: Walkable;
  in?: Walkable;
  shape?: Record<string, Walkable>;
  element?: Walkable;
  valueType?: Walkable;
}
interface Walkable {
  _zod: { def: Def };
}

function unwrap(s: Walkable): Walkable {
  for (let i = 0; i < 20; i++) {
    const d = s._zod.def;
    const next = d.type === 'pipe' ? d.in : d.innerType;
    if (!next) return s;
    s = next;
  }
  return s;
}

export function allowedKeysAt(path: readonly PropertyKey[]): string[] {
  let s: Walkable | undefined = unwrap(configSchema as unknown as Walkable);
  for (const seg of path) {
    if (!s) return [];
    const d: Def = s._zod.def;
    if (d.type === 'object' && typeof seg === 'string') s = d.shape?.[seg];
    else if (d.type === 'array') s = d.element;
    else if (d.type === 'record') s = d.valueType;
    else return [];
    if (s) s = unwrap(s);
  }
  const shape = s?._zod.def.type === 'object' ? s._zod.def.shape : undefined;
  return shape ? Object.keys(shape) : [];
}
