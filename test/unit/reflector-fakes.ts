// Fakes for the Reflector's and the leader elector's seams: a clock whose time moves only when
// a test says so, and a ListerWatcher whose answers a test scripts.
import type { Clock, Timer } from '../../src/kube/clock.ts';
import type { ResolvedResource } from '../../src/kube/discovery.ts';
import type { ListerWatcher, ListPage, ListRequest, WatchRequest } from '../../src/kube/lister-watcher.ts';
import type { ResourceRef } from '../../src/model.ts';

interface PendingTimer {
  at: number;
  readonly seq: number;
  readonly ms: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/** Lets every promise chain that can run, run (no real I/O is involved). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

export class FakeClock implements Clock {
  wall: number;
  mono = 0;
  private timers: PendingTimer[] = [];
  private seq = 0;
  private readonly randoms: () => number;

  constructor(wall = Date.UTC(2026, 0, 1), random: () => number = () => 0.5) {
    this.wall = wall;
    this.randoms = random;
  }

  now(): number { return this.wall; }
  monotonic(): number { return this.mono; }
  random(): number { return this.randoms(); }

  setTimer(fn: () => void, ms: number): Timer {
    const timer: PendingTimer = { at: this.mono + ms, seq: this.seq++, ms, fn, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => { timer.cancelled = true; },
      refresh: () => { timer.at = this.mono + timer.ms; },
    };
  }

  /** Pending timers' delays from now, soonest first. */
  pending(): number[] {
    return this.live().map((t) => t.at - this.mono);
  }

  /** Moves time forward by ms, firing each timer due on the way (and what its firing lets run). */
  async advance(ms: number): Promise<void> {
    const target = this.mono + ms;
    await settle();
    for (;;) {
      const next = this.live().find((t) => t.at <= target);
      if (!next) break;
      this.jump(next.at);
      next.cancelled = true;
      next.fn();
      await settle();
    }
    this.jump(target);
    await settle();
  }

  /** Time passes without any timer firing (the process was stopped, SIGSTOP). */
  freeze(ms: number): void {
    this.jump(this.mono + ms);
  }

  private jump(to: number): void {
    this.wall += to - this.mono;
    this.mono = to;
  }

  private live(): PendingTimer[] {
    this.timers = this.timers.filter((t) => !t.cancelled);
    return [...this.timers].sort((a, b) => a.at - b.at || a.seq - b.seq);
  }
}

export class HttpFailure extends Error {}

/** One watch request the Reflector made, driven by the test. */
export class FakeWatch {
  readonly request: WatchRequest;
  ended = false;
  aborted = false;
  private readonly onBytes: (bytes: Uint8Array) => void;
  private readonly onStart: () => void;
  private resolve!: () => void;
  private reject!: (error: unknown) => void;
  readonly done: Promise<void>;

  constructor(request: WatchRequest, signal: AbortSignal, onBytes: (bytes: Uint8Array) => void, onStart: () => void) {
    this.request = request;
    this.onBytes = onBytes;
    this.onStart = onStart;
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    const onAbort = (): void => {
      this.aborted = true;
      this.finish(() => this.reject(signal.reason ?? new Error('aborted')));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  }

  /** The server answered 2xx. */
  start(): this {
    this.onStart();
    return this;
  }

  /** Raw bytes, e.g. half a JSON line. */
  bytes(text: string): this {
    if (!this.ended) this.onBytes(new TextEncoder().encode(text));
    return this;
  }

  event(type: string, object: unknown): this {
    return this.bytes(`${JSON.stringify({ type, object })}\n`);
  }

  upsert(uid: string, resourceVersion: string, extra: Record<string, unknown> = {}): this {
    return this.event('MODIFIED', obj(uid, resourceVersion, extra));
  }

  bookmark(resourceVersion: string): this {
    return this.event('BOOKMARK', { metadata: { resourceVersion } });
  }

  /** The server ends the stream cleanly (its timeoutSeconds). */
  end(): void {
    this.finish(() => this.resolve());
  }

  /** The connection breaks. */
  fail(error: unknown = new Error('connection reset')): void {
    this.finish(() => this.reject(error));
  }

  private finish(settle: () => void): void {
    if (this.ended) return;
    this.ended = true;
    settle();
  }
}

export function obj(uid: string, resourceVersion: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { metadata: { uid, name: uid, resourceVersion }, ...extra };
}

type Answer<T> = T | Error | (() => T | Error);

/** Scripted answers, in order; the last one repeats. */
class Script<T> {
  private readonly answers: Answer<T>[] = [];
  push(...answers: Answer<T>[]): void {
    this.answers.push(...answers);
  }
  next(): T {
    const answer = this.answers.length > 1 ? this.answers.shift()! : this.answers[0];
    if (answer === undefined) throw new Error('fake: no answer scripted');
    const value = typeof answer === 'function' ? (answer as () => T | Error)() : answer;
    if (value instanceof Error) throw value;
    return value;
  }
}

export const RESOURCE: ResolvedResource = { ref: { group: 'test.crotel.dev', version: 'v1', kind: 'Widget' }, plural: 'widgets', namespaced: true };

export class FakeListerWatcher implements ListerWatcher {
  readonly discoveries = new Script<ResolvedResource>();
  readonly lists = new Script<ListPage>();
  readonly calls: string[] = [];
  readonly listRequests: ListRequest[] = [];
  readonly watches: FakeWatch[] = [];
  /** Probes (short looks for changes, see ReflectorOptions.probeAfterMs), apart from the watches. */
  readonly probes: FakeWatch[] = [];

  /** Answers each probe as it opens (default: it never answers, as on a quiet collection). */
  onProbe?: (probe: FakeWatch) => void;

  constructor() {
    this.discoveries.push(RESOURCE);
  }

  async discover(ref: ResourceRef): Promise<ResolvedResource> {
    this.calls.push(`discover ${ref.kind}`);
    return this.discoveries.next();
  }

  async list(_resource: ResolvedResource, request: ListRequest): Promise<ListPage> {
    this.calls.push(`list${request.continue ? ` continue=${request.continue}` : ''}`);
    this.listRequests.push(request);
    return this.lists.next();
  }

  watch(_resource: ResolvedResource, request: WatchRequest, signal: AbortSignal, onBytes: (bytes: Uint8Array) => void, onStart: () => void): Promise<void> {
    const watch = new FakeWatch(request, signal, onBytes, onStart);
    if (request.probe) {
      this.probes.push(watch);
      this.onProbe?.(watch);
    } else {
      this.calls.push(`watch rv=${request.resourceVersion}`);
      this.watches.push(watch);
    }
    return watch.done;
  }

  /** The watch opened most recently. */
  get lastWatch(): FakeWatch {
    const w = this.watches.at(-1);
    if (!w) throw new Error('no watch opened yet');
    return w;
  }
}
