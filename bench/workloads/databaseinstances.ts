// Step 1: fills the apiserver with N DatabaseInstances across the bench namespaces, the way a
// controller does it: POST the spec, then a merge patch of the full status on /status (a create
// drops status when the subresource is on). Bounded concurrency over keep-alive connections.
import { DB_GROUP_VERSION, forEachConcurrent, type ApiClient, type ApiResponse } from '../lib/api.ts';
import { now, sleep } from '../lib/stats.ts';

export interface InstanceRef {
  readonly namespace: string;
  readonly name: string;
}

export function namespaceName(index: number): string {
  return `bench-${String(index).padStart(2, '0')}`;
}

/** Object i lives in namespace i mod namespaces; names are unique across the run. */
export function instanceRef(index: number, namespaces: number): InstanceRef {
  return { namespace: namespaceName(index % namespaces), name: `db-${String(index).padStart(6, '0')}` };
}

export function instancePath(ref: InstanceRef): string {
  return `${DB_GROUP_VERSION}/namespaces/${ref.namespace}/databaseinstances/${ref.name}`;
}

const PHASES = ['Running', 'Running', 'Running', 'Running', 'Running', 'Running', 'Running', 'Running', 'Failed', 'Provisioning'] as const;
const LOAD_BACKUP_BASE_MS = Date.UTC(2026, 0, 1);

function specOf(index: number): { engine: 'postgres' | 'mysql'; version: string; storageGB: number } {
  const mysql = index % 3 === 0;
  return { engine: mysql ? 'mysql' : 'postgres', version: mysql ? '8.0' : ['14', '15', '16'][index % 3]!, storageGB: 10 + (index % 100) * 10 };
}

function statusOf(index: number): Record<string, unknown> {
  const phase = PHASES[index % PHASES.length]!;
  const ready = phase === 'Running';
  return {
    phase,
    connectionString: `postgres://app${index}:s3cret-${index}@db-${index}.internal:5432/app`,
    lastBackupTime: new Date(LOAD_BACKUP_BASE_MS + index * 60_000).toISOString().replace('.000Z', 'Z'),
    conditions: [{
      type: 'Ready',
      status: ready ? 'True' : 'False',
      reason: ready ? 'DatabaseReady' : phase,
      message: ready ? 'Database is provisioned and ready' : `Database is ${phase.toLowerCase()}`,
      lastTransitionTime: new Date(LOAD_BACKUP_BASE_MS - 3_600_000).toISOString().replace('.000Z', 'Z'),
    }],
  };
}

/** Retries throttling and transient server errors a few times, as a controller would. */
export async function withRetry(what: string, call: () => Promise<ApiResponse>, ok: (status: number) => boolean): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const res = await call();
    if (ok(res.status)) return;
    const transient = res.status === 429 || res.status >= 500;
    if (!transient || attempt >= 5) throw new Error(`${what}: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    await sleep(100 * 2 ** attempt);
  }
}

export interface LoadResult {
  readonly objects: number;
  readonly requests: number;
  readonly seconds: number;
}

export async function ensureNamespaces(api: ApiClient, namespaces: number): Promise<void> {
  await forEachConcurrent(namespaces, 8, async (i) => {
    const name = namespaceName(i);
    await withRetry(`namespace ${name}`, () => api.send('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
      (s) => s === 201 || s === 409);
  });
}

export async function loadInstances(api: ApiClient, options: { objects: number; namespaces: number; concurrency: number; onProgress?: (done: number) => void }): Promise<LoadResult> {
  const started = now();
  let done = 0;
  await forEachConcurrent(options.objects, options.concurrency, async (i) => {
    const ref = instanceRef(i, options.namespaces);
    await withRetry(`create ${ref.namespace}/${ref.name}`, () => api.send('POST', `${DB_GROUP_VERSION}/namespaces/${ref.namespace}/databaseinstances`, {
      apiVersion: 'stable.example.com/v1', kind: 'DatabaseInstance', metadata: { name: ref.name, namespace: ref.namespace }, spec: specOf(i),
    }), (s) => s === 201 || s === 409);
    await withRetry(`status ${ref.namespace}/${ref.name}`, () => api.send('PATCH', `${instancePath(ref)}/status`, { status: statusOf(i) }), (s) => s === 200);
    done++;
    if (options.onProgress && done % 5000 === 0) options.onProgress(done);
  });
  return { objects: options.objects, requests: options.objects * 2, seconds: (now() - started) / 1000 };
}
