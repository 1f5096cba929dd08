// The few apiserver calls the simulator makes, with crotel's own kubeconfig loading supplying
// headers and TLS options per request (src/kube/credentials.ts) and undici doing the request.
import { Agent, fetch } from 'undici';
import type { ApiServer } from '../../src/kube/credentials.ts';

export interface KubeAnswer { status: number; body: string }

export class KubeClient {
  private readonly api: ApiServer;
  private pool: { key: string; agent: Agent } | undefined;
  constructor(api: ApiServer) {
    this.api = api;
  }

  async request(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<KubeAnswer> {
    const { headers: auth, tls } = await this.api.credentials();
    const key = JSON.stringify(tls);
    if (this.pool?.key !== key) {
      void this.pool?.agent.close();
      this.pool = { key, agent: new Agent({ connect: { ...tls } }) };
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(auth)) headers[name] = typeof value === 'string' ? value : value.join(', ');
    headers.accept = 'application/json';
    if (body !== undefined) headers['content-type'] = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
    const res = await fetch(this.api.server + path, {
      method, headers, dispatcher: this.pool.agent,
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
