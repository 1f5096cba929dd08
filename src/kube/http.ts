// Authenticated HTTP to the apiserver: credentials.ts supplies headers and TLS options per
// request (rotated files, exec plugins), undici does the request. Only src/kube talks HTTP.
// Requests share one kept-alive HTTP/1.1 pool per TLS identity (client-node's fetch path built a
// new pool per request, spoke HTTP/2 and wrapped every chunk in WHATWG-stream promises); watches
// read their own connection (watch-stream.ts).
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
import type { ApiServer, RequestCredentials } from './credentials.ts';

/** An apiserver answer that was not 2xx: carries the HTTP code and the Status message. */
export class KubeHttpError extends Error {
  readonly code: number;
  readonly reason: string;
  /** The server's Retry-After on a 429 or 5xx answer, in ms (see retryAfterMs). */
  readonly retryAfterMs: number | undefined;
  constructor(code: number, reason: string, message: string, retryAfterMs?: number) {
    super(message);
    this.name = 'KubeHttpError';
    this.code = code;
    this.reason = reason;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Retry-After as client-go reads it: whole seconds, and only on 429 (priority and fairness, an
 * apiserver still starting) or a 5xx. The HTTP-date form is not used by the apiserver.
 */
export function retryAfterMs(status: number, header: string | string[] | undefined): number | undefined {
  if (status !== 429 && status < 500) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\s*\d{1,5}\s*$/.test(value)) return undefined;
  return Number(value) * 1000;
}

export type KubeMethod = 'GET' | 'POST' | 'PUT';

/** How long an idle pooled connection is kept (see dispatcherFor). */
const IDLE_CONNECTION_MS = 15_000;

/** A 2xx answer; `body` is a Node stream of the response bytes. */
export type KubeResponse = Dispatcher.ResponseData;

/** One connection pool per ApiServer, for its TLS identity or proxy; replaced (the old one
 *  closed once idle) when the certificate files rotate. */
const pools = new WeakMap<ApiServer, { readonly key: string; readonly dispatcher: Dispatcher }>();

function pooled(api: ApiServer, key: string, create: () => Dispatcher): Dispatcher {
  let pool = pools.get(api);
  if (pool?.key !== key) {
    void pool?.dispatcher.close().catch(() => undefined); // lets its open requests finish
    pool = { key, dispatcher: create() };
    pools.set(api, pool);
  }
  return pool.dispatcher;
}

/** How to reach the apiserver directly: auth headers and TLS options; undefined behind a proxy. */
export type DirectConnection = RequestCredentials;

/** Asked before each request, so rotated tokens and certificate files are picked up. */
export async function directConnection(api: ApiServer): Promise<DirectConnection | undefined> {
  if (api.proxyUrl) return undefined;
  return api.credentials();
}

/** The pool for requests made with `used`: direct, or through the kubeconfig's proxy-url. */
function dispatcherFor(api: ApiServer, used: RequestCredentials): Dispatcher {
  const key = JSON.stringify(used.tls);
  const { proxyUrl } = api;
  if (proxyUrl) {
    // undici's ProxyAgent: CONNECT through http/https proxies (credentials in the URL become
    // Proxy-Authorization), SOCKS5 through its Socks5ProxyAgent.
    return pooled(api, `proxy ${key}`, () => new ProxyAgent({ uri: proxyUrl, requestTls: { ...used.tls }, allowH2: false, keepAliveTimeout: IDLE_CONNECTION_MS, keepAliveMaxTimeout: IDLE_CONNECTION_MS }));
  }
  // keepAliveInitialDelay as client-go: below cloud load balancers' idle timeouts. An idle
  // connection is kept 15 s (undici's default is 4 s): longer than a silent watch's probe period
  // (10 s, reflector.ts), so the probes reuse one connection instead of paying a TLS handshake
  // each, which was most of an idle crotel's CPU; short, so a connection gone half-open while
  // idle is seldom the one a request picks.
  return pooled(api, key, () => new Agent({ allowH2: false, keepAliveTimeout: IDLE_CONNECTION_MS, keepAliveMaxTimeout: IDLE_CONNECTION_MS, connect: { ...used.tls, keepAlive: true, keepAliveInitialDelay: 30_000 } }));
}

/** A 401 tells the credentials their cached exec token or certificate is no good any more. */
export function noteRejection(api: ApiServer, used: RequestCredentials, error: unknown): void {
  if (error instanceof KubeHttpError && error.code === 401) api.rejected(used);
}

/** Header values as undici takes them (a list becomes repeated headers). */
function headerRecord(headers: RequestCredentials['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = typeof value === 'string' ? value : [...value];
  return out;
}

/** A 2xx status. */
export function ok(status: number): boolean {
  return status >= 200 && status < 300;
}

/** A non-2xx answer as an error carrying the Status object's reason and message. */
export function httpError(status: number, method: string, path: string, text: string, retryAfter?: string | string[]): KubeHttpError {
  let reason = '';
  let message = text.slice(0, 500);
  try {
    const answer = JSON.parse(text) as { reason?: string; message?: string };
    reason = answer.reason ?? '';
    message = answer.message ?? message;
  } catch {
    // not a Status object: keep the raw text
  }
  return new KubeHttpError(status, reason, `${method} ${path}: HTTP ${status}${message ? `: ${message}` : ''}`, retryAfterMs(status, retryAfter));
}

/** The URL of `path` on the apiserver. */
export function apiUrl(api: ApiServer, path: string): string {
  return api.server + path;
}

export async function kubeRequest(api: ApiServer, path: string, signal?: AbortSignal, method: KubeMethod = 'GET', body?: unknown): Promise<KubeResponse> {
  const url = apiUrl(api, path);
  const used = await api.credentials();
  const headers = headerRecord(used.headers);
  headers.accept = 'application/json';
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await request(url, {
    method, headers, dispatcher: dispatcherFor(api, used), signal,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const status = response.statusCode;
  if (ok(status)) return response;
  const text = await response.body.text().catch(() => '');
  const error = httpError(status, method, path, text, response.headers['retry-after']);
  noteRejection(api, used, error);
  throw error;
}

export async function kubeGetJson<T>(api: ApiServer, path: string, signal?: AbortSignal): Promise<T> {
  const response = await kubeRequest(api, path, signal);
  return (await response.body.json()) as T;
}

export async function kubeSendJson<T>(api: ApiServer, method: KubeMethod, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const response = await kubeRequest(api, path, signal, method, body);
  return (await response.body.json()) as T;
}
