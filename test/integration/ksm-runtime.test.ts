// kube-state-metrics configs at run time, where crotel does better than kube-state-metrics:
// a wildcard kind whose CRD is installed after start is picked up (KSM issues 2142/2296).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startControlPlane, type ControlPlane } from '../../harness/control-plane.ts';
import { startCrotel, type CrotelProcess } from '../../harness/crotel-process.ts';
import { applyCrds } from '../../harness/kube.ts';
import { waitFor } from '../../harness/processes.ts';
import { parseExposition, pick, seriesKey } from '../../harness/prom-text.ts';

const WIDGET_CRD = new URL('../fixtures/widget-crd.yaml', import.meta.url).pathname;

const KSM = `
kind: CustomResourceStateMetrics
spec:
  resources:
    - groupVersionKind: {group: test.crotel.dev, version: "*", kind: "*"}
      metrics:
        - name: object_info
          help: Objects of test.crotel.dev
          each:
            type: Info
            info:
              path: [metadata]
              labelsFromPath:
                object: [name]
`;

let cp: ControlPlane;
let crotel: CrotelProcess;

before(async () => {
  cp = await startControlPlane();
  const file = join(cp.dir, 'ksm.yaml');
  writeFileSync(file, KSM);
  crotel = await startCrotel({ args: ['--ksm-config', file, '--kubeconfig', cp.kubeconfigPath, '--crd-poll-interval', '1'] });
});

after(async () => {
  await crotel?.stop();
  await cp?.stop();
});

test('a wildcard kind whose CRD is installed after start is watched and served', async () => {
  assert.equal(pick(parseExposition(await crotel.scrape()), 'kube_customresource_').size, 0);
  await applyCrds(cp, WIDGET_CRD);
  const res = await cp.raw('POST', '/apis/test.crotel.dev/v1/namespaces/default/widgets', { apiVersion: 'test.crotel.dev/v1', kind: 'Widget', metadata: { name: 'late' } });
  assert.equal(res.status, 201, res.body);
  const expected = seriesKey('kube_customresource_object_info', {
    customresource_group: 'test.crotel.dev', customresource_kind: 'Widget', customresource_version: 'v1', object: 'late',
  });
  await waitFor('the new kind served', async () => pick(parseExposition(await crotel.scrape()), 'kube_customresource_').get(expected) === 1, 20_000);
  assert.equal((await crotel.get('/readyz')).status, 200);
});
