// Small helpers tests use against the real apiserver: apply CRDs from YAML and wait for them.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { ControlPlane } from './control-plane.ts';
import { waitFor } from './processes.ts';

export function readYamlDocuments(path: string): Record<string, unknown>[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((doc) => doc.toJS() as unknown)
    .filter((doc): doc is Record<string, unknown> => typeof doc === 'object' && doc !== null);
}

/** Creates every CRD in the file and waits until each is Established. */
export async function applyCrds(cp: ControlPlane, path: string): Promise<string[]> {
  const names: string[] = [];
  for (const crd of readYamlDocuments(path)) {
    const res = await cp.raw('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    if (res.status !== 201 && res.status !== 409) throw new Error(`creating CRD from ${path}: ${res.status} ${res.body}`);
    const name = (crd.metadata as { name: string }).name;
    names.push(name);
    await waitFor(`CRD ${name} Established`, async () => {
      const got = await cp.raw('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
      const conditions = (JSON.parse(got.body) as { status?: { conditions?: { type: string; status: string }[] } })
        .status?.conditions ?? [];
      return conditions.some((c) => c.type === 'Established' && c.status === 'True');
    }, 30_000);
    // Established can come before the new REST endpoint serves; a watch opened in between 404s.
    const spec = crd.spec as { group: string; names: { plural: string }; versions: { name: string; served: boolean }[] };
    for (const v of spec.versions.filter((x) => x.served)) {
      await waitFor(`${name} ${v.name} served`, async () =>
        (await cp.raw('GET', `/apis/${spec.group}/${v.name}/${spec.names.plural}?limit=1`)).status === 200, 30_000);
    }
  }
  return names;
}

export async function ensureNamespace(cp: ControlPlane, name: string): Promise<void> {
  const res = await cp.raw('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  if (res.status !== 201 && res.status !== 409) throw new Error(`creating namespace ${name}: ${res.status} ${res.body}`);
}
