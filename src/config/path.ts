// Field paths into an object, parsed once at config load so the extractor only walks segments.
// Syntax: `status.phase`, `status.conditions[0]`, `status.conditions[type=Ready].status`,
// `metadata.annotations['cnpg.io/hibernation']` or `metadata.annotations."cnpg.io/hibernation"`.

export type PathSegment =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  /** First list item that is an object whose `key` field, as a scalar string, equals `value`. */
  | { readonly kind: 'filter'; readonly key: string; readonly value: string };

export interface FieldPath {
  /** The path as written in the config, for error messages and self-metrics. */
  readonly text: string;
  readonly segments: readonly PathSegment[];
}

export type PathParseResult =
  | { readonly ok: true; readonly path: FieldPath }
  | { readonly ok: false; readonly error: string };

const MAX_PATH_LENGTH = 1024;
// Characters that end an unquoted field name.
const FIELD_STOP = new Set(['.', '[', ']', '"', "'"]);

export function parsePath(text: string): PathParseResult {
  const fail = (at: number, what: string): PathParseResult => ({
    ok: false,
    error: `invalid path ${JSON.stringify(text)} at character ${at + 1}: ${what}`,
  });
  if (text.length === 0) return { ok: false, error: 'invalid path: empty' };
  if (text.length > MAX_PATH_LENGTH) return { ok: false, error: `invalid path: longer than ${MAX_PATH_LENGTH} characters` };
  if (text.startsWith('.')) return fail(0, "must not start with '.' (write status.phase, not .status.phase)");

  const segments: PathSegment[] = [];
  let i = 0;
  // True where a field name may start: at the beginning and right after a '.'.
  let expectField = true;
  while (i < text.length) {
    const c = text[i];
    if (expectField) {
      if (c === '"' || c === "'") {
        const q = readQuoted(text, i);
        if (!q.ok) return fail(i, q.error);
        if (q.value.length === 0) return fail(i, 'empty quoted key');
        segments.push({ kind: 'field', name: q.value });
        i = q.end;
      } else if (c === '[') {
        if (segments.length > 0) return fail(i, "expected a field name after '.'");
        const b = readBracket(text, i);
        if (!b.ok) return fail(i, b.error);
        segments.push(b.segment);
        i = b.end;
      } else {
        const start = i;
        while (i < text.length && !FIELD_STOP.has(text[i] as string)) i++;
        if (i === start) return fail(i, c === '.' ? "empty field name ('..')" : `unexpected ${JSON.stringify(c)}`);
        const name = text.slice(start, i);
        if (/\s/.test(name)) return fail(start, 'field names must not contain whitespace (quote the key)');
        segments.push({ kind: 'field', name });
      }
      expectField = false;
      continue;
    }
    if (c === '.') {
      if (i === text.length - 1) return fail(i, "path must not end with '.'");
      expectField = true;
      i++;
    } else if (c === '[') {
      const b = readBracket(text, i);
      if (!b.ok) return fail(i, b.error);
      segments.push(b.segment);
      i = b.end;
    } else {
      return fail(i, `expected '.' or '[', got ${JSON.stringify(c)}`);
    }
  }
  return { ok: true, path: { text, segments } };
}

/** Parses a path known to be valid (built-in paths); throws on a programming error. */
export function mustParsePath(text: string): FieldPath {
  const r = parsePath(text);
  if (!r.ok) throw new Error(r.error);
  return r.path;
}

type Quoted = { ok: true; value: string; end: number } | { ok: false; error: string };

// Reads a '...' or "..." string starting at `start`; a backslash escapes the next character.
function readQuoted(text: string, start: number): Quoted {
  const quote = text[start];
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\') {
      if (i + 1 >= text.length) break;
      value += text[i + 1];
      i++;
    } else if (c === quote) {
      return { ok: true, value, end: i + 1 };
    } else {
      value += c;
    }
  }
  return { ok: false, error: `unterminated quote ${quote}` };
}

type Bracket = { ok: true; segment: PathSegment; end: number } | { ok: false; error: string };

// Reads `[N]`, `['key']`, `["key"]` or `[key=value]` starting at the '['.
function readBracket(text: string, start: number): Bracket {
  const i = start + 1;
  const c = text[i];
  if (c === '"' || c === "'") {
    const q = readQuoted(text, i);
    if (!q.ok) return q;
    if (text[q.end] !== ']') return { ok: false, error: "expected ']' after quoted key" };
    if (q.value.length === 0) return { ok: false, error: 'empty quoted key' };
    return { ok: true, segment: { kind: 'field', name: q.value }, end: q.end + 1 };
  }
  const indexMatch = /^(\d+)\]/.exec(text.slice(i, i + 24));
  if (indexMatch) {
    const index = Number(indexMatch[1]);
    if (!Number.isSafeInteger(index)) return { ok: false, error: 'list index too large' };
    return { ok: true, segment: { kind: 'index', index }, end: i + (indexMatch[0] as string).length };
  }
  const keyMatch = /^([^\s.[\]"'=]+)=/.exec(text.slice(i, i + MAX_PATH_LENGTH));
  if (!keyMatch) return { ok: false, error: "expected [N], [key=value] or ['quoted key']" };
  const key = keyMatch[1] as string;
  const v = i + (keyMatch[0] as string).length;
  let value: string;
  let close: number;
  if (text[v] === '"' || text[v] === "'") {
    // Quoted filter values may hold ']' or '.', e.g. [name='a.b'].
    const q = readQuoted(text, v);
    if (!q.ok) return q;
    value = q.value;
    close = q.end;
    if (text[close] !== ']') return { ok: false, error: "expected ']' after quoted filter value" };
  } else {
    close = text.indexOf(']', v);
    if (close < 0) return { ok: false, error: "unterminated '['" };
    value = text.slice(v, close);
    if (/[[\s'"]/.test(value)) return { ok: false, error: 'quote filter values that hold spaces, quotes or brackets' };
  }
  if (value.length === 0) return { ok: false, error: 'empty filter value' };
  return { ok: true, segment: { kind: 'filter', key, value }, end: close + 1 };
}
