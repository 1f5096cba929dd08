// The bench's own HTTP client to the apiserver: an undici Pool with keep-alive connections
// (the harness's cp.raw opens a TLS connection per request, far too slow for 10^5 objects).
import { Pool } from 'undici';
import type { ControlPlane } from '../../harness/control-plane.ts';

export const DB_GROUP_VERSION = '/apis/stable.example.com/v1';

export interface ApiResponse {
  readonly status: number;
  readonly body: string;
}

export class ApiClient {
  private readonly pool: Pool;
  private readonly token: string;

  constructor(cp: ControlPlane, connections: number) {
    this.pool = new Pool(cp.server, {
      connections,
      pipelining: 1,
      connect: { ca: cp.caCertPem, rejectUnauthorized: true },
      keepAliveTimeout: 60_000,
    });
    this.token = cp.adminToken;
  }

  private headers(contentType?: string): Record<string, string> {
    return {
      authorization: `Bearer ${this.token}`,
      accept: 'application/json',
      ...(contentType ? { 'content-type': contentType } : {}),
    };
  }

  /** One request with a JSON body (merge-patch for PATCH); the whole answer as text. */
  async send(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<ApiResponse> {
    const res = await this.pool.request({
      method,
      path,
      headers: this.headers(body === undefined ? undefined : method === 'PATCH' ? 'application/merge-patch+json' : 'application/json'),
      body: body === undefined ? null : JSON.stringify(body),
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
    });
    return { status: res.statusCode, body: await res.body.text() };
  }

  /** GET returning the raw body bytes (for timing decode separately from transfer). */
  async getBytes(path: string): Promise<{ status: number; bytes: Buffer }> {
    const res = await this.pool.request({ method: 'GET', path, headers: this.headers(), headersTimeout: 120_000, bodyTimeout: 120_000 });
    return { status: res.statusCode, bytes: Buffer.from(await res.body.arrayBuffer()) };
  }

  /** A long-running GET (a watch) whose body chunks go to onChunk until the signal aborts. */
  async stream(path: string, signal: AbortSignal, onChunk: (chunk: Buffer) => void): Promise<void> {
    const res = await this.pool.request({ method: 'GET', path, headers: this.headers(), signal, headersTimeout: 60_000, bodyTimeout: 0 });
    if (res.statusCode !== 200) throw new Error(`GET ${path}: HTTP ${res.statusCode}: ${(await res.body.text()).slice(0, 300)}`);
    try {
      for await (const chunk of res.body) onChunk(chunk as Buffer);
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/** Runs `work(i)` for i in [0, total) with at most `concurrency` in flight; rethrows the first error. */
export async function forEachConcurrent(total: number, concurrency: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (failure === undefined) {
      const index = next++;
      if (index >= total) return;
      try {
        await work(index);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
}
