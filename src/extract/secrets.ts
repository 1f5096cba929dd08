// The credential shapes crotel redacts by default, in every string it exports (labels, span
// names and attributes, event messages and reasons, self-metric labels, log lines):
//
//   PEM private key blocks              -----BEGIN … PRIVATE KEY----- … (to END, or the end)
//   URL user info                       postgres://REDACTED@db:5432/app
//   user:password@host (no scheme)      REDACTED@db:5432 (Go MySQL DSNs: REDACTED@tcp(db:3306)/app)
//   key=value / key: value secrets      password=, Pwd=, AccountKey=, SharedAccessSignature=, sig=,
//                                       token=, secret=, apikey=, "password": "…" (libpq, JDBC,
//                                       ADO.NET, query strings, JSON, YAML)
//   Authorization values                Bearer REDACTED, Basic REDACTED
//   JSON Web Tokens                     eyJ….eyJ….sig
//   well-known token prefixes           AKIA…/ASIA… (AWS), AIza… (GCP), ghp_…, github_pat_…,
//                                       glpat-…, xoxb-…, sk_live_…
//   Secret data in a JSON object        every value of data/stringData of a "kind":"Secret"
//                                       document (kubectl's last-applied-configuration)
//
// Every rule is a single forward scan (no backtracking regex over unbounded input), so the
// whole pass is linear in the input; callers bound the input (see redact.ts).

export const REDACTED = 'REDACTED';

/** Characters that end a token (URL, DSN, bare secret value). */
function isStop(c: number): boolean {
  // whitespace and controls, ", ', <, >, `
  return c <= 0x20 || c === 0x22 || c === 0x27 || c === 0x3c || c === 0x3e || c === 0x60;
}

// A cheap test that lets the common label value ("True", "postgres", "14.2") skip every rule.
const TRIGGER = /[@=:]|-----|eyJ|A(?:KIA|SIA|Iza)|bearer|basic|gh[pousr]_|github_pat_|glpat-|xox[abprs]-|[sr]k_live_/i;

/** Applies every built-in rule. Linear in `text`. */
export function redactSecrets(text: string): string {
  if (text === '' || !TRIGGER.test(text)) return text;
  let v = text;
  v = redactPemBlocks(v);
  v = redactSecretDocument(v);
  v = redactUserInfo(v);
  v = redactKeyValues(v);
  v = redactAuthSchemes(v);
  v = redactJwts(v);
  v = redactTokenPrefixes(v);
  return v;
}

// --- PEM ---------------------------------------------------------------------------------------

export function redactPemBlocks(v: string): string {
  let i = v.indexOf('-----BEGIN ');
  if (i < 0) return v;
  let out = '';
  let copied = 0;
  while (i >= 0) {
    const headerEnd = v.indexOf('-----', i + 11);
    if (headerEnd < 0) break;
    const label = v.slice(i + 11, headerEnd);
    if (!label.includes('PRIVATE KEY') || label.length > 64) {
      i = v.indexOf('-----BEGIN ', headerEnd + 5);
      continue;
    }
    const endMarker = v.indexOf('-----END ', headerEnd + 5);
    let end = v.length;
    if (endMarker >= 0) {
      const close = v.indexOf('-----', endMarker + 9);
      end = close >= 0 ? close + 5 : v.length;
    }
    out += v.slice(copied, i) + REDACTED;
    copied = end;
    i = v.indexOf('-----BEGIN ', end);
  }
  return out + v.slice(copied);
}

// --- URL user info and user:password@host -------------------------------------------------------

/**
 * In every token holding an `@`: with a scheme, the user info from `://` to the token's LAST `@`
 * (passwords with unescaped `@`, `/`, `#` are covered); without one, everything before the last
 * `@` when it holds a `:` (`user:password@host`). Emails (no `:`) are kept.
 */
export function redactUserInfo(v: string): string {
  if (!v.includes('@')) return v;
  let out = '';
  let copied = 0;
  let i = 0;
  const n = v.length;
  while (i < n) {
    while (i < n && isStop(v.charCodeAt(i))) i++;
    const start = i;
    let at = -1;
    while (i < n && !isStop(v.charCodeAt(i))) {
      if (v.charCodeAt(i) === 0x40) at = i;
      i++;
    }
    if (at < 0) continue;
    // Every `://` before the last `@`: the first one starts the user info.
    const scheme = v.indexOf('://', start);
    if (scheme >= 0 && scheme < at) {
      out += v.slice(copied, scheme + 3) + REDACTED;
      copied = at;
      continue;
    }
    // No scheme: a DSN-ish token after a separator (`dsn=app:pw@db`, `(app:pw@db)`).
    let from = start;
    for (let k = at - 1; k >= start; k--) {
      const c = v.charCodeAt(k);
      if (c === 0x3d || c === 0x28 || c === 0x2c || c === 0x3b || c === 0x5b || c === 0x7b) { // = ( , ; [ {
        from = k + 1;
        break;
      }
    }
    // `user:password@`, also `:password@` (Redis) — a password after the colon.
    const colon = v.indexOf(':', from);
    if (colon >= from && colon < at - 1) {
      out += v.slice(copied, from) + REDACTED;
      copied = at;
    }
  }
  return copied === 0 ? v : out + v.slice(copied);
}

// --- key=value secrets --------------------------------------------------------------------------

// Substrings of a key (lower-cased, `-`/`.` kept) that make its value a secret.
const SECRET_KEY_PARTS = [
  'password', 'passwd', 'passphrase', 'pwd', 'secret', 'token', 'apikey', 'api_key', 'api-key',
  'accesskey', 'access_key', 'access-key', 'privatekey', 'private_key', 'private-key', 'accountkey',
  'sharedaccesskey', 'sharedaccesssignature', 'signature', 'credential', 'authorization', 'auth_key',
  'session_key', 'client_key', 'signing_key', 'encryption_key',
];
// Keys that name a secret rather than hold one (secretName, tokenSecretRef, passwordFile, tokenType).
const NAMING_SUFFIXES = ['name', 'ref', 'file', 'path', 'type', 'kind', 'namespace', 'length', 'expiry', 'expires', 'ttl', 'count', 'used'];
// Whole keys that are secrets only as themselves (Azure SAS `sig=`, `pass=`, `key=` in DSNs).
const SECRET_KEYS = new Set(['sig', 'pass', 'pw', 'key', 'auth', 'x-amz-security-token', 'x-goog-signature']);

const isKeyChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2d || c === 0x2e;

export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase();
  if (SECRET_KEYS.has(k)) return true;
  if (!SECRET_KEY_PARTS.some((p) => k.includes(p))) return false;
  const tail = k.replace(/[-_.]/g, '');
  return !NAMING_SUFFIXES.some((s) => tail.endsWith(s));
}

// Where an unquoted value ends; SAS and Authorization values run further (see below).
function valueEnd(v: string, from: number, key: string): number {
  const k = key.toLowerCase();
  const wide = k === 'sharedaccesssignature' || k === 'authorization';
  let i = from;
  while (i < v.length) {
    const c = v.charCodeAt(i);
    if (c === 0x0a || c === 0x0d || c === 0x22 || c === 0x27 || c === 0x60) break; // newline, quotes
    if (wide ? c === 0x3b || c === 0x2c : isStop(c) || c === 0x3b || c === 0x26 || c === 0x2c || c === 0x29 || c === 0x7d || c === 0x5d) break; // ; & , ) } ]
    i++;
  }
  return i;
}

/** `key=value`, `key: value`, `"key": "value"` (also JSON-escaped `\"key\":\"value\"`) with a secret key. */
export function redactKeyValues(v: string): string {
  if (!v.includes('=') && !v.includes(':')) return v;
  let out = '';
  let copied = 0;
  let i = 0;
  const n = v.length;
  while (i < n) {
    const c = v.charCodeAt(i);
    if (c !== 0x3d && c !== 0x3a) {
      i++;
      continue;
    }
    // Back over closing quotes/backslashes and spaces, then the key itself (at most 64 chars).
    let k = i - 1;
    let back = 0;
    while (k >= copied && back < 4 && (v[k] === '"' || v[k] === "'" || v[k] === '\\' || v[k] === ' ')) {
      k--;
      back++;
    }
    const keyEnd = k + 1;
    let steps = 0;
    while (k >= copied && steps < 64 && isKeyChar(v.charCodeAt(k))) {
      k--;
      steps++;
    }
    const key = v.slice(k + 1, keyEnd);
    // `://` is a scheme, not a key: the user-info rule owns URLs.
    if (key === '' || (c === 0x3a && v.startsWith('//', i + 1)) || !isSecretKey(key)) {
      i++;
      continue;
    }
    let s = i + 1;
    while (s < n && (v[s] === ' ' || v[s] === '\t')) s++;
    let quote = '';
    if (v.startsWith('\\"', s)) quote = '\\"';
    else if (v[s] === '"' || v[s] === "'") quote = v[s]!;
    let start = s + quote.length;
    let end: number;
    if (quote !== '') {
      end = closingQuote(v, start, quote);
    } else {
      // A nested document (`"secret": {`) is left to the rules for its own keys.
      if (v[s] === '{' || v[s] === '[') {
        i = s;
        continue;
      }
      start = s;
      end = valueEnd(v, s, key);
    }
    if (end > start) {
      out += v.slice(copied, start) + REDACTED;
      copied = end;
    }
    i = Math.max(end, i + 1);
  }
  return copied === 0 ? v : out + v.slice(copied);
}

// The end of a quoted value: its closing quote (backslash escapes skipped), or the end of text.
function closingQuote(v: string, from: number, quote: string): number {
  if (quote === '\\"') {
    const e = v.indexOf('\\"', from);
    return e < 0 ? v.length : e;
  }
  for (let i = from; i < v.length; i++) {
    const c = v[i];
    if (c === '\\') i++;
    else if (c === quote) return i;
  }
  return v.length;
}

// --- Authorization schemes ----------------------------------------------------------------------

const TOKEN68 = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e || c === 0x2b || c === 0x2f || c === 0x3d;

/** `Bearer <token>` / `Basic <token>` where the token looks like one (not "Basic authentication"). */
export function redactAuthSchemes(v: string): string {
  const scheme = /(?:bearer|basic)[ \t]+/gi;
  let out = '';
  let copied = 0;
  for (let m = scheme.exec(v); m !== null; m = scheme.exec(v)) {
    const i = m.index;
    const s = i + m[0].length;
    let e = s;
    while (e < v.length && TOKEN68(v.charCodeAt(e))) e++;
    const token = v.slice(s, e);
    if ((i === 0 || !isKeyChar(v.charCodeAt(i - 1))) && token.length >= 8 && looksLikeToken(token)) {
      out += v.slice(copied, s) + REDACTED;
      copied = e;
    }
    scheme.lastIndex = Math.max(e, s);
  }
  return copied === 0 ? v : out + v.slice(copied);
}

/** Digits, symbols or inner capitals: not an English word. */
function looksLikeToken(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if ((c >= 0x30 && c <= 0x39) || (i > 0 && c >= 0x41 && c <= 0x5a) || c === 0x2b || c === 0x2f || c === 0x3d || c === 0x2e || c === 0x5f || c === 0x2d || c === 0x7e) return true;
  }
  return false;
}

// --- JWTs and well-known token prefixes ---------------------------------------------------------

const B64URL = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x5f;

/** `eyJ<header>.<payload>[.<signature>]`. */
export function redactJwts(v: string): string {
  let i = v.indexOf('eyJ');
  if (i < 0) return v;
  let out = '';
  let copied = 0;
  while (i >= 0) {
    let e = i;
    let dots = 0;
    for (;;) {
      const partStart = e;
      while (e < v.length && B64URL(v.charCodeAt(e))) e++;
      if (e === partStart && dots > 0) break;
      if (v[e] === '.' && dots < 2) {
        dots++;
        e++;
        continue;
      }
      break;
    }
    if (dots >= 1 && e - i >= 16 && (i === 0 || !B64URL(v.charCodeAt(i - 1)))) {
      out += v.slice(copied, i) + REDACTED;
      copied = e;
    }
    i = v.indexOf('eyJ', Math.max(e, i + 3));
  }
  return copied === 0 ? v : out + v.slice(copied);
}

// Prefix, then at least `min` characters of the token alphabet.
const PREFIXES: readonly { readonly prefix: string; readonly min: number; readonly upperOnly?: boolean }[] = [
  { prefix: 'AKIA', min: 16, upperOnly: true }, { prefix: 'ASIA', min: 16, upperOnly: true },
  { prefix: 'AIza', min: 30 }, { prefix: 'ghp_', min: 20 }, { prefix: 'gho_', min: 20 }, { prefix: 'ghu_', min: 20 },
  { prefix: 'ghs_', min: 20 }, { prefix: 'ghr_', min: 20 }, { prefix: 'github_pat_', min: 20 }, { prefix: 'glpat-', min: 20 },
  { prefix: 'xoxb-', min: 10 }, { prefix: 'xoxp-', min: 10 }, { prefix: 'xoxa-', min: 10 }, { prefix: 'xoxr-', min: 10 },
  { prefix: 'xoxs-', min: 10 }, { prefix: 'sk_live_', min: 16 }, { prefix: 'rk_live_', min: 16 },
];

export function redactTokenPrefixes(v: string): string {
  for (const { prefix, min, upperOnly } of PREFIXES) {
    let i = v.indexOf(prefix);
    if (i < 0) continue;
    let out = '';
    let copied = 0;
    while (i >= 0) {
      let e = i + prefix.length;
      const ok = upperOnly ? (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) : B64URL;
      while (e < v.length && ok(v.charCodeAt(e))) e++;
      if (e - i - prefix.length >= min && (i === 0 || !B64URL(v.charCodeAt(i - 1)))) {
        out += v.slice(copied, i) + REDACTED;
        copied = e;
      }
      i = v.indexOf(prefix, Math.max(e, i + 1));
    }
    if (copied > 0) v = out + v.slice(copied);
  }
  return v;
}

// --- Secret documents ---------------------------------------------------------------------------

/** Objects bigger than this are not parsed (the text rules still run over them). */
export const MAX_SECRET_DOCUMENT = 1 << 20;
const MAX_DEPTH = 64;

/**
 * A JSON document holding a Kubernetes Secret (kubectl's last-applied-configuration annotation,
 * or a List with one): every value of its data and stringData, whatever the keys are called.
 * Left as written unless something was redacted (then re-serialized compactly).
 */
export function redactSecretDocument(v: string): string {
  if (!/\\?"kind\\?"\s*:\s*\\?"Secret\\?"/.test(v)) return v;
  // Embedded in other text (a message, a map printed by kube-state-metrics), cut, or too big to
  // parse: blank the data/stringData objects by scanning.
  if (v.trimStart()[0] !== '{' || v.length > MAX_SECRET_DOCUMENT) return redactSecretDataText(v);
  let doc: unknown;
  try {
    doc = JSON.parse(v);
  } catch {
    return redactSecretDataText(v);
  }
  let changed = false;
  const walk = (node: unknown, depth: number): void => {
    if (depth > MAX_DEPTH || typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) {
      for (const item of node) walk(item, depth + 1);
      return;
    }
    const o = node as Record<string, unknown>;
    if (o.kind === 'Secret') {
      for (const field of ['data', 'stringData']) {
        const data = o[field];
        if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
          const d = data as Record<string, unknown>;
          for (const key of Object.keys(d)) {
            d[key] = REDACTED;
            changed = true;
          }
        }
      }
    }
    for (const key of Object.keys(o)) walk(o[key], depth + 1);
  };
  walk(doc, 0);
  if (!changed) return v;
  return JSON.stringify(doc) + (v.endsWith('\n') ? '\n' : '');
}

// Secret JSON that is not a whole document: each data/stringData value (an object, matched
// brace by brace, strings skipped; or a scalar) becomes REDACTED, to the end when unterminated.
function redactSecretDataText(v: string): string {
  const key = /\\?"(?:data|stringData)\\?"\s*:\s*/g;
  let out = '';
  let copied = 0;
  for (let m = key.exec(v); m !== null; m = key.exec(v)) {
    const start = m.index + m[0].length;
    let end = v.length;
    if (v[start] === '{') {
      let depth = 0;
      let inString = false;
      for (let i = start; i < v.length; i++) {
        const c = v[i];
        if (inString) {
          if (c === '\\' && v[i + 1] !== '"') i++;
          else if (c === '"') inString = false;
        } else if (c === '"') {
          inString = true;
        } else if (c === '{') {
          depth++;
        } else if (c === '}' && --depth === 0) {
          end = i + 1;
          break;
        }
      }
    } else {
      let i = start;
      while (i < v.length && v[i] !== ',' && v[i] !== '}') i++;
      end = i;
    }
    out += v.slice(copied, start) + REDACTED;
    copied = end;
    key.lastIndex = Math.max(end, start);
  }
  return copied === 0 ? v : out + v.slice(copied);
}
