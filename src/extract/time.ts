// RFC 3339 timestamps (the form Kubernetes writes), with fractional seconds and offsets; also the
// ISO 8601 basic offset `+0000` some operators write (Strimzi), which is unambiguous.
// Date.parse is not used: it accepts many non-RFC forms and silently guesses time zones.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

export interface Timestamp {
  /** Whole epoch milliseconds (fraction below 1 ms dropped). */
  readonly epochMs: number;
  /** Unix seconds with the full fraction, e.g. 1698400800.149106. */
  readonly seconds: number;
}

/**
 * Go's zero time.Time (`0001-01-01T00:00:00Z`), which Go operators write for "never set" (a
 * metav1.Time that was not filled in). crotel's own readers treat it as absent; the
 * kube-state-metrics path keeps kube-state-metrics' number for it.
 */
export function isGoZeroTime(t: Timestamp): boolean {
  return t.epochMs === GO_ZERO_MS;
}
const GO_ZERO_MS = -62135596800000;

export function parseTimestamp(text: string): Timestamp | undefined {
  if (text.length > 40) return undefined;
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', , sign, oh = '0', om = '0'] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  const hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return undefined;
  if (Number(oh) > 23 || Number(om) > 59) return undefined;
  // Date.UTC reads years 0-99 as 1900-1999; setUTCFullYear takes the year as given.
  const base = new Date(0).setUTCFullYear(year, month - 1, day) + (hour * 60 + minute) * 60_000;
  // Reject impossible days (Feb 30): Date.UTC would roll them into the next month.
  if (new Date(base).getUTCDate() !== day) return undefined;
  const offsetMin = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const wholeSeconds = base / 1000 + second - offsetMin * 60;
  const fraction = frac === '' ? 0 : Number(`0.${frac}`);
  const ms = frac === '' ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  return { epochMs: wholeSeconds * 1000 + ms, seconds: wholeSeconds + fraction };
}
