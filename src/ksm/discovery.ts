// Lists the cluster's CRDs once, for resolving wildcard entries at start.
import type { ApiServer } from '../kube/credentials.ts';
import { kubeGetJson } from '../kube/http.ts';
import { crdInfo, type CrdInfo } from './resolve.ts';

export async function listCrds(apiServer: ApiServer, signal?: AbortSignal): Promise<CrdInfo[]> {
  const list = await kubeGetJson<{ items?: unknown[] }>(apiServer, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', signal);
  return (list.items ?? []).map(crdInfo).filter((c): c is CrdInfo => c !== undefined);
}
