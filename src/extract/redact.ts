// Keeps credentials out of everything crotel exports: the built-in credential shapes of
// secrets.ts plus the config's own `redact` patterns, which run in RE2JS (linear time, so no
// pattern can stall the process on a hostile value; backreferences and lookaround are refused
// at validate, see config/patterns.ts).
//
// Redaction happens BEFORE any truncation. A value longer than MAX_REDACT_INPUT is first cut
// back to a token boundary (whitespace, quote, separator), so the token across the cut is dropped
// whole instead of being half-scanned: a URL or key=value across the cut cannot leak a prefix.

// config/patterns.ts, not config/index.ts: the config schema imports the metric kinds, which
// import this module.
import { compileRedactPattern } from '../config/patterns.ts';
import { REDACTED, redactSecretDocument, redactSecrets } from './secrets.ts';

export type Redactor = (value: string) => string;

export { REDACTED };
/** Longest text the rules read; every exported string is capped far below this afterwards. */
export const MAX_REDACT_INPUT = 16 * 1024;

// Separators a cut may fall back to.
function isBoundary(c: number): boolean {
  return c <= 0x20 || c === 0x22 || c === 0x27 || c === 0x2c || c === 0x3b || c === 0x26 || c === 0x3c || c === 0x3e || c === 0x60;
}

/** The first MAX_REDACT_INPUT characters, less the partial token at the cut. */
export function boundedInput(value: string, max = MAX_REDACT_INPUT): string {
  if (value.length <= max) return value;
  let end = max;
  while (end > 0 && !isBoundary(value.charCodeAt(end))) end--;
  return value.slice(0, end);
}

/** Built-in redaction only (no config patterns). */
export function redact(value: string): string {
  if (value.length > MAX_REDACT_INPUT) {
    // A Secret document is recognised whole (its keys may sit past the cut), then bounded.
    value = boundedInput(redactSecretDocument(value));
  }
  return redactSecrets(value);
}

const cache = new Map<string, Redactor>();

/** Built-in redaction, then each extra pattern (compiled once, RE2 semantics) replaced by REDACTED. */
export function createRedactor(patterns: readonly string[] = []): Redactor {
  if (patterns.length === 0) return redact;
  const key = patterns.join('\u0000');
  const known = cache.get(key);
  if (known) return known;
  const compiled = patterns.map(compileRedactPattern);
  const r = (value: string): string => {
    let v = redact(value);
    for (const re of compiled) v = re.matcher(v).replaceAll(REDACTED);
    return v;
  };
  cache.set(key, r);
  return r;
}

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair. */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  const code = value.charCodeAt(max - 1);
  return value.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** Redacts, then caps: the one order every exported string goes through. */
export function exportText(value: string, redactor: Redactor, max: number): string {
  return truncate(redactor(value), max);
}
