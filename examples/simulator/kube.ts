// The few apiserver calls the simulator makes, with client-node supplying kubeconfig, TLS and
// auth (the same way crotel's src/kube/http.ts does) and undici doing the request.
import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { fetch } from 'undici';

export interface KubeAnswer { status: number; body: string }

export class KubeClient {
  private readonly kc: KubeConfig;
  constructor(kc: KubeConfig) {
    this.kc = kc;
  }

  async request(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<KubeAnswer> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const url = cluster.server.replace(/\/+$/, '') + path;
    const ctx = new RequestContext(url, HttpMethod[method]);
    await this.kc.applySecurityAuthentication(ctx);
    const headers = ctx.getHeaders();
    headers.accept = 'application/json';
    if (body !== undefined) headers['content-type'] = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
    const res = await fetch(url, {
      method, headers, dispatcher: ctx.getDispatcher(),
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, body: await res.text() };
  }

  /** Like request(), but throws unless the status is one of `ok`. */
  async expect(ok: readonly number[], method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<KubeAnswer> {
    const answer = await this.request(method, path, body);
    if (!ok.includes(answer.status)) throw new Error(`${method} ${path}: HTTP ${answer.status}: ${answer.body.slice(0, 300)}`);
    return answer;
  }
}
