// The object → state → metrics/traces pipeline, built once from a config and injected pieces (where
// watches come from, the clock, the span exporter, leadership) for crotel and the benchmarks alike:
// compiled resources → one watch per resource × namespace → CappedSink → ResourceStore (series
// budget) → /metrics and OTLP, and store changes → EpisodeTracker → spans → SpanShipper. Owns the
// instruments of the wiring, the reflector events as self-metrics and logs, the de-duplication of
// Events watches, and the order of start and stop. No HTTP server, signals or process here.
import type { Logger } from 'pino';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { DiscoveryConfig, ResourceConfig, TracesConfig } from '../config/index.ts';
import { DiscoveredKinds } from '../discovery/kinds.ts';
import { EventSink } from '../events/index.ts';
import { isRejection } from '../extract/guard.ts';
import { redact, type Redactor } from '../extract/index.ts';
import { revisionOf } from '../kube/leader.ts';
import type { ReflectorObserver, Watcher, WatcherFactory } from '../kube/reflector.ts';
import { createTelemetry, type Telemetry } from '../metrics/telemetry.ts';
import type { CompiledResource, ResourceRef } from '../model.ts';
import { ObjectBudget, SeriesBudget } from '../state/budget.ts';
import { CappedSink } from '../state/capped-sink.ts';
import { ownedBy, type Shard } from '../state/shard.ts';
import { ResourceStore } from '../state/store.ts';
import { telemetryLogging } from '../telemetry/logging.ts';
import { createSpanExporter, EpisodeTracker, LifecycleRecorder, redactSpan, shipperFor, type SpanRecord } from '../traces/index.ts';
import { SpanHandover } from '../traces/handover.ts';
import { decodeCheckpoint, encodeCheckpoint } from '../traces/checkpoint.ts';
import type { Settings } from './settings.ts';

/** Who emits spans and lifecycle metrics now, with several replicas (kube/leader.ts LeaderElector). */
export interface Leadership {
  /** Whether a change stored at this resourceVersion is this replica's to report. */
  leadsAt(resourceVersion: string | undefined): boolean;
  start(): void;
  /** Gives the lead up (releasing the Lease). */
  stop(): Promise<void>;
  /** Whether this replica leads now (renewed within the deadline). */
  readonly isLeader: boolean;
  /** Connects the span handover, so the Lease decides whose each span is (traces/handover.ts). */
  attachHandover?(handover: SpanHandover): void;
  /** Renews the lead now, not at the next retry period (the handover's hold is filling). */
  renewSoon?(): void;
  /** Writes the open episodes (encoded) into the Lease with each write of the leader. */
  attachCheckpoint?(encode: () => string): void;
}

/** The span path seen from outside, for benchmarks: every span queued, exported, dropped. */
export interface SpanObserver {
  queued?(span: SpanRecord): void;
  exported?(count: number): void;
  dropped?(reason: 'queue_full' | 'shutdown', count: number): void;
  exportFailed?(error: unknown): void;
}

export interface PipelineOptions {
  /** What to watch, compiled (from crotel's config, or a kube-state-metrics config). */
  readonly resources: readonly CompiledResource[];
  readonly traces: TracesConfig;
  /** The environment, read (pipeline/settings.ts). */
  readonly settings: Settings;
  readonly version: string;
  readonly logger: Logger;
  /** Builds each collection's watch: apiserverWatchers(apiServer) in crotel, fed watches in benchmarks and tests. */
  readonly watchers: WatcherFactory;
  /** Wall clock in ms (episode times and timeouts, log rate limits); default Date.now. */
  readonly clock?: () => number;
  /** Where spans go when tracing is on; default the exporters the settings name. */
  readonly spanExporter?: SpanExporter;
  /** With several replicas: started with the pipeline, stopped once the last spans are out. */
  readonly leadership?: Leadership;
  /** Serve only the objects of this shard (by uid hash). */
  readonly shard?: Shard;
  /** The config's redaction (built-in shapes + `redact` patterns), for Events and spans; default built-in only. */
  readonly redactor?: Redactor;
  /** See ReflectorOptions.coalesceMs (default 100). */
  readonly watchCoalesceMs?: number;
  /** Object limits, per kind and in total (config `limits.objectsPerKind`, `limits.objects`). */
  readonly objectLimits?: { readonly perKind?: number; readonly total?: number };
  /** Wildcard entries: kinds found from the cluster's CRDs, each compiled by `compile`. */
  readonly discovery?: { readonly config: DiscoveryConfig; readonly compile: (entry: ResourceConfig) => CompiledResource };
  readonly spanObserver?: SpanObserver;
}

export interface Pipeline {
  readonly telemetry: Telemetry;
  /** The stores /metrics and OTLP read, in order (a replaced resource keeps its place). */
  readonly stores: readonly ResourceStore[];
  readonly tracing: boolean;
  /** Spans waiting to be exported (0 without tracing). */
  readonly queuedSpans: number;
  /** For /readyz: what the first list still waits for, and watches failing after it. */
  readonly readiness: { pending(): string[]; failing(): string[] };
  /** The resource watches, described (for the start log). */
  watching(): string[];
  /** Starts watching one more resource; gatesReadiness (default true): /readyz waits for its first list. */
  addResource(resource: CompiledResource, options?: { readonly gatesReadiness?: boolean }): void;
  /** Stops watching a resource (by id) and drops its objects from /metrics and OTLP. */
  removeResource(id: string): Promise<void>;
  /** Watches a resource at another version, keeping the objects held (see README "Zero config"). */
  replaceResource(previousId: string, resource: CompiledResource): Promise<void>;
  /**
   * Episodes the last leader had open (its Lease checkpoint, traces/checkpoint.ts), given before
   * start: an object first seen mid-episode continues that trace. Returns how many were read.
   */
  resumeEpisodes(checkpoint: string): number;
  /** Starts the watches, discovery and leadership. */
  start(): void;
  /**
   * Stops, in this order: discovery, every watch (nothing changes after), leadership given up (the
   * release reports the last changes seen: their held spans ship, the next leader starts after
   * them), the span queue flushed, a final metrics export,
   * the meter provider. Every step is bounded: within timeoutMs whatever the Collector does.
   */
  stop(timeoutMs?: number): Promise<void>;
}

const EVENT_REF: ResourceRef = { group: '', version: 'v1', kind: 'Event' };
const CRD_WATCH = 'apiextensions.k8s.io/v1/CustomResourceDefinition';
const DROP_LOG_INTERVAL_MS = 60_000;
const SWEEP_INTERVAL_MS = 30_000;

/** The later of two resourceVersions (etcd revisions); `a` where they are not comparable. */
function laterVersion(a: string | undefined, b: string | undefined): string | undefined {
  const x = revisionOf(a);
  const y = revisionOf(b);
  if (y === undefined) return a;
  return x === undefined || y > x ? b : a;
}

function refKey(ref: ResourceRef): string {
  return `${ref.group}/${ref.kind}`;
}

/** One watched collection: a resource in one namespace (or all). */
interface Collection {
  readonly id: string;
  readonly namespace: string | undefined;
  readonly store: ResourceStore;
  readonly sink: CappedSink;
  readonly watch: Watcher;
}

interface Watched {
  readonly resource: CompiledResource;
  readonly gatesReadiness: boolean;
  readonly collections: Collection[];
  readonly eventKeys: string[];
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const { logger, traces, settings } = options;
  const clock = options.clock ?? Date.now;
  const redactor = options.redactor ?? redact;
  const spanObserver = options.spanObserver ?? {};
  const stores: ResourceStore[] = [];
  const watches: Watcher[] = [];
  const auxiliary: Watcher[] = []; // events: useful, but not a condition of readiness
  const logs = telemetryLogging(logger, settings.otel);
  const telemetry = createTelemetry({
    version: options.version, stores: () => stores, env: settings.env, settings: settings.otel,
    ...(settings.revision !== undefined ? { revision: settings.revision } : {}),
    onExportFailed: logs.metricExportFailed,
  });
  const self = telemetry.self;
  const budget = new SeriesBudget((family, count) => {
    self.dropped(family.name, count);
    logger.warn({ metric: family.name, limit: family.cardinalityLimit, dropped: count }, 'cardinality limit reached: series dropped');
  });

  const otel = settings.otel;
  const tracing = !otel.sdkDisabled && (traces.enabled === 'auto' ? otel.tracesExporters.size > 0 : traces.enabled);
  const shipper = tracing
    ? shipperFor(otel.bsp, traces.queueSize, {
        exporter: options.spanExporter ?? createSpanExporter(settings.env, otel),
        resource: telemetry.resource,
        onDropped: (reason, count) => {
          self.spanDrops(reason, count);
          logs.spansDropped(reason, count);
          spanObserver.dropped?.(reason, count);
        },
        onExported: (count) => {
          self.spansSent(count);
          spanObserver.exported?.(count);
        },
        onExportFailed: (error) => {
          self.exportFailed('traces');
          logs.spanExportFailed(error);
          spanObserver.exportFailed?.(error);
        },
      })
    : undefined;
  const leadership = options.leadership;
  // With leader election every replica makes spans; the Lease decides whose each one is.
  const handover: SpanHandover | undefined = leadership?.attachHandover && shipper
    ? new SpanHandover({
        ship: (span) => {
          spanObserver.queued?.(span);
          shipper.enqueue(span);
        },
        maxHeld: traces.queueSize,
        leading: () => leadership.isLeader,
        onPressure: () => leadership.renewSoon?.(),
        onDropped: (count) => {
          self.spanDrops('handover_full', count);
          logs.spansDropped('handover_full', count);
        },
      })
    : undefined;
  if (handover) leadership?.attachHandover?.(handover);
  if (shipper) self.trackSpanQueue(() => shipper.pending, handover ? () => handover.heldCount : undefined);
  /** The resourceVersion of the change the tracker is observing now (undefined outside one). */
  let observing: string | undefined;
  /** For a change a relist collapsed: the previous state's resourceVersion (the change lies after it). */
  let observingSince: string | undefined;
  // A leader reports only what changed during its own term (LeaderElector.leadsAt): what a new
  // leader sees late from before its takeover was its predecessor's to report. A collapsed change
  // may lie anywhere after its previous state, so it counts from there.
  const emitting = (): boolean => (leadership ? leadership.leadsAt(observingSince ?? observing) : true);
  telemetry.meter.createObservableGauge('crotel.leader', { description: '1 while this replica emits spans and lifecycle metrics (always 1 without leader election)' })
    .addCallback((result) => result.observe(emitting() ? 1 : 0));
  const owns = options.shard ? ownedBy(options.shard) : undefined;
  const ship = shipper
    ? (span: SpanRecord): void => {
        const redacted = redactSpan(span, redactor);
        if (handover) {
          handover.offer(redacted, observing, observingSince);
          return;
        }
        spanObserver.queued?.(redacted);
        shipper.enqueue(redacted);
      }
    : undefined;
  const tracker = new EpisodeTracker(
    new LifecycleRecorder(telemetry.meter, ship, emitting, handover !== undefined),
    { episodeTimeoutMs: traces.episodeTimeoutSeconds * 1000, clock },
  );
  leadership?.attachCheckpoint?.(() => encodeCheckpoint(tracker.checkpoint()));
  let sweep: NodeJS.Timeout | undefined;

  const watched = new Map<string, Watched>();
  const objectBudget = new ObjectBudget(options.objectLimits ?? {});
  // One log line per kind per minute at most, with what was dropped since the last one.
  const dropLog = new Map<string, { at: number; count: number }>();
  const objectDropped = (resource: CompiledResource, reason: string): void => {
    self.objectDropped(resource.id, reason);
    const key = refKey(resource.ref);
    const entry = dropLog.get(key) ?? dropLog.set(key, { at: -Infinity, count: 0 }).get(key)!;
    entry.count++;
    const now = clock();
    if (now - entry.at < DROP_LOG_INTERVAL_MS) return;
    logger.warn({ resource: resource.id, kind: resource.ref.kind, group: resource.ref.group, reason, dropped: entry.count, kindObjects: objectBudget.usage(key), totalObjects: objectBudget.usage() },
      `object limit reached: new ${resource.ref.kind} objects dropped`);
    entry.at = now;
    entry.count = 0;
  };
  const kinds = new Map<string, ResourceRef>();
  telemetry.meter.createObservableGauge('crotel.episodes.open', { description: 'Reconcile episodes open now, per kind', unit: '{episode}' })
    .addCallback((result) => {
      for (const ref of kinds.values()) result.observe(tracker.openEpisodes(ref), { 'k8s.object.group': ref.group, 'k8s.object.kind': ref.kind });
    });

  // Every watch (resources and their Events) batches with the same window; the reflector's default otherwise.
  const coalescing = options.watchCoalesceMs !== undefined ? { coalesceMs: options.watchCoalesceMs } : {};
  /** `makesSpans`: a watch of objects whose changes make spans (its first list is where this process began to see them). */
  const observerFor = (id: string, resourceId: string, makesSpans = false): ReflectorObserver => ({
    listStarted: () => self.listStarted(resourceId),
    listCompleted: (seconds: number, objects: number, resourceVersion?: string) => {
      if (makesSpans) handover?.listed(resourceVersion);
      self.listCompleted(resourceId, seconds);
      logger.info({ resource: id, objects, seconds: Number(seconds.toFixed(3)) }, 'listed');
    },
    watchStarted: () => self.watchStarted(resourceId),
    relist: (reason: string) => {
      self.relist(resourceId, reason);
      logger.info({ resource: id, reason }, 'relisting');
    },
    failed: (stage: string, error: unknown) => {
      self.reflectorError(resourceId, stage);
      // decode and handler failures skip one event; the others end the list or watch, which is retried.
      const outcome = stage === 'decode' || stage === 'handler' ? 'event skipped' : 'retrying with backoff';
      logger.error({ resource: id, stage, err: error instanceof Error ? error.message : String(error) }, `${stage} failed; ${outcome}`);
    },
  });

  const eventWatches = new Map<string, { readonly watch: Watcher; readonly users: Set<string> }>();
  const eventSink = new EventSink((uid, event) => tracker.addEvent(uid, event), () => {}, redactor);
  let started = false;
  let stopped = false;
  /** `adopt`: the same kind's previous watch, whose held objects the new stores take over. */
  const watchResource = (resource: CompiledResource, gatesReadiness = true, adopt?: Watched): void => {
    kinds.set(refKey(resource.ref), resource.ref);
    const record: Watched = { resource, gatesReadiness, collections: [], eventKeys: [] };
    watched.set(resource.id, record);
    const namespaces = resource.namespaces.length > 0 ? resource.namespaces : [undefined];
    for (const namespace of namespaces) {
      const id = namespace ? `${resource.id}@${namespace}` : resource.id;
      const store = new ResourceStore(resource, budget, {
        ...(owns ? { owns } : {}),
        changed: (r, previous, next, resourceVersion, listed) => {
          // A relist shows a known object's changes since its previous state collapsed into one:
          // they happened somewhere in (previous resourceVersion, listed resourceVersion], and
          // after the version through which this replica's view was current — maybe in another
          // leader's term (which shipped the real spans). Its spans are ours only if that whole
          // range is (traces/handover.ts): nothing another term saw is shipped as a guess.
          observing = resourceVersion;
          observingSince = listed ? laterVersion(previous?.resourceVersion, listed.viewThrough) : undefined;
          handover?.observe(resourceVersion);
          try {
            tracker.observe(r.ref, previous, next);
          } finally {
            observing = undefined;
            observingSince = undefined;
          }
        },
        invalidObject: (_r, reason) => {
          self.invalidObject(resource.id);
          logger.warn({ resource: id, reason }, 'object skipped: unreadable');
        },
        extractionErrors: (_r, snapshot) => {
          for (const error of snapshot.errors) {
            self.extractionError(resource.id, error.path);
            if (isRejection(error)) self.seriesRejectedFor(resource.id, error.rejected);
          }
          logger.debug({ resource: id, namespace: snapshot.namespace, name: snapshot.name, errors: snapshot.errors }, 'fields skipped');
        },
      });
      const previous = adopt?.collections.find((c) => c.namespace === namespace);
      if (previous) for (const [uid, snapshot] of previous.store.entries) store.entries.set(uid, snapshot);
      const sink = new CappedSink({ store, budget: objectBudget, kind: refKey(resource.ref), ...(owns ? { owns } : {}), dropped: (reason) => objectDropped(resource, reason) });
      sink.adopt();
      const watch = options.watchers({
        ref: resource.ref, namespace, labelSelector: resource.labelSelector,
        sink, observer: observerFor(id, resource.id, true),
        ...coalescing,
      });
      self.track(id, { objects: () => store.entries.size, watching: () => watch.state === 'watching', synced: () => watch.synced });
      // In the old store's place, so /metrics keeps its order.
      const at = previous ? stores.indexOf(previous.store) : -1;
      if (at >= 0) stores[at] = store;
      else stores.push(store);
      watches.push(watch);
      record.collections.push({ id, namespace, store, sink, watch });
      if (started) watch.start();

      // One Events watch per kind and namespace, shared by the resources of that kind.
      const eventKey = `${resource.ref.kind}@${namespace ?? ''}`;
      record.eventKeys.push(eventKey);
      eventWatches.get(eventKey)?.users.add(resource.id);
      if (tracing && traces.events && !eventWatches.has(eventKey)) {
        const eventsId = `v1/Event[${resource.ref.kind}]${namespace ? `@${namespace}` : ''}`;
        const events = options.watchers({
          ref: EVENT_REF, namespace,
          fieldSelector: `involvedObject.kind=${resource.ref.kind}`,
          sink: eventSink, observer: observerFor(eventsId, eventsId),
          ...coalescing,
        });
        auxiliary.push(events);
        eventWatches.set(eventKey, { watch: events, users: new Set([resource.id]) });
        if (started) events.start();
      }
    }
  };
  for (const resource of options.resources) watchResource(resource);

  /** Stops a resource's watches; `keepStores`: leave its stores served (a replacement takes them). */
  const unwatch = async (id: string, keepStores: boolean): Promise<Watched | undefined> => {
    const record = watched.get(id);
    if (!record) return undefined;
    watched.delete(id);
    // Stopped before anything is released, so no late delivery changes what was counted.
    await Promise.all(record.collections.map((c) => c.watch.stop()));
    for (const c of record.collections) {
      watches.splice(watches.indexOf(c.watch), 1);
      self.untrack(c.id);
      c.sink.release();
      if (!keepStores) {
        stores.splice(stores.indexOf(c.store), 1);
        for (const snapshot of c.store.entries.values()) budget.release(c.store.resource.families, snapshot.samples);
      }
    }
    for (const key of record.eventKeys) {
      const events = eventWatches.get(key);
      if (!events) continue;
      events.users.delete(id);
      if (events.users.size > 0 || keepStores) continue;
      eventWatches.delete(key);
      auxiliary.splice(auxiliary.indexOf(events.watch), 1);
      await events.watch.stop();
    }
    if (![...watched.values()].some((w) => refKey(w.resource.ref) === refKey(record.resource.ref))) kinds.delete(refKey(record.resource.ref));
    return record;
  };
  const replaceResource = async (previousId: string, resource: CompiledResource): Promise<void> => {
    const previous = await unwatch(previousId, true);
    if (!stopped) watchResource(resource, previous?.gatesReadiness ?? false, previous);
  };

  const discovered = options.discovery
    ? new DiscoveredKinds({
        watchers: options.watchers,
        discovery: options.discovery.config,
        configured: new Set(options.resources.map((r) => refKey(r.ref))),
        compile: options.discovery.compile,
        logger,
        observer: observerFor(CRD_WATCH, CRD_WATCH),
        ...coalescing,
        host: {
          add: (resource, { gatesReadiness }) => {
            if (!stopped) watchResource(resource, gatesReadiness);
          },
          replace: replaceResource,
          remove: async (id) => {
            await unwatch(id, false);
          },
        },
      })
    : undefined;
  if (discovered) self.track(CRD_WATCH, { objects: () => 0, watching: () => discovered.reflector.state === 'watching', synced: () => discovered.reflector.synced });
  const gating = (): Watcher[] => [...watched.values()].filter((w) => w.gatesReadiness).flatMap((w) => w.collections.map((c) => c.watch));

  return {
    telemetry,
    stores,
    tracing,
    get queuedSpans() {
      return shipper?.queued ?? 0;
    },
    readiness: {
      pending: () => [
        ...(discovered?.pending() ?? []),
        ...gating().filter((w) => !w.synced).map((w) => `${w.description} (${w.state}${w.lastError ? `: ${w.lastError}` : ''})`),
      ],
      // Shown even when ready: kinds added later that fail (forbidden, not served), and relapses.
      failing: () => {
        const pendingNow = new Set(gating().filter((w) => !w.synced));
        return watches.filter((w) => w.state === 'backoff' && w.lastError && !pendingNow.has(w)).map((w) => `${w.description}: ${w.lastError}`);
      },
    },
    watching: () => watches.map((w) => w.description),
    addResource: (resource, addOptions) => {
      if (stopped) return;
      logger.info({ resource: resource.id }, 'watching a resource added at run time');
      watchResource(resource, addOptions?.gatesReadiness ?? true);
    },
    removeResource: async (id) => {
      await unwatch(id, false);
    },
    // Unlike discovery's replace, a resource whose previous watch is unknown gates readiness.
    replaceResource: async (previousId, resource) => {
      const previous = await unwatch(previousId, true);
      if (!stopped) watchResource(resource, previous?.gatesReadiness ?? true, previous);
    },
    resumeEpisodes(checkpoint) {
      const marks = decodeCheckpoint(checkpoint);
      tracker.resume(marks);
      return marks.length;
    },
    start() {
      if (started || stopped) return;
      for (const watch of [...watches, ...auxiliary]) watch.start();
      started = true;
      sweep = setInterval(() => tracker.sweep(), SWEEP_INTERVAL_MS);
      sweep.unref();
      discovered?.start();
      leadership?.start();
    },
    async stop(timeoutMs = 8000) {
      stopped = true;
      clearInterval(sweep);
      await discovered?.stop();
      await Promise.all([...watches, ...auxiliary].map((w) => w.stop()));
      // Release the lease only after the last spans are queued, so the next leader starts after us.
      // Push what is buffered before going: spans first (they cannot be recomputed), then a final
      // metrics export. Open episodes stay open: the next process continues their traces.
      // Every step is bounded: an unreachable Collector costs the deadline, never more.
      const deadline = Date.now() + timeoutMs;
      // The release reports the last changes seen, and hands their held spans to the shipper.
      await leadership?.stop();
      await shipper?.shutdown(timeoutMs / 2);
      const left = (): number => Math.max(100, deadline - Date.now());
      if (!(await telemetry.flush(left() / 2))) logs.finalFlushIncomplete();
      await telemetry.shutdown(left());
    },
  };
}
