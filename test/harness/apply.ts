// Creates (or replaces) plain Kubernetes objects from YAML text through the REST API, for tests
// that apply generated manifests such as `crotel rbac` output.
import { parseAllDocuments } from 'yaml';
import type { ControlPlane } from '../../harness/control-plane.ts';

const PATHS: Record<string, { base: string; plural: string; namespaced: boolean }> = {
  ServiceAccount: { base: '/api/v1', plural: 'serviceaccounts', namespaced: true },
  Namespace: { base: '/api/v1', plural: 'namespaces', namespaced: false },
  ClusterRole: { base: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { base: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterrolebindings', namespaced: false },
  Role: { base: '/apis/rbac.authorization.k8s.io/v1', plural: 'roles', namespaced: true },
  RoleBinding: { base: '/apis/rbac.authorization.k8s.io/v1', plural: 'rolebindings', namespaced: true },
};

export interface KubeObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: unknown;
}

export function parseObjects(yamlText: string): KubeObject[] {
  return parseAllDocuments(yamlText).map((d) => d.toJS() as KubeObject).filter(Boolean);
}

export function objectPath(o: KubeObject): string {
  const p = PATHS[o.kind];
  if (!p) throw new Error(`apply: unsupported kind ${o.kind}`);
  const ns = p.namespaced ? `/namespaces/${o.metadata.namespace ?? 'default'}` : '';
  return `${p.base}${ns}/${p.plural}`;
}

/** Creates each object, or replaces it when it exists. */
export async function applyObjects(cp: ControlPlane, objects: readonly KubeObject[]): Promise<void> {
  for (const o of objects) {
    const collection = objectPath(o);
    let res = await cp.raw('POST', collection, o);
    if (res.status === 409) {
      const current = JSON.parse((await cp.raw('GET', `${collection}/${o.metadata.name}`)).body) as KubeObject;
      res = await cp.raw('PUT', `${collection}/${o.metadata.name}`, { ...o, metadata: { ...o.metadata, resourceVersion: (current.metadata as { resourceVersion?: string }).resourceVersion } });
    }
    if (res.status >= 300) throw new Error(`apply ${o.kind} ${o.metadata.name}: ${res.status} ${res.body}`);
  }
}

/** A bearer token for a service account (TokenRequest API). */
export async function serviceAccountToken(cp: ControlPlane, namespace: string, name: string): Promise<string> {
  const res = await cp.raw('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 },
  });
  if (res.status !== 201) throw new Error(`token for ${namespace}/${name}: ${res.status} ${res.body}`);
  return (JSON.parse(res.body) as { status: { token: string } }).status.token;
}
