// Authenticated HTTP to the apiserver, with client-node supplying kubeconfig, TLS and auth
// (token refresh, exec plugins) and undici doing the request. Only src/kube talks HTTP.
// Why not client-node's fetch path: it builds a new connection pool per request, speaks HTTP/2
// and wraps every chunk in WHATWG-stream promises. Requests here share one kept-alive HTTP/1.1
// pool per TLS identity; watches read their own connection (watch-stream.ts).
import type { RequestOptions } from 'node:https';
import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { Agent, request, type Dispatcher } from 'undici';

/** An apiserver answer that was not 2xx: carries the HTTP code and the Status message. */
export class KubeHttpError extends Error {
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.name = 'KubeHttpError';
    this.code = code;
    this.reason = reason;
  }
}

export type KubeMethod = 'GET' | 'POST' | 'PUT';

/** A 2xx answer; `body` is a Node stream of the response bytes. */
export type KubeResponse = Dispatcher.ResponseData;

interface Credentials {
  readonly headers: Record<string, string>;
  readonly dispatcher: Dispatcher | undefined;
}

/** One connection pool per KubeConfig, for its TLS identity or proxy; replaced (the old one
 *  closed once idle) when the certificate files rotate. */
const pools = new WeakMap<KubeConfig, { readonly key: string; readonly dispatcher: Dispatcher }>();

function pooled(kc: KubeConfig, key: string, create: () => Dispatcher): Dispatcher {
  let pool = pools.get(kc);
  if (pool?.key !== key) {
    void pool?.dispatcher.close().catch(() => undefined); // lets its open requests finish
    pool = { key, dispatcher: create() };
    pools.set(kc, pool);
  }
  return pool.dispatcher;
}

const TLS_FIELDS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

/** How to reach the apiserver directly: auth headers and TLS options; undefined behind a proxy. */
export interface DirectConnection {
  readonly headers: Record<string, string>;
  readonly tls: Readonly<Record<string, unknown>>;
}

/** Asked before each request, so rotated tokens and certificate files are picked up. */
export async function directConnection(kc: KubeConfig): Promise<DirectConnection | undefined> {
  if (kc.getCurrentCluster()?.proxyUrl) return undefined;
  const options: RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) if (value !== undefined) headers[name.toLowerCase()] = String(value);
  if (options.auth) headers.authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
  const tls: Record<string, unknown> = {};
  for (const field of TLS_FIELDS) if (options[field] !== undefined) tls[field] = options[field];
  return { headers, tls };
}

/** Headers and connection pool for the next request. */
async function credentials(kc: KubeConfig, url: string, method: KubeMethod): Promise<Credentials> {
  const direct = await directConnection(kc);
  if (!direct) {
    // Proxies (HTTP, SOCKS) are client-node's business: its headers per request, and its
    // dispatcher, kept like ours (it builds a new one per request).
    const ctx = new RequestContext(url, HttpMethod[method]);
    await kc.applySecurityAuthentication(ctx);
    const proxied = ctx.getDispatcher();
    return { headers: ctx.getHeaders(), dispatcher: proxied && pooled(kc, `proxy ${kc.getCurrentCluster()?.proxyUrl}`, () => proxied) };
  }
  // keepAliveInitialDelay as client-node and client-go: below cloud load balancers' idle timeouts.
  const dispatcher = pooled(kc, JSON.stringify(direct.tls), () => new Agent({ allowH2: false, connect: { ...direct.tls, keepAlive: true, keepAliveInitialDelay: 30_000 } }));
  return { headers: { ...direct.headers }, dispatcher };
}

/** A 2xx status. */
export function ok(status: number): boolean {
  return status >= 200 && status < 300;
}

/** A non-2xx answer as an error carrying the Status object's reason and message. */
export function httpError(status: number, method: string, path: string, text: string): KubeHttpError {
  let reason = '';
  let message = text.slice(0, 500);
  try {
    const answer = JSON.parse(text) as { reason?: string; message?: string };
    reason = answer.reason ?? '';
    message = answer.message ?? message;
  } catch {
    // not a Status object: keep the raw text
  }
  return new KubeHttpError(status, reason, `${method} ${path}: HTTP ${status}${message ? `: ${message}` : ''}`);
}

/** The URL of `path` on the kubeconfig's current cluster. */
export function apiUrl(kc: KubeConfig, path: string): string {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  return cluster.server.replace(/\/+$/, '') + path;
}

export async function kubeRequest(kc: KubeConfig, path: string, signal?: AbortSignal, method: KubeMethod = 'GET', body?: unknown): Promise<KubeResponse> {
  const url = apiUrl(kc, path);
  const { headers, dispatcher } = await credentials(kc, url, method);
  headers.accept = 'application/json';
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await request(url, {
    method, headers, dispatcher, signal,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const status = response.statusCode;
  if (ok(status)) return response;
  const text = await response.body.text().catch(() => '');
  throw httpError(status, method, path, text);
}

export async function kubeGetJson<T>(kc: KubeConfig, path: string, signal?: AbortSignal): Promise<T> {
  const response = await kubeRequest(kc, path, signal);
  return (await response.body.json()) as T;
}

export async function kubeSendJson<T>(kc: KubeConfig, method: KubeMethod, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const response = await kubeRequest(kc, path, signal, method, body);
  return (await response.body.json()) as T;
}
