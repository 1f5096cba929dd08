// Verdict objects shared between objects: most objects are judged by one of a few rules with one
// of a few reasons, so a Snapshot points at a shared verdict instead of carrying its own.

import type { Health } from '../model.ts';
import { intern } from '../extract/intern.ts';
import type { Verdict } from './types.ts';

const MAX_SHARED = 20_000;
const shared = new Map<string, Verdict>();

export function verdict(state: Health, rule: string, detail?: string): Verdict {
  const key = `${state}\u0000${rule}\u0000${detail ?? ''}`;
  const known = shared.get(key);
  if (known !== undefined) return known;
  const v: Verdict = detail === undefined || detail === '' ? { state, rule: intern(rule) } : { state, rule: intern(rule), detail: intern(detail) };
  if (shared.size < MAX_SHARED) shared.set(key, v);
  return v;
}

/** `degraded: generic: Ready=False (DoesNotExist)` — what --explain prints. */
export function explainVerdict(v: Verdict): string {
  return `${v.state}: ${v.rule}${v.detail !== undefined ? ` (${v.detail})` : ''}`;
}
