// One loop per watched collection that owns list → watch → relist, its backoff and its
// resourceVersion (client-go's Reflector, not client-node's informer, which stops for good on
// most errors). Consumers see only sink calls; nothing they throw escapes this loop. It talks
// to the apiserver only through a ListerWatcher and reads time only from a Clock, so every
// path (410, 404, backoff, bookmarks, batching) is unit-tested with fakes.
import type { ApiServer } from './credentials.ts';
import type { ResourceRef } from '../model.ts';
import { Backoff } from '../backoff.ts';
import { sleepOn, systemClock, type Clock } from './clock.ts';
import { coalescing } from './coalesce.ts';
import { ResourceNotServedError, type ResolvedResource } from './discovery.ts';
import { KubeHttpError } from './http.ts';
import { LineSplitter } from './lines.ts';
import { kubeListerWatcher, type ListerWatcher } from './lister-watcher.ts';
/** Receives the collection's contents. A full list arrives as begin → pages → end. */
export interface ReflectorSink {
  /**
   * A (re)list begins. `viewThrough`: the resourceVersion through which what this sink holds was
   * current (the last event, bookmark or list handled), when it holds a view: a change the list
   * then shows happened after it.
   */
  beginList(viewThrough?: string): void;
  listPage(items: readonly unknown[]): void;
  /** Everything not delivered since beginList() is gone: deleted at or before `resourceVersion`, the list's. */
  endList(resourceVersion?: string): void;
  upsert(object: unknown): void;
  remove(object: unknown): void;
}

export type ReflectorStage = 'discovery' | 'list' | 'watch' | 'handler' | 'decode';

/** Hooks for self-metrics and logs; all optional. */
export interface ReflectorObserver {
  listStarted?(): void;
  /** `resourceVersion`: the list's, from which the watch goes on. */
  listCompleted?(seconds: number, objects: number, resourceVersion?: string): void;
  watchStarted?(): void;
  watchEnded?(reason: string): void;
  relist?(reason: string): void;
  failed?(stage: ReflectorStage, error: unknown): void;
}

export interface ReflectorOptions {
  /** Where the collection comes from: an explicit ListerWatcher, else the kubeconfig's apiserver. */
  readonly listerWatcher?: ListerWatcher;
  readonly apiServer?: ApiServer;
  readonly clock?: Clock;
  readonly ref: ResourceRef;
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly sink: ReflectorSink;
  readonly observer?: ReflectorObserver;
  readonly pageSize?: number;
  /**
   * Server-side watch timeout (default 30 s), jittered ×[1, 1.5) so watches do not all restart
   * together. The apiserver ends the watch cleanly then: a healthy expiry, resumed at once from
   * the last resourceVersion (no relist, no replay). Short on purpose: see inactivityMs.
   */
  readonly watchTimeoutSeconds?: number;
  /**
   * Client-side: a watch that has received nothing for this long is presumed dead (a half-open
   * connection) and is torn down as a failure. Default: the watch's own timeoutSeconds + 10 s, so
   * a quiet watch (no events, and no bookmarks, as the Events watch, which bypasses the watch
   * cache) always ends by the server's timeout first, and a stalled one is noticed within ~55 s.
   * client-go gets this bound from HTTP/2 pings; crotel's watches are HTTP/1.1 streams.
   */
  readonly inactivityMs?: number;
  /**
   * A watch silent for this long (default 10 000; 0 = never) is checked: a second, short watch
   * from the last resourceVersion handled asks the server whether anything changed since. If the
   * server has a change the watch did not deliver, the watch is stale — a half-open connection,
   * or a stream stalled somewhere on the way — and is torn down at once (a failure) and resumed.
   * A quiet watch on a quiet collection costs one short request per period and is left alone.
   */
  readonly probeAfterMs?: number;
  /**
   * Watch events arriving within this long of the last batch handled wait and are handled
   * together (default 100; 0 = each at once); see coalesce.ts.
   */
  readonly coalesceMs?: number;
  readonly backoff?: Backoff;
}

/** `connecting`: the watch request is sent but the server has not answered 2xx yet. */
export type ReflectorState = 'starting' | 'discovering' | 'listing' | 'connecting' | 'watching' | 'backoff' | 'stopped';

interface WatchEvent {
  type?: string;
  object?: { metadata?: { resourceVersion?: string }; code?: number; reason?: string; message?: string };
}

type WatchOutcome = { readonly expired: boolean };

/** A batch of this many characters is handled without waiting for the coalescing window. */
const COALESCE_MAX_CHARS = 256 * 1024;
const DEFAULT_WATCH_TIMEOUT_S = 30;
const INACTIVITY_MARGIN_MS = 10_000;
/** The longest a server's Retry-After is obeyed as asked; the backoff's own cap. */
const RETRY_AFTER_MAX_MS = 30_000;

/**
 * A 429 or 5xx with Retry-After (priority and fairness, an apiserver still starting) says when to
 * come back, as client-go obeys it: waiting the grown backoff instead kept a collection blind for
 * seconds after the server was ready again, and escalating it for a refusal the server metered
 * would be wrong. The backoff is not advanced by such an answer.
 */
function serverAskedWait(error: unknown): number | undefined {
  if (!(error instanceof KubeHttpError) || error.retryAfterMs === undefined) return undefined;
  return Math.min(Math.max(error.retryAfterMs, 100), RETRY_AFTER_MAX_MS);
}

/** A watch that ran this long after the server answered counts as healthy (backoff reset). */
const HEALTHY_WATCH_MS = 10_000;
const DEFAULT_PROBE_AFTER_MS = 10_000;
/** A probe that has not answered in this long proves nothing (the inactivity bound still holds). */
const PROBE_TIMEOUT_MS = 5000;
/** How long (beyond its coalescing window) the watch may take to deliver a change a probe saw (see probe()). */
const PROBE_GRACE_MS = 1000;

export class Reflector {
  private readonly options: ReflectorOptions;
  private readonly lw: ListerWatcher;
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  private resolved?: ResolvedResource;
  /** Where the next watch starts: the last event (or bookmark) handled; undefined = relist. */
  private resourceVersion?: string;
  /** The last resourceVersion handled, kept across a relist (what beginList reports). */
  private viewThrough?: string;
  /** Set by a watch that made progress (an event, a bookmark, or a healthy run): reset backoff. */
  private progressed = false;
  state: ReflectorState = 'starting';
  /** True once a full list has been delivered. Stays true across relists. */
  synced = false;
  lastError?: string;

  constructor(options: ReflectorOptions) {
    this.options = options;
    if (options.listerWatcher) this.lw = options.listerWatcher;
    else if (options.apiServer) this.lw = kubeListerWatcher(options.apiServer);
    else throw new Error('Reflector: give a listerWatcher or a apiServer');
    this.clock = options.clock ?? systemClock;
    this.backoff = options.backoff ?? new Backoff(500, 30_000, () => this.clock.random());
  }

  get description(): string {
    const { ref, namespace } = this.options;
    return `${ref.group || 'core'}/${ref.version}/${ref.kind}${namespace ? ` in ${namespace}` : ''}`;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Ends the loop and any request or watch in flight; resolves once nothing more reaches the sink. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.state = 'stopped';
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      let stage: ReflectorStage = 'discovery';
      try {
        if (!this.resolved) {
          this.state = 'discovering';
          this.resolved = await this.lw.discover(this.options.ref, signal);
        }
        if (this.resourceVersion === undefined) {
          stage = 'list';
          this.state = 'listing';
          this.resourceVersion = await this.list(this.resolved, signal);
          this.viewThrough = this.resourceVersion || undefined;
          this.synced = true;
          this.lastError = undefined;
        }
        stage = 'watch';
        this.state = 'connecting';
        this.progressed = false;
        const outcome = await this.watch(this.resolved, this.resourceVersion, signal);
        if (outcome.expired) {
          // 410 Gone: our resourceVersion is older than etcd's compaction; only a relist recovers.
          this.resourceVersion = undefined;
          this.call(() => this.options.observer?.relist?.('expired'));
        }
        if (this.progressed) this.backoff.reset();
        this.lastError = undefined;
      } catch (error) {
        if (signal.aborted) break;
        // A watch that delivered events (or ran healthily) before it broke was progress: the next
        // reconnect waits the initial delay, not the delay grown by blips long past.
        if (stage === 'watch' && this.progressed) this.backoff.reset();
        this.lastError = describe(error);
        this.call(() => this.options.observer?.failed?.(stage, error));
        if (error instanceof ResourceNotServedError || (error instanceof KubeHttpError && error.code === 404)) {
          this.resolved = undefined; // the CRD may come (back) later: rediscover
          this.resourceVersion = undefined;
          this.viewThrough = undefined; // a collection that may come back new: no view to continue
        } else if (error instanceof KubeHttpError && error.code === 410) {
          this.resourceVersion = undefined;
          this.call(() => this.options.observer?.relist?.('expired'));
        }
        this.state = 'backoff';
        await sleepOn(this.clock, serverAskedWait(error) ?? this.backoff.next(), signal);
      }
    }
  }

  /** Paginated list; delivers pages as they come so a huge collection is never held at once. */
  private async list(resource: ResolvedResource, signal: AbortSignal): Promise<string> {
    const { sink, observer, namespace, labelSelector, fieldSelector, pageSize = 500 } = this.options;
    const started = this.clock.monotonic();
    this.call(() => observer?.listStarted?.());
    const viewThrough = this.viewThrough;
    this.call(() => sink.beginList(viewThrough));
    let resourceVersion = '';
    let objects = 0;
    const fetchPage = (token: string | undefined) =>
      this.lw.list(resource, { namespace, labelSelector, fieldSelector, limit: pageSize, ...(token ? { continue: token } : {}) }, signal);
    let next = fetchPage(undefined) as ReturnType<typeof fetchPage> | undefined;
    while (next) {
      const page = await next;
      const token = page.metadata?.continue || undefined;
      // Ask for the next page before working through this one: the apiserver serves it while we extract.
      next = token ? fetchPage(token) : undefined;
      next?.catch(() => {}); // awaited on the next turn; never an unhandled rejection meanwhile
      const items = page.items ?? [];
      objects += items.length;
      this.call(() => sink.listPage(items));
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    }
    const listedAt = resourceVersion || undefined;
    this.call(() => sink.endList(listedAt));
    this.call(() => observer?.listCompleted?.((this.clock.monotonic() - started) / 1000, objects, resourceVersion));
    return resourceVersion;
  }

  private async watch(resource: ResolvedResource, from: string, outer: AbortSignal): Promise<WatchOutcome> {
    const { namespace, labelSelector, fieldSelector, observer, watchTimeoutSeconds = DEFAULT_WATCH_TIMEOUT_S, coalesceMs = 100 } = this.options;
    const timeoutSeconds = Math.round(watchTimeoutSeconds * (1 + this.clock.random() / 2));
    const inactivityMs = this.options.inactivityMs ?? timeoutSeconds * 1000 + INACTIVITY_MARGIN_MS;
    const controller = new AbortController();
    const onOuterAbort = (): void => controller.abort();
    outer.addEventListener('abort', onOuterAbort, { once: true });
    const inactivity = this.clock.setTimer(() => controller.abort(new Error(`watch silent for ${inactivityMs} ms`)), inactivityMs);
    const probeAfterMs = this.options.probeAfterMs ?? DEFAULT_PROBE_AFTER_MS;
    let lastByteAt = this.clock.monotonic();
    let probeTimer: ReturnType<Clock['setTimer']> | undefined;
    const armProbe = (): void => {
      if (probeAfterMs <= 0 || controller.signal.aborted) return;
      probeTimer = this.clock.setTimer(() => {
        const silentFor = this.clock.monotonic() - lastByteAt;
        if (this.state === 'watching' && silentFor >= probeAfterMs) {
          void this.probe(resource, controller).finally(armProbe);
        } else {
          armProbe();
        }
      }, Math.max(1, probeAfterMs - (this.clock.monotonic() - lastByteAt)));
    };
    armProbe();
    let endReason = 'closed by server';
    let healthyTimer: ReturnType<Clock['setTimer']> | undefined;
    let expired = false;
    const failed = (stage: 'decode' | 'handler', error: unknown): void => this.call(() => observer?.failed?.(stage, error));
    // Hands a batch of lines to the sink. Throws on an ERROR event; on 410 it marks the watch
    // expired and ends the request.
    // Each event's resourceVersion is taken as soon as it is handled, so whatever ends the watch
    // (a reset, a cut stream, a stall), the next one resumes right after it: never a replay.
    const handle = (lines: readonly string[]): void => {
      for (const line of lines) {
        const outcome = deliverWatchLine(line, this.options.sink, failed);
        if (outcome === 'expired') {
          expired = true;
          controller.abort();
          return;
        }
        if (outcome !== undefined) {
          this.resourceVersion = outcome;
          this.viewThrough = outcome;
          this.progressed = true;
        }
      }
    };
    try {
      const splitter = new LineSplitter();
      await new Promise<void>((resolve, reject) => {
        // From a timer or the end of the stream, a sink ERROR must end the watch, not escape.
        const fail = (error: unknown): void => {
          controller.abort();
          reject(error as Error);
        };
        const batcher = coalescing(handle, {
          windowMs: coalesceMs, maxChars: COALESCE_MAX_CHARS, clock: this.clock,
          onError: fail,
        });
        const onBytes = (bytes: Uint8Array): void => {
          if (expired || controller.signal.aborted) return; // nothing reaches the sink after the end
          inactivity.refresh(); // any byte is life, even part of a line
          lastByteAt = this.clock.monotonic();
          batcher.push(splitter.push(bytes));
          if (expired) resolve();
        };
        const onStart = (): void => {
          if (controller.signal.aborted) return;
          this.state = 'watching';
          healthyTimer = this.clock.setTimer(() => (this.progressed = true), HEALTHY_WATCH_MS);
          this.call(() => observer?.watchStarted?.());
        };
        const request = { namespace, labelSelector, fieldSelector, resourceVersion: from, timeoutSeconds };
        this.lw.watch(resource, request, controller.signal, onBytes, onStart)
          .then(() => {
            try {
              batcher.flush();
              resolve();
            } catch (error) {
              fail(error);
            }
          }, (error: unknown) => {
            // The connection broke: complete lines already received are real events; handle them
            // (unless the watch was ended on purpose) so the next watch resumes after them.
            if (!expired && !outer.aborted) {
              try {
                batcher.flush();
              } catch {
                // the watch fails with the transport error below either way
              }
            }
            batcher.cancel();
            if (expired) resolve();
            else reject(error as Error);
          });
      });
      if (expired) endReason = 'expired';
      return { expired };
    } catch (error) {
      endReason = describe(error);
      if (controller.signal.aborted && !outer.aborted && controller.signal.reason instanceof Error) {
        throw controller.signal.reason; // inactivity: reconnect like any other failure
      }
      throw error;
    } finally {
      inactivity.cancel();
      healthyTimer?.cancel();
      probeTimer?.cancel();
      outer.removeEventListener('abort', onOuterAbort);
      controller.abort();
      this.call(() => observer?.watchEnded?.(endReason));
    }
  }

  /**
   * Asks the server, with a short watch from the last resourceVersion handled, whether anything
   * changed since; aborts `watch` as stale if it did and the watch has delivered nothing since.
   */
  private async probe(resource: ResolvedResource, watch: AbortController): Promise<void> {
    const { namespace, labelSelector, fieldSelector } = this.options;
    const from = this.resourceVersion;
    if (from === undefined) return;
    const probe = new AbortController();
    const endWithWatch = (): void => probe.abort();
    watch.signal.addEventListener('abort', endWithWatch, { once: true });
    const timer = this.clock.setTimer(() => probe.abort(), PROBE_TIMEOUT_MS);
    const splitter = new LineSplitter();
    let changed = false;
    // 410 Gone: the server no longer has history from where the watch stands (it restarted, or
    // compacted past it). A live watch there would have been ended by the server or moved on by a
    // bookmark; one still silent is a half-open connection to a server that is gone.
    let gone = false;
    const onBytes = (bytes: Uint8Array): void => {
      for (const line of splitter.push(bytes)) {
        let event: { type?: unknown; object?: { code?: unknown } };
        try {
          event = JSON.parse(line) as typeof event;
        } catch {
          continue;
        }
        if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED') {
          changed = true;
          probe.abort();
        } else if (event.type === 'ERROR' && event.object?.code === 410) {
          gone = true;
          probe.abort();
        }
      }
    };
    try {
      await this.lw.watch(resource, { namespace, labelSelector, fieldSelector, resourceVersion: from, timeoutSeconds: 1, probe: true }, probe.signal, onBytes, () => {});
    } catch (error) {
      if (error instanceof KubeHttpError && error.code === 410) gone = true;
      // otherwise a failed or timed-out probe proves nothing
    } finally {
      timer.cancel();
      watch.signal.removeEventListener('abort', endWithWatch);
    }
    if (gone && this.resourceVersion === from && !watch.signal.aborted) {
      watch.abort(new Error(`watch stale: the server has no history from resourceVersion ${from} (410 Gone to a probe) and the watch is silent`));
      return;
    }
    if (!changed || this.resourceVersion !== from || watch.signal.aborted) return;
    // The probe and the watch hear of the same change at about the same time, and the probe may
    // win: a change made just as the probe ran is no proof. Stale only if the watch still has not
    // delivered it after a grace period (a false verdict costs a relist of the whole collection).
    await new Promise<void>((resolve) => {
      const grace = this.clock.setTimer(() => {
        watch.signal.removeEventListener('abort', done);
        resolve();
      }, PROBE_GRACE_MS + (this.options.coalesceMs ?? 100));
      const done = (): void => {
        grace.cancel();
        resolve();
      };
      watch.signal.addEventListener('abort', done, { once: true });
    });
    if (this.resourceVersion === from && !watch.signal.aborted) {
      watch.abort(new Error(`watch stale: the server has changes since resourceVersion ${from} that the watch did not deliver`));
    }
  }

  /** Runs consumer code: whatever it throws is reported, never propagated into the loop. */
  private call(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      try {
        this.options.observer?.failed?.('handler', error);
      } catch {
        // an observer that throws while reporting has nowhere left to report to
      }
    }
  }
}

/**
 * One line of a watch stream handed to the sink — by the Reflector, and by the benchmarks'
 * replays, so they time the same code. Returns the event's resourceVersion, 'expired' on 410
 * Gone, undefined when the line is skipped. `failed` hears lines that do not decode and whatever
 * the sink throws; an ERROR event other than 410 is thrown.
 */
export function deliverWatchLine(line: string, sink: ReflectorSink, failed: (stage: 'decode' | 'handler', error: unknown) => void): string | 'expired' | undefined {
  let event: WatchEvent;
  try {
    event = JSON.parse(line) as WatchEvent;
  } catch (error) {
    failed('decode', error);
    return undefined;
  }
  const object = event.object;
  const hand = (deliver: () => void): void => {
    try {
      deliver();
    } catch (error) {
      failed('handler', error);
    }
  };
  switch (event.type) {
    case 'ADDED':
    case 'MODIFIED':
      hand(() => sink.upsert(object));
      break;
    case 'DELETED':
      hand(() => sink.remove(object));
      break;
    case 'BOOKMARK':
      break;
    case 'ERROR':
      if (object?.code === 410) return 'expired';
      throw new KubeHttpError(object?.code ?? 500, object?.reason ?? '', `watch error: ${object?.message ?? 'unknown'}`);
    default:
      failed('decode', new Error(`unknown watch event type ${String(event.type)}`));
      return undefined;
  }
  return object?.metadata?.resourceVersion;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What a consumer sees of a collection's watch: started, stopped, and its state for /readyz. */
export interface Watcher {
  readonly description: string;
  readonly state: ReflectorState;
  readonly synced: boolean;
  readonly lastError?: string | undefined;
  start(): void;
  stop(): Promise<void>;
}

/** One collection to watch: what a Reflector needs besides where the objects come from. */
export type WatchSpec = Pick<ReflectorOptions, 'ref' | 'namespace' | 'labelSelector' | 'fieldSelector' | 'sink' | 'observer' | 'coalesceMs'>;

/** Builds the watch of each collection: the apiserver's in crotel, a replayed stream in benchmarks and tests. */
export type WatcherFactory = (spec: WatchSpec) => Watcher;

/** Reflectors against the kubeconfig's apiserver. */
export function apiserverWatchers(apiServer: ApiServer): WatcherFactory {
  return (spec) => new Reflector({ apiServer, ...spec });
}
