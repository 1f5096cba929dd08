// Wires one running crotel: compiled resources → reflectors → stores → /metrics and OTLP.
// Owns start and graceful stop; the stages themselves live in their folders.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Config } from './config/index.ts';
import { compileConfig } from './extract/index.ts';
import { Reflector } from './kube/reflector.ts';
import { renderSnapshot } from './metrics/prometheus-text.ts';
import { createTelemetry, type Telemetry } from './metrics/telemetry.ts';
import { startMetricsServer, type MetricsServer } from './server/http.ts';
import { SeriesBudget } from './state/budget.ts';
import { ResourceStore } from './state/store.ts';

export interface RuntimeOptions {
  readonly config: Config;
  readonly kubeConfig: KubeConfig;
  readonly logger: Logger;
  readonly host?: string;
  readonly port: number;
  readonly version: string;
}

export interface Runtime {
  readonly port: number;
  readonly telemetry: Telemetry;
  readonly stores: readonly ResourceStore[];
  stop(): Promise<void>;
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { logger } = options;
  const stores: ResourceStore[] = [];
  const reflectors: Reflector[] = [];
  const telemetry = createTelemetry({ version: options.version, stores: () => stores });
  const self = telemetry.self;
  const budget = new SeriesBudget((family, count) => {
    self.dropped(family.name, count);
    logger.warn({ metric: family.name, limit: family.cardinalityLimit, dropped: count }, 'cardinality limit reached: series dropped');
  });

  for (const resource of compileConfig(options.config)) {
    const namespaces = resource.namespaces.length > 0 ? resource.namespaces : [undefined];
    for (const namespace of namespaces) {
      const id = namespace ? `${resource.id}@${namespace}` : resource.id;
      const store = new ResourceStore(resource, budget, {
        render: renderSnapshot,
        invalidObject: (_r, reason) => {
          self.invalidObject(resource.id);
          logger.warn({ resource: id, reason }, 'object skipped: unreadable');
        },
        extractionErrors: (_r, snapshot) => {
          for (const error of snapshot.errors) self.extractionError(resource.id, error.path);
          logger.debug({ resource: id, namespace: snapshot.namespace, name: snapshot.name, errors: snapshot.errors }, 'fields skipped');
        },
      });
      const reflector = new Reflector({
        kubeConfig: options.kubeConfig,
        ref: resource.ref,
        namespace,
        labelSelector: resource.labelSelector,
        sink: store,
        observer: {
          listStarted: () => self.listStarted(resource.id),
          listCompleted: (seconds, objects) => {
            self.listCompleted(resource.id, seconds);
            logger.info({ resource: id, objects, seconds: Number(seconds.toFixed(3)) }, 'listed');
          },
          watchStarted: () => self.watchStarted(resource.id),
          relist: (reason) => {
            self.relist(resource.id, reason);
            logger.info({ resource: id, reason }, 'relisting');
          },
          failed: (stage, error) => {
            self.reflectorError(resource.id, stage);
            logger.error({ resource: id, stage, err: error instanceof Error ? error.message : String(error) }, `${stage} failed; retrying with backoff`);
          },
        },
      });
      self.track(id, {
        objects: () => store.entries.size,
        watching: () => reflector.state === 'watching',
        synced: () => reflector.synced,
      });
      stores.push(store);
      reflectors.push(reflector);
    }
  }

  const server: MetricsServer = await startMetricsServer({
    host: options.host ?? '0.0.0.0',
    port: options.port,
    stores: () => stores,
    selfExposition: () => telemetry.selfExposition(),
    readiness: {
      pending: () => reflectors.filter((r) => !r.synced).map((r) => `${r.description} (${r.state}${r.lastError ? `: ${r.lastError}` : ''})`),
    },
    onError: (error) => logger.error({ err: String(error) }, '/metrics failed'),
  });
  for (const reflector of reflectors) reflector.start();
  logger.info({ port: server.port, resources: reflectors.map((r) => r.description), otlp: telemetry.otlpEnabled }, 'crotel started');

  return {
    port: server.port,
    telemetry,
    stores,
    async stop() {
      await Promise.all(reflectors.map((r) => r.stop()));
      // Push the last state before going: a final OTLP export, bounded by the exporter timeout.
      await telemetry.flush().catch((error: unknown) => logger.warn({ err: String(error) }, 'final metrics flush failed'));
      await telemetry.shutdown().catch(() => {});
      await server.close();
    },
  };
}
