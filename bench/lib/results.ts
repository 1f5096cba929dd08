// Kept results: the JSON a scenario writes with --json (bench/results/ keeps the ones the README
// quotes), read back and flattened into named figures so two runs can be compared figure by figure.
import { readFileSync } from 'node:fs';

export const RESULTS_DIR = new URL('../results/', import.meta.url);

export function readResults(file: string | URL): unknown {
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

/** Keys that name an element of an array of runs (a variant, a round, a figure) better than its index. */
const IDENTITY = ['name', 'process', 'variant', 'mode', 'bin', 'who', 'round', 'encoding'] as const;
/** Longer arrays without names are raw samples (a queue timeline, every write): not figures. */
const MAX_UNNAMED = 10;

/** Every number in a result, by path (`scrapes.medianMs`, `figures[name=watch decode].medianMs`), in document order. */
export function flattenFigures(value: unknown, path = '', out = new Map<string, number>()): Map<string, number> {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) out.set(path, value);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const id = identityOf(item);
      if (id === undefined && value.length > MAX_UNNAMED) return;
      flattenFigures(item, `${path}[${id ?? i}]`, out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) flattenFigures(item, path === '' ? key : `${path}.${key}`, out);
  }
  return out;
}

function identityOf(item: unknown): string | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined;
  const record = item as Record<string, unknown>;
  const parts = IDENTITY.filter((k) => typeof record[k] === 'string' || typeof record[k] === 'number').map((k) => `${k}=${String(record[k])}`);
  return parts.length > 0 ? parts.join(',') : undefined;
}

export interface FigureDelta {
  readonly figure: string;
  readonly old?: number;
  readonly new?: number;
  /** (new − old) / old, in %; undefined when either is missing or old is 0. */
  readonly deltaPercent?: number;
}

/** Figures of two results side by side: those of the old one in its order, then those only the new one has. */
export function compareFigures(oldResult: unknown, newResult: unknown): FigureDelta[] {
  const a = flattenFigures(oldResult);
  const b = flattenFigures(newResult);
  const rows: FigureDelta[] = [];
  for (const [figure, old] of a) {
    const next = b.get(figure);
    rows.push({ figure, old, ...(next !== undefined ? { new: next } : {}), ...(next !== undefined && old !== 0 ? { deltaPercent: ((next - old) / Math.abs(old)) * 100 } : {}) });
  }
  for (const [figure, next] of b) if (!a.has(figure)) rows.push({ figure, new: next });
  return rows;
}

/** A figure as a person reads it: four significant digits, thousands separated. */
export function formatFigure(value: number | undefined): string {
  if (value === undefined) return '—';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(value) || 1)));
  return value.toLocaleString('en-US', { maximumFractionDigits: Math.min(6, digits), minimumFractionDigits: 0 });
}

export function formatDelta(percent: number | undefined): string {
  if (percent === undefined) return '—';
  if (percent === 0) return '~';
  return `${percent > 0 ? '+' : '−'}${Math.abs(percent).toFixed(Math.abs(percent) < 10 ? 1 : 0)}%`;
}
