// The foundation's promises: a real apiserver with CRDs, the status subresource, watches
// seen through @kubernetes/client-node, and RBAC actually enforced.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiException, CustomObjectsApi, Watch } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../../harness/control-plane.ts';
import { applyCrds } from '../../harness/kube.ts';
import { waitFor } from '../../harness/processes.ts';

const CRD = new URL('../../examples/databaseinstance/crd.yaml', import.meta.url).pathname;
const group = 'stable.example.com';
const version = 'v1';
const plural = 'databaseinstances';

let cp: ControlPlane;
before(async () => {
  cp = await startControlPlane();
});
after(async () => {
  await cp?.stop();
});

interface Seen {
  type: string;
  name: string;
  phase?: string;
  generation?: number;
}

test('DatabaseInstance CRD: create, status update, delete are each seen through a client-node watch', async () => {
  await applyCrds(cp, CRD);
  const kc = cp.kubeConfig();
  const api = kc.makeApiClient(CustomObjectsApi);
  const seen: Seen[] = [];
  const watchErrors: string[] = [];
  const watch = new Watch(kc);
  const controller = await watch.watch(
    `/apis/${group}/${version}/namespaces/default/${plural}`,
    {},
    (type: string, obj: { metadata: { name: string; generation?: number }; status?: { phase?: string } }) => {
      seen.push({ type, name: obj.metadata.name, phase: obj.status?.phase, generation: obj.metadata.generation });
    },
    (error: unknown) => {
      if (error) watchErrors.push(String(error));
    },
  );
  try {
    await api.createNamespacedCustomObject({
      group, version, plural, namespace: 'default',
      body: {
        apiVersion: `${group}/${version}`, kind: 'DatabaseInstance',
        metadata: { name: 'my-test-db' },
        spec: { engine: 'postgres', version: '14', storageGB: 10 },
      },
    });
    await waitFor('ADDED event', async () => {
      assert.deepEqual(watchErrors, []);
      return seen.some((e) => e.type === 'ADDED');
    }, 10_000);

    await api.patchNamespacedCustomObjectStatus({
      group, version, plural, namespace: 'default', name: 'my-test-db',
      // client-node sends patches as JSON Patch by default.
      body: [{ op: 'add', path: '/status', value: { phase: 'Running' } }],
    });
    await waitFor('MODIFIED event with phase Running', async () =>
      seen.some((e) => e.type === 'MODIFIED' && e.phase === 'Running'), 10_000);
    const modified = seen.find((e) => e.type === 'MODIFIED');
    assert.equal(modified?.generation, 1, 'a status update must not move metadata.generation');

    await api.deleteNamespacedCustomObject({ group, version, plural, namespace: 'default', name: 'my-test-db' });
    await waitFor('DELETED event', async () => seen.some((e) => e.type === 'DELETED'), 10_000);
    assert.deepEqual(seen.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
  } finally {
    controller.abort();
  }
});

test('RBAC is enforced: an identity with no role is refused a list', async () => {
  const api = cp.kubeConfig(cp.unprivilegedToken).makeApiClient(CustomObjectsApi);
  await assert.rejects(
    api.listNamespacedCustomObject({ group, version, plural, namespace: 'default' }),
    (error: unknown) => error instanceof ApiException && error.code === 403,
  );
  // The admin identity may list the same thing: the refusal is authorization, not a broken API.
  const admin = cp.kubeConfig().makeApiClient(CustomObjectsApi);
  await admin.listNamespacedCustomObject({ group, version, plural, namespace: 'default' });
});
