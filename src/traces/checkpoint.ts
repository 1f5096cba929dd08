// The open episodes as one Lease annotation: the leader writes them with each renewal, and a
// replica that (re)starts reads them before its first list, so an object it first sees in the
// middle of an episode continues that episode's trace (EpisodeTracker.resume) rather than being
// guessed at from its status. Compact JSON rows, gzip, base64; bounded so the Lease stays small
// (annotations share 256 KiB): past the bound the most recent episodes are kept — an older one a
// restart cannot place falls back to the guess.
import { gunzipSync, gzipSync } from 'node:zlib';
import type { EpisodeMark, EpisodeTrigger } from './episodes.ts';

/** Encoded bytes at most (the Lease's other annotations are small). */
export const MAX_CHECKPOINT_BYTES = 128 * 1024;

const TRIGGERS: readonly EpisodeTrigger[] = ['created', 'spec_change', 'degraded'];

type Row = [uid: string, trigger: number, key: string, startMs: number, changed: 0 | 1];

function encodeRows(rows: readonly Row[]): string {
  return gzipSync(JSON.stringify(rows), { level: 6 }).toString('base64');
}

/** The marks as an annotation value, the most recent first, cut to `maxBytes`. */
export function encodeCheckpoint(marks: readonly EpisodeMark[], maxBytes = MAX_CHECKPOINT_BYTES): string {
  const rows: Row[] = [...marks]
    .sort((a, b) => b.startMs - a.startMs)
    .map((m) => [m.uid, TRIGGERS.indexOf(m.trigger), m.key, m.startMs, m.changed ? 1 : 0]);
  const whole = encodeRows(rows);
  if (whole.length <= maxBytes) return whole;
  // The most rows that fit: a binary search over the count (each probe one encoding).
  let fits = 0;
  let fitsText = encodeRows([]);
  let tooMany = rows.length;
  while (tooMany - fits > 1) {
    const mid = Math.floor((fits + tooMany) / 2);
    const text = encodeRows(rows.slice(0, mid));
    if (text.length <= maxBytes) {
      fits = mid;
      fitsText = text;
    } else {
      tooMany = mid;
    }
  }
  return fitsText;
}

/** The marks of an annotation value; anything malformed (an older or foreign writer) gives none. */
export function decodeCheckpoint(value: string): EpisodeMark[] {
  let rows: unknown;
  try {
    rows = JSON.parse(gunzipSync(Buffer.from(value, 'base64'), { maxOutputLength: 16 * MAX_CHECKPOINT_BYTES }).toString('utf8'));
  } catch {
    return [];
  }
  if (!Array.isArray(rows)) return [];
  const marks: EpisodeMark[] = [];
  for (const row of rows as unknown[]) {
    if (!Array.isArray(row) || row.length !== 5) continue;
    const [uid, trigger, key, startMs, changed] = row as unknown[];
    const t = typeof trigger === 'number' ? TRIGGERS[trigger] : undefined;
    if (typeof uid !== 'string' || t === undefined || typeof key !== 'string' || typeof startMs !== 'number' || !Number.isFinite(startMs)) continue;
    marks.push({ uid, trigger: t, key, startMs, changed: changed === 1 });
  }
  return marks;
}
