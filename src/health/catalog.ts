// The built-in catalog: per-kind rules for operators' kinds, as YAML data files in catalog/
// (one per operator or project), read once on first use. Lookup is by API group and kind, with
// group wildcards (`*.crossplane.io`) and `*` kinds, most specific first.

import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { catalogFileSchema, type CatalogEntry } from './schema.ts';

const DIR = new URL('./catalog/', import.meta.url);

export interface CatalogHit {
  readonly entry: CatalogEntry;
  readonly file: string;
}

interface Index {
  readonly exact: Map<string, CatalogHit>;
  /** Wildcard groups (`*.crossplane.io` → suffix `.crossplane.io`) and `*` kinds, in file order. */
  readonly patterns: { readonly suffix: string | undefined; readonly group: string; readonly kind: string; readonly hit: CatalogHit }[];
  readonly entries: readonly CatalogHit[];
}

let index: Index | undefined;

/** Every catalog file parsed and shape-checked; a broken file is a bug in crotel, so it throws. */
export function loadCatalog(): Index {
  if (index) return index;
  const exact = new Map<string, CatalogHit>();
  const patterns: Index['patterns'] = [];
  const entries: CatalogHit[] = [];
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort()) {
    const parsed = catalogFileSchema.safeParse(parse(readFileSync(new URL(file, DIR), 'utf8')));
    if (!parsed.success) throw new Error(`health catalog ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    for (const entry of parsed.data) {
      const hit = { entry, file };
      entries.push(hit);
      for (const kind of entry.kinds) {
        if (entry.group.startsWith('*') || kind === '*') {
          patterns.push({ suffix: entry.group.startsWith('*') ? entry.group.slice(1) : undefined, group: entry.group, kind, hit });
        } else {
          const key = `${entry.group}/${kind}`;
          if (exact.has(key)) throw new Error(`health catalog ${file}: ${key} is already defined in ${exact.get(key)?.file}`);
          exact.set(key, hit);
        }
      }
    }
  }
  index = { exact, patterns, entries };
  return index;
}

function rank(p: Index['patterns'][number], group: string, kind: string): number | undefined {
  const groupMatches = p.suffix === undefined ? p.group === group : group.endsWith(p.suffix) && group.length > p.suffix.length;
  if (!groupMatches) return undefined;
  if (p.kind !== '*' && p.kind !== kind) return undefined;
  // Exact group beats a wildcard group; a named kind beats `*`; longer suffixes are more specific.
  return (p.suffix === undefined ? 1_000_000 : p.suffix.length * 10) + (p.kind === '*' ? 0 : 5);
}

/** The catalog's rules for a kind, or undefined when the generic rules are all there is. */
export function catalogLookup(group: string, kind: string): CatalogHit | undefined {
  const idx = loadCatalog();
  const exact = idx.exact.get(`${group}/${kind}`);
  if (exact) return exact;
  let best: { score: number; hit: CatalogHit } | undefined;
  for (const p of idx.patterns) {
    const score = rank(p, group, kind);
    if (score !== undefined && (!best || score > best.score)) best = { score, hit: p.hit };
  }
  return best?.hit;
}
