// The HTTP surface: /metrics (Prometheus text 0.0.4, or OpenMetrics 1.0 when asked; gzip when
// the scraper accepts it), /healthz (process alive), /readyz (every
// watched resource listed at least once). Nothing here computes metrics; it only joins them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResourceStore } from '../state/store.ts';
import { createGzip } from 'node:zlib';
import { writeExposition } from '../metrics/exposition.ts';
import { CONTENT_TYPES, type ExpositionFormat } from '../metrics/prometheus-text.ts';
import { acceptsGzip, negotiateFormat } from './negotiate.ts';

export interface Readiness {
  /** Descriptions of what has not synced yet, with its last error; empty when ready. */
  pending(): string[];
  /** Failing now although readiness was reached (e.g. a kind added later that is forbidden); shown, not gating. */
  failing?(): string[];
}

export interface MetricsServerOptions {
  readonly host: string;
  readonly port: number;
  readonly stores: () => readonly ResourceStore[];
  readonly selfExposition: (format: ExpositionFormat) => Promise<string>;
  readonly readiness: Readiness;
  readonly onError: (error: unknown) => void;
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      const format = negotiateFormat(req.headers.accept);
      const gzip = acceptsGzip(req.headers['accept-encoding']);
      (async () => {
        const trailer = (await options.selfExposition(format)) + (format === 'openmetrics' ? '# EOF\n' : '');
        res.writeHead(200, {
          'content-type': CONTENT_TYPES[format],
          vary: 'Accept, Accept-Encoding',
          ...(gzip ? { 'content-encoding': 'gzip' } : {}),
        });
        if (req.method === 'HEAD') {
          res.end();
          return;
        }
        // Chunks are compressed as they are rendered: a large scrape is never held whole.
        const body = gzip ? createGzip({ level: 1 }) : res;
        if (gzip) {
          body.pipe(res);
          body.on('error', (error) => {
            options.onError(error);
            res.destroy();
          });
        }
        await writeExposition(options.stores(), body, trailer, format);
        body.end();
      })().catch((error: unknown) => {
        options.onError(error);
        if (!res.headersSent) res.writeHead(500).end('collection failed\n');
        else res.destroy();
      });
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (path === '/readyz') {
      const pending = options.readiness.pending();
      const failing = options.readiness.failing?.() ?? [];
      const failingText = failing.length === 0 ? '' : `failing:\n${failing.map((p) => `- ${p}`).join('\n')}\n`;
      res.writeHead(pending.length === 0 ? 200 : 503, { 'content-type': 'text/plain' })
        .end(pending.length === 0 ? `ok\n${failingText}` : `not synced:\n${pending.map((p) => `- ${p}`).join('\n')}\n${failingText}`);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics, /healthz, /readyz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
