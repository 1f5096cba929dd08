// Wires one running crotel: compiled resources → reflectors → stores → /metrics and OTLP, and
// store changes → episode tracker → spans. Owns start and graceful stop; the stages themselves
// live in their folders.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { DiscoveryConfig, ResourceConfig, TracesConfig } from './config/index.ts';
import { DiscoveredKinds } from './discovery/kinds.ts';
import { EventSink } from './events/index.ts';
import { Reflector } from './kube/reflector.ts';
import type { CompiledResource, ResourceRef } from './model.ts';
import { redact, type Redactor } from './extract/index.ts';
import { isRejection } from './extract/guard.ts';
import { createTelemetry, type Telemetry } from './metrics/telemetry.ts';
import { startMetricsServer, type MetricsServer } from './server/http.ts';
import { ObjectBudget, SeriesBudget } from './state/budget.ts';
import { CappedSink } from './state/capped-sink.ts';
import { ResourceStore } from './state/store.ts';
import { ownedBy, type Shard } from './state/shard.ts';
import { LeaderElector } from './kube/leader.ts';
import { SpanHandover } from './traces/handover.ts';
import { telemetryLogging } from './telemetry/logging.ts';
import {
  createSpanExporter, EpisodeTracker, LifecycleRecorder, otlpTracesEndpointConfigured, redactSpan, shipperFor,
} from './traces/index.ts';

export interface RuntimeOptions {
  /** What to watch, compiled (from crotel's config, or a kube-state-metrics config). */
  readonly resources: readonly CompiledResource[];
  readonly traces: TracesConfig;
  readonly kubeConfig: KubeConfig;
  readonly logger: Logger;
  readonly host?: string;
  readonly port: number;
  readonly version: string;
  readonly env?: NodeJS.ProcessEnv;
  /** With several replicas: only the Lease holder emits spans and lifecycle metrics. */
  readonly leaderElection?: { readonly namespace: string; readonly name: string; readonly leaseDurationMs?: number };
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
}

export interface Runtime {
  readonly port: number;
  readonly telemetry: Telemetry;
  readonly stores: readonly ResourceStore[];
  readonly tracing: boolean;
  /**
   * Starts watching one more resource (e.g. a wildcard kind whose CRD appeared after start).
   * gatesReadiness (default true): /readyz waits for its first list.
   */
  addResource(resource: CompiledResource, options?: { readonly gatesReadiness?: boolean }): void;
  /** Stops watching a resource (by id) and drops its objects from /metrics and OTLP. */
  removeResource(id: string): Promise<void>;
  /** Watches a resource at another version, keeping the objects held (see README "Zero config"). */
  replaceResource(previousId: string, resource: CompiledResource): Promise<void>;
  /** Stops watching, flushes spans and metrics within timeoutMs, closes the server. */
  stop(timeoutMs?: number): Promise<void>;
}

const EVENT_REF: ResourceRef = { group: '', version: 'v1', kind: 'Event' };

function refKey(ref: ResourceRef): string {
  return `${ref.group}/${ref.kind}`;
}

/** One reflected collection: a resource in one namespace (or all). */
interface Collection {
  readonly id: string;
  readonly namespace: string | undefined;
  readonly store: ResourceStore;
  readonly sink: CappedSink;
  readonly reflector: Reflector;
}

interface Watched {
  readonly resource: CompiledResource;
  readonly gatesReadiness: boolean;
  readonly collections: Collection[];
  readonly eventKeys: string[];
}

const DROP_LOG_INTERVAL_MS = 60_000;

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { logger, traces } = options;
  const redactor = options.redactor ?? redact;
  const env = options.env ?? process.env;
  const stores: ResourceStore[] = [];
  const reflectors: Reflector[] = [];
  const auxiliary: Reflector[] = []; // events: useful, but not a condition of readiness
  const logs = telemetryLogging(logger, env);
  const telemetry = createTelemetry({ version: options.version, stores: () => stores, env, revision: env.CROTEL_REVISION, onExportFailed: logs.metricExportFailed });
  const self = telemetry.self;
  const budget = new SeriesBudget((family, count) => {
    self.dropped(family.name, count);
    logger.warn({ metric: family.name, limit: family.cardinalityLimit, dropped: count }, 'cardinality limit reached: series dropped');
  });

  const tracing = !telemetry.settings.sdkDisabled && (traces.enabled === 'auto' ? otlpTracesEndpointConfigured(env) : traces.enabled);
  const shipper = tracing
    ? shipperFor(telemetry.settings.bsp, traces.queueSize, {
        exporter: createSpanExporter(env, telemetry.settings),
        resource: telemetry.resource,
        onDropped: (reason, count) => {
          self.spanDrops(reason, count);
          logs.spansDropped(reason, count);
        },
        onExported: (count) => self.spansSent(count),
        onExportFailed: (error) => {
          self.exportFailed('traces');
          logs.spanExportFailed(error);
        },
      })
    : undefined;
  // With leader election every replica makes spans; the Lease decides whose each one is.
  const handover: SpanHandover | undefined = options.leaderElection && shipper
    ? new SpanHandover({
        ship: (span) => shipper.enqueue(span),
        maxHeld: traces.queueSize,
        leading: (): boolean => elector?.isLeader ?? false,
        onDropped: (count) => {
          self.spanDrops('handover_full', count);
          logs.spansDropped('handover_full', count);
        },
      })
    : undefined;
  if (shipper) self.trackSpanQueue(() => shipper.pending, handover ? () => handover.heldCount : undefined);
  const elector: LeaderElector | undefined = options.leaderElection
    ? new LeaderElector({
        ...(handover ? { handover } : {}),
        kubeConfig: options.kubeConfig,
        namespace: options.leaderElection.namespace,
        name: options.leaderElection.name,
        leaseDurationMs: options.leaderElection.leaseDurationMs,
        onChange: (leading) => logger.info({ leading }, leading ? 'became the leader: emitting spans and lifecycle metrics' : 'not the leader: tracking only'),
        onError: (error) => logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'leader election: lease not acquired or renewed'),
      })
    : undefined;
  /** The resourceVersion of the change the tracker is observing now (undefined outside one). */
  let observing: string | undefined;
  // A leader reports only what changed during its own term (LeaderElector.leadsAt): what a new
  // leader sees late from before its takeover was its predecessor's to report.
  const emitting = (): boolean => (elector ? elector.leadsAt(observing) : true);
  telemetry.meter.createObservableGauge('crotel.leader', { description: '1 while this replica emits spans and lifecycle metrics (always 1 without leader election)' })
    .addCallback((result) => result.observe(emitting() ? 1 : 0));
  const owns = options.shard ? ownedBy(options.shard) : undefined;
  const tracker = new EpisodeTracker(
    new LifecycleRecorder(
      telemetry.meter,
      shipper ? (span) => (handover ? handover.offer(redactSpan(span, redactor), observing) : shipper.enqueue(redactSpan(span, redactor))) : undefined,
      emitting,
      handover !== undefined,
    ),
    { episodeTimeoutMs: traces.episodeTimeoutSeconds * 1000, clock: Date.now },
  );
  const sweep = setInterval(() => tracker.sweep(), 30_000);
  sweep.unref();

  const compiled = options.resources;
  const watched = new Map<string, Watched>();
  const objectBudget = new ObjectBudget(options.objectLimits ?? {});
  // One log line per kind per minute at most, with what was dropped since the last one.
  const dropLog = new Map<string, { at: number; count: number }>();
  const objectDropped = (resource: CompiledResource, reason: string): void => {
    self.objectDropped(resource.id, reason);
    const key = refKey(resource.ref);
    const entry = dropLog.get(key) ?? dropLog.set(key, { at: -Infinity, count: 0 }).get(key)!;
    entry.count++;
    const now = Date.now();
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
  const observerFor = (id: string, resourceId: string, makesSpans = false) => ({
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

  const eventWatches = new Map<string, { readonly reflector: Reflector; readonly users: Set<string> }>();
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
        changed: (r, previous, next, resourceVersion) => {
          observing = resourceVersion;
          handover?.observe(resourceVersion);
          try {
            tracker.observe(r.ref, previous, next);
          } finally {
            observing = undefined;
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
      const reflector = new Reflector({
        kubeConfig: options.kubeConfig, ref: resource.ref, namespace, labelSelector: resource.labelSelector,
        sink, observer: observerFor(id, resource.id, true),
        ...coalescing,
      });
      self.track(id, { objects: () => store.entries.size, watching: () => reflector.state === 'watching', synced: () => reflector.synced });
      // In the old store's place, so /metrics keeps its order.
      const at = previous ? stores.indexOf(previous.store) : -1;
      if (at >= 0) stores[at] = store;
      else stores.push(store);
      reflectors.push(reflector);
      record.collections.push({ id, namespace, store, sink, reflector });
      if (started) reflector.start();

      const eventKey = `${resource.ref.kind}@${namespace ?? ''}`;
      record.eventKeys.push(eventKey);
      eventWatches.get(eventKey)?.users.add(resource.id);
      if (tracing && traces.events && !eventWatches.has(eventKey)) {
        const eventsId = `v1/Event[${resource.ref.kind}]${namespace ? `@${namespace}` : ''}`;
        const events = new Reflector({
          kubeConfig: options.kubeConfig, ref: EVENT_REF, namespace,
          fieldSelector: `involvedObject.kind=${resource.ref.kind}`,
          sink: eventSink, observer: observerFor(eventsId, eventsId),
          ...coalescing,
        });
        auxiliary.push(events);
        eventWatches.set(eventKey, { reflector: events, users: new Set([resource.id]) });
        if (started) events.start();
      }
    }
  };
  for (const resource of compiled) watchResource(resource);

  /** Stops a resource's reflectors; `keepStores`: leave its stores served (a replacement takes them). */
  const unwatch = async (id: string, keepStores: boolean): Promise<Watched | undefined> => {
    const record = watched.get(id);
    if (!record) return undefined;
    watched.delete(id);
    // Stopped before anything is released, so no late delivery changes what was counted.
    await Promise.all(record.collections.map((c) => c.reflector.stop()));
    for (const c of record.collections) {
      reflectors.splice(reflectors.indexOf(c.reflector), 1);
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
      auxiliary.splice(auxiliary.indexOf(events.reflector), 1);
      await events.reflector.stop();
    }
    if (![...watched.values()].some((w) => refKey(w.resource.ref) === refKey(record.resource.ref))) kinds.delete(refKey(record.resource.ref));
    return record;
  };

  const discovered = options.discovery
    ? new DiscoveredKinds({
        kubeConfig: options.kubeConfig,
        discovery: options.discovery.config,
        configured: new Set(compiled.map((r) => refKey(r.ref))),
        compile: options.discovery.compile,
        logger,
        observer: observerFor('apiextensions.k8s.io/v1/CustomResourceDefinition', 'apiextensions.k8s.io/v1/CustomResourceDefinition'),
        ...(options.watchCoalesceMs !== undefined ? { coalesceMs: options.watchCoalesceMs } : {}),
        host: {
          add: (resource, { gatesReadiness }) => {
            if (!stopped) watchResource(resource, gatesReadiness);
          },
          replace: async (previousId, resource) => {
            const previous = await unwatch(previousId, true);
            if (stopped) return;
            watchResource(resource, previous?.gatesReadiness ?? false, previous);
          },
          remove: async (id) => {
            await unwatch(id, false);
          },
        },
      })
    : undefined;
  if (discovered) self.track('apiextensions.k8s.io/v1/CustomResourceDefinition', { objects: () => 0, watching: () => discovered.reflector.state === 'watching', synced: () => discovered.reflector.synced });
  const gating = (): Reflector[] => [...watched.values()].filter((w) => w.gatesReadiness).flatMap((w) => w.collections.map((c) => c.reflector));

  const server: MetricsServer = await startMetricsServer({
    host: options.host ?? '0.0.0.0',
    port: options.port,
    stores: () => stores,
    selfExposition: (format) => telemetry.selfExposition(format),
    readiness: {
      pending: () => [
        ...(discovered?.pending() ?? []),
        ...gating().filter((r) => !r.synced).map((r) => `${r.description} (${r.state}${r.lastError ? `: ${r.lastError}` : ''})`),
      ],
      // Shown even when ready: kinds added later that fail (forbidden, not served), and relapses.
      failing: () => {
        const pendingNow = new Set(gating().filter((r) => !r.synced));
        return reflectors.filter((r) => r.state === 'backoff' && r.lastError && !pendingNow.has(r)).map((r) => `${r.description}: ${r.lastError}`);
      },
    },
    onError: (error) => logger.error({ err: String(error) }, '/metrics failed'),
  });
  for (const reflector of [...reflectors, ...auxiliary]) reflector.start();
  started = true;
  discovered?.start();
  elector?.start();
  logger.info({ port: server.port, resources: reflectors.map((r) => r.description), otlpMetrics: telemetry.otlpEnabled, traces: tracing }, 'crotel started');

  return {
    port: server.port,
    telemetry,
    stores,
    tracing,
    addResource: (resource, addOptions) => {
      if (stopped) return;
      logger.info({ resource: resource.id }, 'watching a resource added at run time');
      watchResource(resource, addOptions?.gatesReadiness ?? true);
    },
    removeResource: async (id) => {
      await unwatch(id, false);
    },
    replaceResource: async (previousId, resource) => {
      const previous = await unwatch(previousId, true);
      if (!stopped) watchResource(resource, previous?.gatesReadiness ?? true, previous);
    },
    async stop(timeoutMs = 8000) {
      stopped = true;
      clearInterval(sweep);
      await discovered?.stop();
      await Promise.all([...reflectors, ...auxiliary].map((r) => r.stop()));
      // Push what is buffered before going: spans first (they cannot be recomputed), then a final
      // metrics export. Open episodes stay open: the next process continues their traces.
      // Every step is bounded: an unreachable Collector costs the deadline, never more.
      const deadline = Date.now() + timeoutMs;
      // The release reports the last changes seen, and hands their held spans to the shipper.
      await elector?.stop();
      await shipper?.shutdown(timeoutMs / 2);
      const left = (): number => Math.max(100, deadline - Date.now());
      if (!(await telemetry.flush(left() / 2))) logs.finalFlushIncomplete();
      await telemetry.shutdown(left());
      await server.close();
    },
  };
}
