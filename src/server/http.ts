// The HTTP surface: /metrics (Prometheus text), /healthz (process alive), /readyz (every
// watched resource listed at least once). Nothing here computes metrics; it only joins them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResourceStore } from '../state/store.ts';
import { writeExposition } from '../metrics/exposition.ts';

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
  readonly selfExposition: () => Promise<string>;
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
      (async () => {
        const trailer = await options.selfExposition();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        await writeExposition(options.stores(), res, trailer);
        res.end();
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
