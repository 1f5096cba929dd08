// Finds the plural and scope of a group/version/kind from the apiserver's discovery API,
// so users configure kinds, not REST paths.
import type { ApiServer } from './credentials.ts';
import type { ResourceRef } from '../model.ts';
import { KubeHttpError, kubeGetJson } from './http.ts';

export interface ResolvedResource {
  readonly ref: ResourceRef;
  readonly plural: string;
  readonly namespaced: boolean;
}

/** Thrown when the apiserver does not serve the kind (yet): its CRD is missing or not established. */
export class ResourceNotServedError extends Error {
  constructor(ref: ResourceRef) {
    super(`${ref.kind} is not served at ${groupVersionPath(ref)} (is its CRD installed?)`);
    this.name = 'ResourceNotServedError';
  }
}

export function groupVersionPath(ref: ResourceRef): string {
  return ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
}

interface APIResourceList {
  resources: { name: string; kind: string; namespaced: boolean }[];
}

export async function discoverResource(kc: ApiServer, ref: ResourceRef, signal?: AbortSignal): Promise<ResolvedResource> {
  let list: APIResourceList;
  try {
    list = await kubeGetJson<APIResourceList>(kc, groupVersionPath(ref), signal);
  } catch (error) {
    if (error instanceof KubeHttpError && error.code === 404) throw new ResourceNotServedError(ref);
    throw error;
  }
  // Subresources (`x/status`) share the kind; the collection is the one without a slash.
  const match = list.resources.find((r) => r.kind === ref.kind && !r.name.includes('/'));
  if (!match) throw new ResourceNotServedError(ref);
  return { ref, plural: match.name, namespaced: match.namespaced };
}

/** Collection path for list/watch, across all namespaces or in one. */
export function collectionPath(resource: ResolvedResource, namespace?: string): string {
  const base = groupVersionPath(resource.ref);
  return resource.namespaced && namespace
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}`
    : `${base}/${resource.plural}`;
}

/** Every CustomResourceDefinition, raw, listed in pages (for `crotel rbac --from-cluster`). */
export async function listCustomResourceDefinitions(kc: ApiServer, signal?: AbortSignal): Promise<unknown[]> {
  const items: unknown[] = [];
  let token: string | undefined;
  do {
    const query = new URLSearchParams({ limit: '500', ...(token ? { continue: token } : {}) });
    const page = await kubeGetJson<{ items?: unknown[]; metadata?: { continue?: string } }>(kc, `/apis/apiextensions.k8s.io/v1/customresourcedefinitions?${query}`, signal);
    items.push(...(page.items ?? []));
    token = page.metadata?.continue || undefined;
  } while (token);
  return items;
}
