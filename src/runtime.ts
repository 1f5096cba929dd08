// One running crotel process around the pipeline (src/pipeline): watches against the kubeconfig's
// apiserver, the Lease when several replicas run, the /metrics server, the start log, and the
// graceful stop (the pipeline's stop, then the server) on SIGTERM/SIGINT. What the stages are and
// how they are wired is the pipeline's.
import type { ApiServer } from './kube/credentials.ts';
import type { Logger } from 'pino';
import type { DiscoveryConfig, ResourceConfig, TracesConfig } from './config/index.ts';
import type { Redactor } from './extract/index.ts';
import { LeaderElector } from './kube/leader.ts';
import { apiserverWatchers } from './kube/reflector.ts';
import type { Telemetry } from './metrics/telemetry.ts';
import type { CompiledResource } from './model.ts';
import { createPipeline, readSettings, type Settings } from './pipeline/index.ts';
import { startMetricsServer } from './server/http.ts';
import type { Shard } from './state/shard.ts';
import type { ResourceStore } from './state/store.ts';

export interface RuntimeOptions {
  /** What to watch, compiled (from crotel's config, or a kube-state-metrics config). */
  readonly resources: readonly CompiledResource[];
  readonly traces: TracesConfig;
  readonly apiServer: ApiServer;
  readonly logger: Logger;
  readonly host?: string;
  readonly port: number;
  readonly version: string;
  /** The environment, read (default: readSettings of `env`). */
  readonly settings?: Settings;
  /** Read into settings when those are not given (default process.env). */
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

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { logger, apiServer } = options;
  const settings = options.settings ?? readSettings(options.env ?? process.env);
  const elector = options.leaderElection
    ? new LeaderElector({
        apiServer,
        namespace: options.leaderElection.namespace,
        name: options.leaderElection.name,
        leaseDurationMs: options.leaderElection.leaseDurationMs,
        onChange: (leading) => logger.info({ leading }, leading ? 'became the leader: emitting spans and lifecycle metrics' : 'not the leader: tracking only'),
        onError: (error) => logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'leader election: lease not acquired or renewed'),
      })
    : undefined;
  const pipeline = createPipeline({
    resources: options.resources, traces: options.traces, settings, version: options.version, logger,
    watchers: apiserverWatchers(apiServer),
    ...(elector ? { leadership: elector } : {}),
    ...(options.shard ? { shard: options.shard } : {}),
    ...(options.redactor ? { redactor: options.redactor } : {}),
    ...(options.watchCoalesceMs !== undefined ? { watchCoalesceMs: options.watchCoalesceMs } : {}),
    ...(options.objectLimits ? { objectLimits: options.objectLimits } : {}),
    ...(options.discovery ? { discovery: options.discovery } : {}),
  });
  const { telemetry } = pipeline;

  const server = await startMetricsServer({
    host: options.host ?? '0.0.0.0',
    port: options.port,
    stores: () => pipeline.stores,
    selfExposition: (format) => telemetry.selfExposition(format),
    readiness: pipeline.readiness,
    onError: (error) => logger.error({ err: String(error) }, '/metrics failed'),
  });
  if (elector) {
    // Before the first list: objects first seen mid-episode continue the last leader's traces.
    const checkpoint = await elector.readCheckpoint().catch((error: unknown) => {
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'leader election: the Lease\'s open episodes could not be read; episodes in progress are placed from the objects alone');
      return undefined;
    });
    if (checkpoint !== undefined) logger.info({ episodes: pipeline.resumeEpisodes(checkpoint) }, 'open episodes read from the Lease');
  }
  pipeline.start();
  logger.info({ port: server.port, resources: pipeline.watching(), otlpMetrics: telemetry.otlpEnabled, traces: pipeline.tracing, ...(elector ? { leaseHolderIdentity: elector.identity } : {}) }, 'crotel started');

  return {
    port: server.port,
    telemetry,
    stores: pipeline.stores,
    tracing: pipeline.tracing,
    addResource: (resource, addOptions) => pipeline.addResource(resource, addOptions),
    removeResource: (id) => pipeline.removeResource(id),
    replaceResource: (previousId, resource) => pipeline.replaceResource(previousId, resource),
    async stop(timeoutMs = 8000) {
      await pipeline.stop(timeoutMs);
      await server.close();
    },
  };
}

export interface SignalOptions {
  readonly logger: Logger;
  /** Bound on the whole stop; past it the process exits 1. The runtime gets 80% of it. */
  readonly timeoutMs: number;
  /** Called first on a signal (e.g. stop polling for new kinds). */
  readonly beforeStop?: () => void;
}

/**
 * The process's life around a runtime: SIGTERM or SIGINT stops it gracefully and exits (0, or 1
 * when the stop fails or overruns); an unhandled rejection is counted and logged, never fatal.
 */
export function stopOnSignals(runtime: Runtime, options: SignalOptions): void {
  const { logger, timeoutMs } = options;
  // Nothing a handler or a library does asynchronously may take the process down.
  process.on('unhandledRejection', (reason) => {
    runtime.telemetry.self.internalError();
    logger.error({ err: String(reason) }, 'unhandled rejection (kept running)');
  });
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out');
      process.exit(1);
    }, timeoutMs);
    force.unref();
    options.beforeStop?.();
    runtime.stop(timeoutMs * 0.8).then(() => {
      logger.info('stopped');
      logger.flush();
      process.exit(0);
    }, (error: unknown) => {
      logger.error({ err: String(error) }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
