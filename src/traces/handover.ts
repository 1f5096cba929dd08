// Which replica ships a span, with leader election: every replica tracks every object, and the
// changes are split between leaders' terms by resourceVersion, through the Lease. A leader writes
// into the Lease, at each renewal, the highest resourceVersion it has observed ("spans through R");
// once that write succeeded, the spans of changes up to R are its own and it ships them. A replica
// that takes the lease over reads its predecessor's last R and owns what came after it. So a
// change belongs to exactly one term whatever the timing — a leader frozen (SIGSTOP) or cut off
// from the apiserver, a takeover gap — and the spans of the gap are shipped by the successor,
// which tracked them as a follower and held them here, instead of being lost.
//
// Resource versions are etcd revisions, one counter for every kind (LeaderElector.leadsAt); a span
// whose change has no integer resourceVersion (an apiserver not backed by etcd, an episode ended by
// the timeout sweep) is shipped by whoever leads when it is made, as before.
//
// A relist collapses a known object's changes since its previous state into one: the transition
// happened somewhere in (previous resourceVersion, listed resourceVersion], not at a known point.
// Its span is ours only if that whole range lies in our terms; where the range reaches into
// another term, that term's leader saw the real transition (or nobody did: a loss in a blind
// spell), and shipping our guess would deliver it twice. Both ends matter: a replica back from a
// blind spell in a new term must not ship what its predecessor saw (range begins before the term),
// and a leader frozen past its term must not ship what its successor saw (range ends after it).
import { revisionOf } from '../kube/leader.ts';
import type { SpanRecord } from './episodes.ts';

export interface HandoverOptions {
  /** Hands a span this replica owns to the shipper. */
  readonly ship: (span: SpanRecord) => void;
  /** Spans held at most (a follower holds about one renewal period of them; more while the leader is frozen). */
  readonly maxHeld: number;
  /** Spans dropped because the hold was full (the oldest go first). */
  readonly onDropped: (count: number) => void;
  /** Whether this replica leads now (for spans that carry no resourceVersion). */
  readonly leading: () => boolean;
  /**
   * The hold is half full while this replica leads: its own spans wait for a renewal to confirm
   * them (a watch backlog after a reconnect can bring hundreds within one retry period). Asks for
   * that renewal now rather than at the next period, before the hold overflows.
   */
  readonly onPressure?: () => void;
}

interface Held {
  readonly rv: bigint;
  /** For a relist-collapsed change: the previous state's version (the change lies in (since, rv]). */
  readonly since?: bigint;
  readonly span: SpanRecord;
}

/** Terms kept to place late observations (a leader whose watch lagged sees its term's last changes after it ended). */
const PAST_TERMS = 8;


export class SpanHandover {
  private readonly options: HandoverOptions;
  private held: Held[] = [];
  /**
   * The current term: changes in (start, confirmed] are ours; later ones wait for the next renewal.
   * `from` is the predecessor's last report; `start` is later when this process began to see after it.
   */
  private term?: { from: bigint; start: bigint; confirmed: bigint };
  /** Ended terms of this replica, (from, to]. */
  private readonly past: { from: bigint; to: bigint }[] = [];
  /** Where this replica's last term began and how far it was confirmed (what `ourTermEnd` extends). */
  private lastTerm?: { start: bigint; confirmed: bigint };
  /** Another holder has confirmed its spans through this: held spans up to it are not ours. */
  private othersThrough = -1n;
  /** The highest resourceVersion offered (what a renewal reports). */
  private observed?: bigint;
  /**
   * Where this process began to see every change: its first complete list. A replica that
   * started (or restarted) after its predecessor's last report never saw the changes between the
   * two; it leaves them to a follower that held them (see `unseen`).
   */
  private continuity?: bigint;
  dropped = 0;

  constructor(options: HandoverOptions) {
    this.options = options;
  }

  /**
   * What a write into the Lease reports: the highest resourceVersion observed — nothing before
   * this process has listed once (it cannot vouch for changes it may not have seen).
   */
  get through(): bigint | undefined {
    if (this.continuity === undefined) return undefined;
    return this.observed !== undefined && this.observed > this.continuity ? this.observed : this.continuity;
  }

  /** The current term's changes that this process never saw, (from, start]: a follower ships their spans. */
  get unseen(): { from: bigint; to: bigint } | undefined {
    return this.term && this.term.start > this.term.from ? { from: this.term.from, to: this.term.start } : undefined;
  }

  /** Where a term taking over from a report of `from` would begin (written into the Lease with the takeover). */
  startAfter(from: bigint): bigint {
    return this.continuity !== undefined && this.continuity > from ? this.continuity : from;
  }

  /** A complete list of a watched resource at `rv` (only the first one counts: it is where this process began to see). */
  listed(rv: string | undefined): void {
    const revision = revisionOf(rv);
    if (this.continuity === undefined && revision !== undefined) this.continuity = revision;
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** Notes a change observed at `rv`, whether or not it made a span (what a renewal reports). */
  observe(rv: string | undefined): void {
    const revision = revisionOf(rv);
    if (revision !== undefined && (this.observed === undefined || revision > this.observed)) this.observed = revision;
  }

  /**
   * A span made while observing the change stored at `rv`; `since`: a relist collapsed the
   * object's changes since its previous state, stored at `since`, into this one.
   */
  offer(span: SpanRecord, rv: string | undefined, since?: string): void {
    const revision = revisionOf(rv);
    if (revision === undefined) {
      if (this.options.leading()) this.options.ship(span);
      return;
    }
    const from = revisionOf(since);
    const held: Held = from !== undefined && from < revision ? { rv: revision, since: from, span } : { rv: revision, span };
    if (this.ours(held)) {
      this.options.ship(span);
      return;
    }
    if (revision <= this.othersThrough || (this.term && revision <= this.term.start)) return; // another term's
    // Begins before the current term: partly another term's, never wholly ours.
    if (held.since !== undefined && this.term && held.since < this.term.start && !this.isPast(held.since + 1n)) return;
    this.held.push(held);
    if (this.term && this.held.length * 2 >= this.options.maxHeld) this.options.onPressure?.();
    const excess = this.held.length - this.options.maxHeld;
    if (excess > 0) {
      this.held.splice(0, excess);
      this.dropped += excess;
      this.options.onDropped(excess);
    }
  }

  /** This replica took the lease over from a term that had reported through `from`. */
  tookOver(from: bigint): void {
    this.endTerm();
    // Fixed now, so the range a follower ships for us never overlaps what we ship.
    const start = this.startAfter(from);
    this.term = { from, start, confirmed: start };
    // What the predecessor reported through was its to ship; what came before we saw, a follower's.
    this.held = this.held.filter((h) => h.rv > start);
  }

  /** A renewal (or the takeover, or the release) stored `through` in the Lease: ship what it covers. */
  confirmed(through: bigint): void {
    if (!this.term || through <= this.term.confirmed) return;
    this.term.confirmed = through;
    const keep: Held[] = [];
    for (const h of this.held) {
      if (this.ours(h)) this.options.ship(h.span);
      // a collapsed change inside the confirmed range that is still not ours reaches into another term
      else if (h.rv > through) keep.push(h);
    }
    this.held = keep;
  }

  /** The term ended (lease lost or released): later changes are the successor's, unless we lead again. */
  endTerm(): void {
    if (!this.term) return;
    if (this.term.confirmed > this.term.start) this.remember({ from: this.term.start, to: this.term.confirmed });
    this.lastTerm = { start: this.term.start, confirmed: this.term.confirmed };
    this.term = undefined;
  }

  /**
   * Another replica holds the lease and has reported through `through`: held spans up to it are
   * its own — except those of changes it never saw (`unseen`: it started after its predecessor's
   * last report), which this replica ships if it held them. `ourTermEnd`: the holder took over
   * from us, after our report of it — more than we knew was stored when a renewal's answer was
   * lost; the changes up to it were ours.
   */
  otherReported(through: bigint, unseen?: { from: bigint; to: bigint }, ourTermEnd?: bigint): void {
    this.endTerm();
    const last = this.lastTerm;
    if (last && ourTermEnd !== undefined && ourTermEnd > last.confirmed) {
      this.remember({ from: last.confirmed > last.start ? last.confirmed : last.start, to: ourTermEnd });
      last.confirmed = ourTermEnd;
      this.shipPast();
    }
    if (unseen && unseen.to > unseen.from && !this.isPast(unseen.to)) {
      this.remember(unseen);
      this.shipPast();
    }
    if (through <= this.othersThrough) return;
    this.othersThrough = through;
    this.held = this.held.filter((h) => h.rv > through);
  }

  /** Ships the held spans that fall in a remembered range. */
  private shipPast(): void {
    const keep: Held[] = [];
    for (const h of this.held) {
      if (this.ours(h)) this.options.ship(h.span);
      else keep.push(h);
    }
    this.held = keep;
  }

  private remember(range: { from: bigint; to: bigint }): void {
    this.past.push(range);
    if (this.past.length > PAST_TERMS) this.past.shift();
  }

  /** Whether a held change is this replica's: every version it may lie at (one, unless a relist collapsed it). */
  private ours(h: Held): boolean {
    // Walk (from, rv] through our ranges, (start, confirmed] and the past terms: each step must
    // begin inside one of them. A single change is the range of one version.
    let cursor = h.since ?? h.rv - 1n;
    while (cursor < h.rv) {
      const next = cursor + 1n;
      let end: bigint | undefined;
      if (this.term && next > this.term.start && next <= this.term.confirmed) end = this.term.confirmed;
      for (const t of this.past) if (next > t.from && next <= t.to && (end === undefined || t.to > end)) end = t.to;
      if (end === undefined) return false;
      cursor = end;
    }
    return true;
  }

  private isPast(rv: bigint): boolean {
    return this.past.some((t) => rv > t.from && rv <= t.to);
  }
}
