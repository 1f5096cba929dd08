// Reads `status.conditions` in either shape operators write: the conventional list of
// {type, status, …} or a map of type → {status, …} (or type → status). Text is redacted and
// capped; the first condition of a type wins and later duplicates are reported. A condition with
// no status is skipped without an error: operators write informational ones that way.

import { intern } from './intern.ts';
import type { ConditionSnapshot, ExtractionError } from '../model.ts';
import type { Redactor } from './redact.ts';
import { truncate } from './redact.ts';
import { isPlainObject } from './resolve.ts';
import { MAX_LABEL_VALUE } from './labels.ts';
import { isGoZeroTime, parseTimestamp } from './time.ts';

export const MAX_CONDITION_TEXT = 512;
// More conditions than this on one object is a bug upstream; cap memory and series.
export const MAX_CONDITIONS = 64;
// Longest map key quoted in an error path.
const MAX_PATH_KEY = 64;

export function readConditions(raw: unknown, pathText: string, redactor: Redactor, errors: ExtractionError[]): ConditionSnapshot[] {
  if (raw === undefined || raw === null) return [];
  const out: ConditionSnapshot[] = [];
  const seen = new Set<string>();
  let overflow = false;
  const add = (type: unknown, body: unknown, at: string): void => {
    const c = readOne(type, body, at, redactor, errors);
    if (c === undefined) return;
    // Keyed by the type as exported (label cap, Unicode repaired): two types equal there would be one series.
    const exported = exportedType(c.type);
    if (seen.has(exported)) {
      errors.push({ path: at, reason: 'duplicate condition type; the first one is used' });
      return;
    }
    if (out.length >= MAX_CONDITIONS) {
      // One error for the list, not one per extra entry: a hostile list cannot flood the counter.
      if (!overflow) errors.push({ path: pathText, reason: `more than ${MAX_CONDITIONS} conditions; the rest are ignored` });
      overflow = true;
      return;
    }
    seen.add(exported);
    out.push(c);
  };

  // Entries past this many are not read at all (bounded work per object).
  const readable = MAX_CONDITIONS * 4;
  if (Array.isArray(raw)) {
    const n = Math.min(raw.length, readable);
    for (let i = 0; i < n && !overflow; i++) {
      const item: unknown = raw[i];
      const at = `${pathText}[${i}]`;
      if (!isPlainObject(item)) errors.push({ path: at, reason: 'expected a condition object' });
      else add(item.type, item, at);
    }
    if (raw.length > n && !overflow) errors.push({ path: pathText, reason: `more than ${MAX_CONDITIONS} conditions; the rest are ignored` });
  } else if (isPlainObject(raw)) {
    let i = 0;
    for (const type in raw) {
      if (!Object.hasOwn(raw, type)) continue;
      if (i++ >= readable || overflow) {
        if (!overflow) errors.push({ path: pathText, reason: `more than ${MAX_CONDITIONS} conditions; the rest are ignored` });
        break;
      }
      // The key is object data (it may be a DSN): redacted and capped before it names a path.
      add(type, raw[type], `${pathText}[${JSON.stringify(truncate(redactor(type), MAX_PATH_KEY))}]`);
    }
  } else {
    errors.push({ path: pathText, reason: `expected a list or map of conditions, got ${typeof raw}` });
  }
  return out;
}

function exportedType(type: string): string {
  return truncate(type, MAX_LABEL_VALUE).toWellFormed();
}

function readOne(type: unknown, body: unknown, at: string, redactor: Redactor, errors: ExtractionError[]): ConditionSnapshot | undefined {
  if (typeof type !== 'string' || type === '') {
    errors.push({ path: `${at}.type`, reason: 'expected a non-empty string condition type' });
    return undefined;
  }
  // Map form may hold the status directly: {Ready: "True"}.
  const fields = isPlainObject(body) ? body : { status: body };
  // Conditions without a status are a normal shape (Argo CD writes them): informational, no series.
  if (fields.status === undefined || fields.status === null || fields.status === '') return undefined;
  const status = statusText(fields.status);
  if (status === undefined) {
    errors.push({ path: `${at}.status`, reason: 'expected a string condition status' });
    return undefined;
  }
  const text = (v: string): string => truncate(redactor(v), MAX_CONDITION_TEXT);
  const c: { type: string; status: string; reason?: string; message?: string; since?: number } = {
    type: intern(text(type)),
    status: intern(text(status)),
  };
  if (typeof fields.reason === 'string' && fields.reason !== '') c.reason = intern(text(fields.reason));
  if (typeof fields.message === 'string' && fields.message !== '') c.message = intern(text(fields.message));
  if (typeof fields.lastTransitionTime === 'string') {
    const t = parseTimestamp(fields.lastTransitionTime);
    if (t !== undefined) {
      if (!isGoZeroTime(t)) c.since = t.epochMs; // Go's zero time: never set
    }
    else errors.push({ path: `${at}.lastTransitionTime`, reason: 'expected an RFC 3339 time' });
  }
  return c;
}

// Statuses are strings by convention; a YAML-typed boolean is read as True/False.
function statusText(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return undefined;
}
