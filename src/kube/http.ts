// Authenticated HTTP to the apiserver, with client-node supplying kubeconfig, TLS and auth
// (token refresh, exec plugins) and undici doing the request. Only src/kube talks HTTP.
import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { fetch, type Response } from 'undici';

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

export async function kubeRequest(kc: KubeConfig, path: string, signal?: AbortSignal, method: KubeMethod = 'GET', body?: unknown): Promise<Response> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = cluster.server.replace(/\/+$/, '') + path;
  const ctx = new RequestContext(url, HttpMethod[method]);
  await kc.applySecurityAuthentication(ctx);
  const headers = ctx.getHeaders();
  headers.accept = 'application/json';
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method, headers, dispatcher: ctx.getDispatcher(), signal,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (response.status >= 200 && response.status < 300) return response;
  const text = await response.text().catch(() => '');
  let reason = '';
  let message = text.slice(0, 500);
  try {
    const status = JSON.parse(text) as { reason?: string; message?: string };
    reason = status.reason ?? '';
    message = status.message ?? message;
  } catch {
    // not a Status object: keep the raw text
  }
  throw new KubeHttpError(response.status, reason, `${method} ${path}: HTTP ${response.status}${message ? `: ${message}` : ''}`);
}

export async function kubeGetJson<T>(kc: KubeConfig, path: string, signal?: AbortSignal): Promise<T> {
  const response = await kubeRequest(kc, path, signal);
  return (await response.json()) as T;
}

export async function kubeSendJson<T>(kc: KubeConfig, method: KubeMethod, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const response = await kubeRequest(kc, path, signal, method, body);
  return (await response.json()) as T;
}
