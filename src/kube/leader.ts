// Lease-based leader election (coordination.k8s.io/v1), client-go's algorithm: acquire or renew
// every retryPeriod; a lease whose record has not changed for leaseDuration — measured on our own
// clock since we last saw it change, so clock skew between replicas does not matter — may be
// taken over. On stop the lease is released so a standby takes over at once. The apiserver is
// reached through a LeaseClient and time read from a Clock, so unit tests drive it with fakes.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ApiServer } from './credentials.ts';
import { sleepOn, systemClock, type Clock } from './clock.ts';
import { KubeHttpError, kubeGetJson, kubeSendJson } from './http.ts';

export interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/**
 * Reads and writes one Lease. get() gives undefined for 404; update() throws on a conflict (409).
 * create() and update() give the Lease the server stored (its new resourceVersion), when known.
 */
export interface LeaseClient {
  get(signal: AbortSignal): Promise<Lease | undefined>;
  create(lease: Lease, signal: AbortSignal): Promise<Lease | void>;
  update(lease: Lease, signal: AbortSignal): Promise<Lease | void>;
}

export function kubeLeaseClient(kc: ApiServer, namespace: string, name: string): LeaseClient {
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  const path = `${collection}/${encodeURIComponent(name)}`;
  return {
    async get(signal) {
      try {
        return await kubeGetJson<Lease>(kc, path, signal);
      } catch (error) {
        if (error instanceof KubeHttpError && error.code === 404) return undefined;
        throw error;
      }
    },
    create: (lease, signal) => kubeSendJson<Lease>(kc, 'POST', collection, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', ...lease }, signal),
    update: (lease, signal) => kubeSendJson<Lease>(kc, 'PUT', path, lease, signal),
  };
}

export interface LeaderElectionOptions {
  readonly apiServer?: ApiServer;
  /** Instead of the kubeconfig's apiserver (tests). */
  readonly leaseClient?: LeaseClient;
  readonly clock?: Clock;
  readonly namespace: string;
  readonly name: string;
  readonly identity?: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /**
   * Each acquire-or-renew attempt (a GET and a PUT) gives up after this long (default: half the
   * renew deadline, at most 5 s) — never the HTTP client's own timeout (undici: 300 s), during
   * which a stalled leader would go on leading beside the one that took over.
   */
  readonly requestTimeoutMs?: number;
  readonly onChange: (leading: boolean) => void;
  readonly onError?: (error: unknown) => void;
  /** Splits span shipping between terms through the Lease (traces/handover.ts). */
  readonly handover?: HandoverHooks;
}

/** What leader election tells the span handover, and asks it (see traces/handover.ts). */
export interface HandoverHooks {
  /** The highest resourceVersion observed so far: reported in the Lease at each write. */
  readonly through: bigint | undefined;
  /** Where a term taking over from `from` begins: later when this process began to see after it. */
  startAfter(from: bigint): bigint;
  /** The current term's changes this process never saw. */
  readonly unseen: { from: bigint; to: bigint } | undefined;
  tookOver(from: bigint): void;
  confirmed(through: bigint): void;
  endTerm(): void;
  otherReported(through: bigint, unseen?: { from: bigint; to: bigint }, ourTermEnd?: bigint): void;
}

/**
 * Lease annotations of the handover: the holder's spans are shipped through this resourceVersion;
 * the changes of its term it never saw (it started after its predecessor's report), for a follower.
 */
export const SPANS_THROUGH = 'crotel.io/spans-through';
const UNSEEN = 'crotel.io/unseen';
/**
 * Written with a takeover: whom the term took over from, and the report it started after. The
 * predecessor learns from them where its own term ended — later than its last answered write
 * when a renewal was stored but its answer was lost (a timeout, a reset connection).
 */
const PREDECESSOR = 'crotel.io/predecessor';
/** The leader's open episodes (traces/checkpoint.ts), for a replica that (re)starts mid-episode. */
export const OPEN_EPISODES = 'crotel.io/open-episodes';
const PREDECESSOR_THROUGH = 'crotel.io/predecessor-through';

/** A resourceVersion as an etcd revision; undefined when it is not one (an apiserver not backed by etcd). */
export function revisionOf(rv: string | undefined): bigint | undefined {
  return rv !== undefined && /^\d+$/.test(rv) ? BigInt(rv) : undefined;
}

function annotatedRevision(lease: Lease): bigint | undefined {
  return revisionOf(lease.metadata.annotations?.[SPANS_THROUGH]);
}

function annotatedUnseen(lease: Lease): { from: bigint; to: bigint } | undefined {
  const m = /^(\d+)-(\d+)$/.exec(lease.metadata.annotations?.[UNSEEN] ?? '');
  return m ? { from: BigInt(m[1]!), to: BigInt(m[2]!) } : undefined;
}

/** Where the holder of `lease` says our term ended, when it took the lease over from us. */
function ourTermEnd(lease: Lease, identity: string): bigint | undefined {
  const annotations = lease.metadata.annotations;
  return annotations?.[PREDECESSOR] === identity ? revisionOf(annotations[PREDECESSOR_THROUGH]) : undefined;
}

/** `predecessor`: a takeover's (null: a takeover of a released lease, whose earlier predecessor no longer applies; undefined: a renewal keeps them). */
function handoverAnnotations(lease: Lease, through: bigint, unseen: { from: bigint; to: bigint } | undefined, predecessor?: { identity: string; through: bigint } | null): Lease['metadata'] {
  const annotations: Record<string, string> = { ...lease.metadata.annotations, [SPANS_THROUGH]: String(through) };
  if (unseen) annotations[UNSEEN] = `${unseen.from}-${unseen.to}`;
  else delete annotations[UNSEEN];
  if (predecessor) {
    annotations[PREDECESSOR] = predecessor.identity;
    annotations[PREDECESSOR_THROUGH] = String(predecessor.through);
  } else if (predecessor === null) {
    delete annotations[PREDECESSOR];
    delete annotations[PREDECESSOR_THROUGH];
  }
  return { ...lease.metadata, annotations };
}

const maxOf = (a: bigint, b: bigint | undefined): bigint => (b !== undefined && b > a ? b : a);

function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private readonly options: LeaderElectionOptions;
  private readonly client: LeaseClient;
  private readonly clock: Clock;
  readonly identity: string;
  private leading = false;
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  private observedRecord = '';
  /** Monotonic ms when the lease record was last seen to change. */
  private observedAt = 0;
  /** Monotonic ms when the last successful acquire-or-renew attempt began (the lease runs from then at the latest). */
  private lastRenew = -Infinity;
  /** Monotonic ms when the last acquire-or-renew attempt began. */
  private lastAttempt = -Infinity;
  /** The resourceVersion of the write by which this replica took the lease over (see leadsAt). */
  private tookOverAt?: bigint;
  /** The spans-through of this replica's last Lease write that was answered (its term's confirmed end). */
  private reportedThrough?: bigint;
  private handover?: HandoverHooks;
  /** Wakes the retry sleep early (renewSoon). */
  private wake?: AbortController;
  /** The open episodes to write with each renewal (attachCheckpoint). */
  private checkpoint?: () => string;

  constructor(options: LeaderElectionOptions) {
    this.options = options;
    if (options.leaseClient) this.client = options.leaseClient;
    else if (options.apiServer) this.client = kubeLeaseClient(options.apiServer, options.namespace, options.name);
    else throw new Error('LeaderElector: give a leaseClient or a apiServer');
    this.clock = options.clock ?? systemClock;
    this.identity = options.identity ?? `${hostname()}_${randomBytes(4).toString('hex')}`;
    if (options.handover) this.handover = options.handover;
  }

  /**
   * Leading, and the last successful renewal began less than the renew deadline ago. The time is
   * checked here, not only in the loop: a process resumed from SIGSTOP (or starved) after the
   * lease ran out must not emit before its loop has run and re-confirmed the lease.
   */
  get isLeader(): boolean {
    return this.leading && this.clock.monotonic() - this.lastRenew < this.renewDeadline;
  }

  /**
   * Whether a change the apiserver stored at resourceVersion `rv` is this leader's to report: it
   * is leading, and the change came after the write by which it took the lease over. A replica
   * that takes over observes, after the takeover, changes from before it (a watch that was behind,
   * a backlog replayed after a reconnect, a relist): those belonged to the previous leader's term,
   * which reported them if it was alive — reporting them again would double them. Resource
   * versions are etcd revisions, one counter for every kind; where one is not an integer (an
   * apiserver not backed by etcd) nothing is held back.
   */
  leadsAt(rv: string | undefined): boolean {
    if (!this.isLeader) return false;
    const revision = revisionOf(rv);
    if (revision === undefined || this.tookOverAt === undefined) return true;
    return revision > this.tookOverAt;
  }

  /** client-go's 10 s, but always below the lease duration (a 3 s lease: 2 s), or a stalled
   *  leader would still lead when another replica may already take over. */
  private get renewDeadline(): number {
    return this.options.renewDeadlineMs ?? Math.min(10_000, (this.options.leaseDurationMs ?? 15_000) * 2 / 3);
  }

  /** The span handover, when the pipeline makes one after the elector exists (set before start). */
  attachHandover(handover: HandoverHooks): void {
    this.handover = handover;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Writes `encode()` (the tracker's open episodes) into the Lease with each write of this leader. */
  attachCheckpoint(encode: () => string): void {
    this.checkpoint = encode;
  }

  /** The open episodes the Lease holds (its last leader's), read once before this process lists. */
  async readCheckpoint(timeoutMs = this.options.requestTimeoutMs ?? 5000): Promise<string | undefined> {
    const lease = await this.client.get(AbortSignal.timeout(timeoutMs));
    return lease?.metadata.annotations?.[OPEN_EPISODES];
  }

  /** The Lease's metadata with this leader's open episodes, when a checkpoint is attached. */
  private withCheckpoint(metadata: Lease['metadata']): Lease['metadata'] {
    if (!this.checkpoint) return metadata;
    return { ...metadata, annotations: { ...metadata.annotations, [OPEN_EPISODES]: this.checkpoint() } };
  }

  /**
   * A leader renews now instead of at the next retry period (the span handover's hold is filling
   * with changes that wait for a renewal to confirm them); at most one attempt per 250 ms.
   */
  renewSoon(): void {
    if (this.leading && this.clock.monotonic() - this.lastAttempt >= 250) this.wake?.abort();
  }

  /** Stops campaigning; a leader releases the lease so another replica can take over at once. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    if (this.leading) {
      // Released first, so the release can report (and this term ship) the last changes seen.
      await this.release().catch((error: unknown) => this.options.onError?.(error));
      this.setLeading(false);
    }
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    if (!leading) this.handover?.endTerm();
    this.options.onChange(leading);
  }

  private async run(): Promise<void> {
    const retry = this.options.retryPeriodMs ?? Math.min(2000, this.renewDeadline / 2);
    const timeoutMs = this.options.requestTimeoutMs ?? Math.min(5000, this.renewDeadline / 2);
    while (!this.abort.signal.aborted) {
      const began = this.clock.monotonic();
      this.lastAttempt = began;
      const attempt = new AbortController();
      const onStop = (): void => attempt.abort(this.abort.signal.reason);
      this.abort.signal.addEventListener('abort', onStop, { once: true });
      const timer = this.clock.setTimer(() => attempt.abort(new Error(`lease request: no answer within ${timeoutMs} ms`)), timeoutMs);
      try {
        const ok = await this.tryAcquireOrRenew(attempt.signal);
        if (ok) this.lastRenew = began;
        this.setLeading(ok);
      } catch (error) {
        if (this.abort.signal.aborted) break;
        this.options.onError?.(attempt.signal.aborted && attempt.signal.reason instanceof Error ? attempt.signal.reason : error);
        // A leader that cannot renew within the deadline must stop acting as one.
        if (this.leading && this.clock.monotonic() - this.lastRenew >= this.renewDeadline) this.setLeading(false);
      } finally {
        timer.cancel();
        this.abort.signal.removeEventListener('abort', onStop);
      }
      const wake = new AbortController();
      this.wake = wake;
      const onStopSleep = (): void => wake.abort();
      this.abort.signal.addEventListener('abort', onStopSleep, { once: true });
      if (this.abort.signal.aborted) wake.abort();
      await sleepOn(this.clock, retry, wake.signal);
      this.abort.signal.removeEventListener('abort', onStopSleep);
    }
  }

  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const now = this.clock.now();
    const seenAt = this.clock.monotonic();
    const durationSeconds = Math.round((this.options.leaseDurationMs ?? 15_000) / 1000);
    const lease = await this.client.get(signal);
    const handover = this.handover;
    // Before its first list a replica sees nothing: leading then, it would claim the changes since
    // the last report — which it never saw, and which a follower that watched them would then
    // drop. It follows until it can vouch for something (a term then starts where its view does).
    const blind = handover !== undefined && handover.through === undefined;
    if (!lease) {
      if (blind) return false;
      // No term before this one: every change observed so far is this leader's.
      const through = maxOf(0n, handover?.through);
      this.tookOver(await this.client.create({
        metadata: this.withCheckpoint({ name: this.options.name, namespace: this.options.namespace, ...(handover ? { annotations: { [SPANS_THROUGH]: String(through) } } : {}) }),
        spec: { holderIdentity: this.identity, leaseDurationSeconds: durationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
      }, signal), 0n, through);
      if (handover) this.reportedThrough = through;
      return true;
    }
    const record = JSON.stringify(lease.spec);
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = seenAt;
    }
    const holder = lease.spec.holderIdentity ?? '';
    const expired = seenAt - this.observedAt > (lease.spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    const reported = annotatedRevision(lease);
    if (holder !== this.identity && reported !== undefined) handover?.otherReported(reported, annotatedUnseen(lease), ourTermEnd(lease, this.identity));
    if (holder !== '' && holder !== this.identity && !expired) return false;
    const takingOver = holder !== this.identity;
    if (takingOver && blind) return false;
    // Our own lease, but we stepped down (no renewal within the deadline) and no one took it
    // meanwhile: a new term of ours, from the last report we know was stored (the Lease may say
    // more, by a write of ours whose answer was lost: what it reported is still ours to ship).
    const resuming = !takingOver && !this.leading;
    // A takeover continues from what the previous term reported (an older crotel's lease has no
    // such annotation: then from the takeover write itself, as leadsAt always did).
    const from = takingOver ? reported : resuming ? this.reportedThrough ?? reported : undefined;
    const through = maxOf(reported ?? 0n, handover?.through);
    let unseen = handover?.unseen;
    if (handover && (takingOver || resuming) && from !== undefined) {
      const start = handover.startAfter(from);
      unseen = start > from ? { from, to: start } : undefined;
    }
    const stored = await this.client.update({
      ...lease,
      metadata: this.withCheckpoint(handover ? handoverAnnotations(lease, through, unseen, !takingOver ? undefined : holder !== '' && reported !== undefined ? { identity: holder, through: reported } : null) : lease.metadata),
      spec: {
        holderIdentity: this.identity,
        leaseDurationSeconds: durationSeconds,
        acquireTime: takingOver ? microTime(now) : lease.spec.acquireTime ?? microTime(now),
        renewTime: microTime(now),
        leaseTransitions: (lease.spec.leaseTransitions ?? 0) + (takingOver && holder !== '' ? 1 : 0),
      },
    }, signal); // a 409 (someone else won the race) throws: not leader this round
    if (takingOver || resuming) this.tookOver(stored, from, through);
    else handover?.confirmed(through);
    if (handover) this.reportedThrough = through;
    return true;
  }

  /**
   * Remembers where this term began; renewals keep it (no one else led meanwhile): the previous
   * term's report when there is one, else the takeover write's own resourceVersion.
   */
  private tookOver(stored: Lease | void, from: bigint | undefined, through: bigint): void {
    const rv = stored?.metadata.resourceVersion;
    this.tookOverAt = from ?? revisionOf(rv);
    const handover = this.handover;
    if (handover && this.tookOverAt !== undefined) {
      handover.tookOver(this.tookOverAt);
      handover.confirmed(through);
    }
  }

  private async release(): Promise<void> {
    const signal = AbortSignal.timeout(this.options.requestTimeoutMs ?? 5000);
    const lease = await this.client.get(signal);
    if (lease?.spec.holderIdentity !== this.identity) return;
    const handover = this.handover;
    const through = maxOf(annotatedRevision(lease) ?? 0n, handover?.through);
    await this.client.update({
      ...lease,
      ...(handover ? { metadata: handoverAnnotations(lease, through, handover.unseen) } : {}),
      spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.clock.now()) },
    }, signal);
    // The release reports the last changes this replica saw: the next leader starts after them.
    handover?.confirmed(through);
  }
}
