// Creating and driving DatabaseInstances the way a controller does: spec on create, status
// through the status subresource (a create drops status when the subresource is on).
import type { ControlPlane } from './control-plane.ts';

export const DB_PATH = '/apis/stable.example.com/v1';

export interface DbSpec { engine: 'postgres' | 'mysql'; version: string; storageGB: number }

export async function createInstance(cp: ControlPlane, namespace: string, name: string, spec: DbSpec, status?: Record<string, unknown>): Promise<string> {
  const res = await cp.raw('POST', `${DB_PATH}/namespaces/${namespace}/databaseinstances`, {
    apiVersion: 'stable.example.com/v1', kind: 'DatabaseInstance', metadata: { name, namespace }, spec,
  });
  if (res.status !== 201) throw new Error(`create ${namespace}/${name}: ${res.status} ${res.body}`);
  if (status) await setStatus(cp, namespace, name, status);
  return (JSON.parse(res.body) as { metadata: { uid: string } }).metadata.uid;
}

export async function setStatus(cp: ControlPlane, namespace: string, name: string, status: Record<string, unknown>): Promise<void> {
  const res = await cp.raw('PATCH', `${DB_PATH}/namespaces/${namespace}/databaseinstances/${name}/status`, { status });
  if (res.status !== 200) throw new Error(`status ${namespace}/${name}: ${res.status} ${res.body}`);
}

export async function deleteInstance(cp: ControlPlane, namespace: string, name: string): Promise<void> {
  const res = await cp.raw('DELETE', `${DB_PATH}/namespaces/${namespace}/databaseinstances/${name}`);
  if (res.status !== 200 && res.status !== 202) throw new Error(`delete ${namespace}/${name}: ${res.status} ${res.body}`);
}
