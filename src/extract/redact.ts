// Keeps credentials out of everything crotel exports: the user info of any URL
// (`postgres://user:pass@host` → `postgres://REDACTED@host`) plus the config's own patterns.
// Hand-written scan rather than a regex: linear on hostile input, and it runs per label value.

export type Redactor = (value: string) => string;

export const REDACTED = 'REDACTED';
// Longer strings are cut before redaction so a hostile value cannot make it slow; every caller
// truncates to far less afterwards, so nothing past this point could be exported anyway.
const MAX_REDACT_INPUT = 8192;

// Characters that end a URL-ish token.
function isStop(c: number): boolean {
  // whitespace, ", ', <, >, `
  return c <= 0x20 || c === 0x22 || c === 0x27 || c === 0x3c || c === 0x3e || c === 0x60;
}

/**
 * Replaces URL user info with REDACTED. The user info runs from `://` to the LAST `@` of the
 * token, so passwords holding unescaped `@`, `/` or `#` are still covered; a URL with `@` in its
 * path loses a bit more than needed, which is the safe side to err on.
 */
export function redact(value: string): string {
  if (value.length > MAX_REDACT_INPUT) value = value.slice(0, MAX_REDACT_INPUT);
  let i = value.indexOf('://');
  if (i < 0) return value;
  let out = '';
  let copied = 0;
  while (i >= 0) {
    const start = i + 3;
    let end = start;
    let at = -1;
    while (end < value.length && !isStop(value.charCodeAt(end))) {
      if (value.charCodeAt(end) === 0x40) at = end; // '@'
      end++;
    }
    if (at >= start) {
      out += value.slice(copied, start) + REDACTED;
      copied = at;
    }
    i = value.indexOf('://', Math.max(end, start));
  }
  return out + value.slice(copied);
}

/** Built-in redaction, then each extra pattern (compiled here, once) replaced by REDACTED. */
export function createRedactor(patterns: readonly string[] = []): Redactor {
  if (patterns.length === 0) return redact;
  const regexes = patterns.map((p) => new RegExp(p, 'g'));
  return (value: string): string => {
    let v = redact(value);
    for (const re of regexes) v = v.replace(re, REDACTED);
    return v;
  };
}

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair. */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  const code = value.charCodeAt(max - 1);
  return value.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}
