import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEALTH_RULES, healthOf, objectHealth, parseTimestamp, type HealthFacts } from '../../src/extract/index.ts';
import { objectVerdict } from '../../src/health/index.ts';
import type { ExtractionError, Health } from '../../src/model.ts';
import { fixtureObjects } from './extract-fixtures.ts';

const phases = { successPhases: ['Running'], failurePhases: ['Failed'] };
const base: HealthFacts = { deleting: false, statusShape: 'present', conditions: [] };
const cond = (type: string, status: string, reason?: string) => ({ type, status, ...(reason ? { reason } : {}) });

test('generic rules, first opinion wins', async (t) => {
  const cases: [string, HealthFacts, Health][] = [
    ['status without anything known', base, 'current'],
    ['no status at all', { ...base, statusShape: 'absent' }, 'in_progress'],
    ['status: {}', { ...base, statusShape: 'empty' }, 'in_progress'],
    ['deleting beats everything', { ...base, deleting: true, generation: 2, observedGeneration: 1, conditions: [cond('Stalled', 'True')] }, 'terminating'],
    ['spec.suspend / spec.paused', { ...base, suspended: true, conditions: [cond('Ready', 'False')] }, 'suspended'],
    ['Paused=True condition', { ...base, conditions: [cond('Ready', 'True'), cond('Paused', 'True')] }, 'suspended'],
    ['domain-prefixed hibernation condition', { ...base, conditions: [cond('cnpg.io/hibernation', 'True')] }, 'suspended'],
    ['generation ahead', { ...base, generation: 3, observedGeneration: 2, conditions: [cond('Ready', 'True')] }, 'in_progress'],
    ['generation caught up', { ...base, generation: 3, observedGeneration: 3, conditions: [cond('Ready', 'True')] }, 'current'],
    ['observedGeneration -1 = never observed', { ...base, observedGeneration: -1, conditions: [cond('Ready', 'True')] }, 'in_progress'],
    ['Ready=False outranks an unobserved generation', { ...base, observedGeneration: -1, conditions: [cond('Ready', 'False')] }, 'degraded'],
    ['Reconciling=True', { ...base, conditions: [cond('Ready', 'True'), cond('Reconciling', 'True')] }, 'in_progress'],
    ['Reconciling=True with Ready=Unknown', { ...base, conditions: [cond('Reconciling', 'True'), cond('Ready', 'Unknown')] }, 'in_progress'],
    ['Ready=False while retrying is degraded', { ...base, conditions: [cond('Reconciling', 'True'), cond('Ready', 'False')] }, 'degraded'],
    ['Reconciling=False ignored', { ...base, conditions: [cond('Reconciling', 'False')] }, 'current'],
    ['Stalled=True is terminal', { ...base, conditions: [cond('Stalled', 'True'), cond('Ready', 'True')] }, 'failed'],
    ['Degraded=True', { ...base, conditions: [cond('Ready', 'True'), cond('Degraded', 'True')] }, 'degraded'],
    ['NotReady=True (Strimzi)', { ...base, conditions: [cond('NotReady', 'True')] }, 'degraded'],
    ['FetchFailed=True (suffix)', { ...base, conditions: [cond('FetchFailed', 'True')] }, 'degraded'],
    ['Degraded=False is fine', { ...base, conditions: [cond('Degraded', 'False'), cond('Available', 'True')] }, 'current'],
    ['Warning=True is informational', { ...base, conditions: [cond('Warning', 'True'), cond('Ready', 'True')] }, 'current'],
    ['Ready=True', { ...base, conditions: [cond('Ready', 'True')] }, 'current'],
    ['Ready=False', { ...base, conditions: [cond('Ready', 'False')] }, 'degraded'],
    ['Ready=Unknown', { ...base, conditions: [cond('Ready', 'Unknown')] }, 'in_progress'],
    ['Ready=Degraded (non-standard status)', { ...base, conditions: [cond('Ready', 'Degraded')] }, 'degraded'],
    ['Available=Degraded (non-standard status)', { ...base, conditions: [cond('Available', 'Degraded')] }, 'degraded'],
    ['Synced=False (Crossplane)', { ...base, conditions: [cond('Ready', 'True'), cond('Synced', 'False')] }, 'degraded'],
    ['Healthy=False (Crossplane package)', { ...base, conditions: [cond('Installed', 'True'), cond('Healthy', 'False')] }, 'degraded'],
    ['Established=False', { ...base, conditions: [cond('Established', 'False')] }, 'degraded'],
    ['ConfigurationsReady=False (suffix)', { ...base, conditions: [cond('ConfigurationsReady', 'False'), cond('Ready', 'Unknown')] }, 'degraded'],
    ['Succeeded=Unknown (Tekton run)', { ...base, conditions: [cond('Succeeded', 'Unknown')] }, 'in_progress'],
    ['phase Failed', { ...base, phase: 'Failed' }, 'degraded'],
    ['phase failed, lower case', { ...base, phase: 'failed' }, 'degraded'],
    ['phase Pending beats a Ready=False', { ...base, phase: 'Pending', conditions: [cond('Ready', 'False')] }, 'in_progress'],
    ['phase Running', { ...base, phase: 'Running' }, 'current'],
    ['phase Running but Ready=False', { ...base, phase: 'Running', conditions: [cond('Ready', 'False')] }, 'degraded'],
    ['phase Succeeded', { ...base, phase: 'Succeeded' }, 'current'],
    ['phase Paused', { ...base, phase: 'Paused' }, 'suspended'],
    ['phase Unknown', { ...base, phase: 'Unknown' }, 'unknown'],
    ['free-text phase, healthy', { ...base, phase: 'Cluster in healthy state' }, 'current'],
    ['free-text phase, failing over', { ...base, phase: 'Failing over' }, 'degraded'],
    ['free-text phase, setting up', { ...base, phase: 'Setting up primary' }, 'in_progress'],
    ['CamelCase failure phase', { ...base, phase: 'FailedValidation' }, 'degraded'],
    ['unknown phase word has no opinion', { ...base, phase: 'Blue' }, 'current'],
    ['status.state instead of phase', { ...base, stateWord: 'error' }, 'degraded'],
    ['status.ready false', { ...base, readyFlag: false }, 'in_progress'],
    ['status.ready true', { ...base, readyFlag: true }, 'current'],
    ['failure phase configured', { ...base, phase: 'Failed', conditions: [cond('Ready', 'True')] }, 'failed'],
  ];
  for (const [name, facts, expected] of cases) {
    await t.test(name, () => assert.equal(healthOf(facts, name.includes('configured') ? phases : undefined), expected));
  }
  assert.deepEqual(HEALTH_RULES.map((r) => r.name), [
    'deletion', 'suspended', 'pauseCondition', 'noStatus', 'stalled', 'failurePhase', 'successPhase', 'awaitingSuccessPhase',
    'failureCondition', 'phase', 'healthConditionFalse', 'generation', 'reconciling', 'healthConditionUnknown', 'readyFalse',
    'healthyPhase', 'healthConditionTrue', 'readyTrue',
  ]);
});

test('with success phases configured, an object not (yet) in one is in progress', () => {
  assert.equal(healthOf(base, phases), 'in_progress', 'no phase yet');
  assert.equal(healthOf({ ...base, phase: 'Pending' }, phases), 'in_progress', 'Pending, no conditions');
  assert.equal(healthOf({ ...base, phase: 'Provisioning', conditions: [cond('Ready', 'True')] }, phases), 'in_progress', 'the phase decides, not a stale Ready=True');
  assert.equal(healthOf({ ...base, phase: 'Running', conditions: [cond('Ready', 'False')] }, phases), 'current', 'a success phase beats Ready=False');
});

test('generic health of every shared fixture object', async (t) => {
  // Kinds judged with no catalog: what a kind nobody wrote rules for gets.
  const expected: Record<string, Health> = {
    'cloudnative-pg/cluster-failing-over.yaml': 'degraded', // phase "Failing over"
    'cloudnative-pg/cluster-healthy.yaml': 'current',
    'cloudnative-pg/cluster-hibernated.yaml': 'suspended', // cnpg.io/hibernation=True
    'cloudnative-pg/cluster-setting-up-primary.yaml': 'in_progress', // phase "Setting up primary"
    'flux-gitrepository/gitrepositories-ready-failed-unknown.yaml#0': 'degraded', // Ready=False
    'flux-gitrepository/gitrepositories-ready-failed-unknown.yaml#1': 'current',
    'flux-gitrepository/gitrepositories-ready-failed-unknown.yaml#2': 'in_progress', // Ready=Unknown
    'flux-gitrepository/gitrepository-fetchfailed-retrying.yaml': 'degraded', // FetchFailed=True, Ready=False
    'flux-gitrepository/gitrepository-ready.yaml': 'current',
    'flux-kustomization/kustomization-failed-retrying.yaml': 'degraded', // Ready=False while retrying
    'flux-kustomization/kustomization-progressing.yaml': 'in_progress',
    'flux-kustomization/kustomization-ready.yaml': 'current',
    'flux-kustomization/kustomization-source-not-found.yaml': 'degraded', // Ready=False, observedGeneration -1
    'prometheus-operator/prometheus-available-sharded.yaml': 'current',
    'prometheus-operator/prometheus-degraded-scheduling.yaml': 'degraded', // Available=Degraded
    'prometheus-operator/prometheus-unavailable-kube-prom-stack.yaml': 'degraded', // Available=False
  };
  const objects = fixtureObjects();
  assert.deepEqual(objects.map((o) => o.id).sort(), Object.keys(expected).sort(), 'every fixture has an expectation');
  for (const { id, object } of objects) await t.test(id, () => assert.equal(objectHealth(object), expected[id]));
});

test('catalog health of every shared fixture object (what Argo CD says of them)', async (t) => {
  const expected: Record<string, Health> = {
    'cloudnative-pg/cluster-failing-over.yaml': 'degraded',
    'cloudnative-pg/cluster-healthy.yaml': 'current',
    'cloudnative-pg/cluster-hibernated.yaml': 'suspended',
    'cloudnative-pg/cluster-setting-up-primary.yaml': 'in_progress',
    'flux-gitrepository/gitrepositories-ready-failed-unknown.yaml#0': 'degraded',
    'flux-gitrepository/gitrepositories-ready-failed-unknown.yaml#1': 'current',
    'flux-gitrepository/gitrepositories-ready-failed-unknown.yaml#2': 'in_progress',
    'flux-gitrepository/gitrepository-fetchfailed-retrying.yaml': 'degraded',
    'flux-gitrepository/gitrepository-ready.yaml': 'current',
    'flux-kustomization/kustomization-failed-retrying.yaml': 'degraded',
    'flux-kustomization/kustomization-progressing.yaml': 'in_progress',
    'flux-kustomization/kustomization-ready.yaml': 'current',
    'flux-kustomization/kustomization-source-not-found.yaml': 'degraded',
    'prometheus-operator/prometheus-available-sharded.yaml': 'current',
    'prometheus-operator/prometheus-degraded-scheduling.yaml': 'in_progress', // SomePodsNotReady: pods rolling
    'prometheus-operator/prometheus-unavailable-kube-prom-stack.yaml': 'degraded',
  };
  for (const { id, object } of fixtureObjects()) {
    await t.test(id, () => {
      const errors: { path: string; reason: string }[] = [];
      assert.equal(objectVerdict(object, undefined, undefined, errors)?.state, expected[id]);
      assert.deepEqual(errors, []);
    });
  }
});

test('lenient reading of real shapes', async (t) => {
  await t.test('+0000 offsets (Strimzi)', () => {
    assert.equal(parseTimestamp('2026-11-20T10:00:00+0000')?.epochMs, Date.UTC(2026, 10, 20, 10));
    assert.equal(parseTimestamp('2026-11-20T10:00:00-0130')?.epochMs, Date.UTC(2026, 10, 20, 11, 30));
    assert.equal(parseTimestamp('2026-11-20T10:00:00+00'), undefined);
  });
  const errorsOf = (object: unknown): ExtractionError[] => {
    const errors: ExtractionError[] = [];
    objectVerdict(object, undefined, undefined, errors);
    return errors;
  };
  await t.test('Strimzi times and Warning condition: no errors', () => {
    const kafka = { apiVersion: 'kafka.strimzi.io/v1beta2', kind: 'Kafka', metadata: { name: 'k', generation: 1 }, status: { observedGeneration: 1, conditions: [{ type: 'Warning', status: 'True', reason: 'KafkaStorage', lastTransitionTime: '2026-11-20T10:00:00+0000' }, { type: 'Ready', status: 'True', lastTransitionTime: '2026-11-20T10:00:00+0000' }] } };
    assert.deepEqual(errorsOf(kafka), []);
    assert.equal(objectVerdict(kafka)?.state, 'current');
  });
  await t.test('conditions without status (Argo CD Application)', () => {
    const app = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a' }, status: { health: { status: 'Degraded' }, conditions: [{ type: 'OrphanedResourceWarning', message: 'orphans' }] } };
    assert.deepEqual(errorsOf(app), []);
    assert.equal(objectVerdict(app)?.state, 'degraded');
  });
  await t.test('observedGeneration as a string (Argo Rollouts)', () => {
    const rollout = (og: string) => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'r', generation: 4 }, spec: {}, status: { observedGeneration: og, phase: 'Healthy' } });
    assert.deepEqual(errorsOf(rollout('4')), []);
    assert.equal(objectVerdict(rollout('4'))?.state, 'current');
    assert.equal(objectVerdict(rollout('3'))?.state, 'in_progress');
    assert.deepEqual(errorsOf(rollout('7c8f9d')), [], 'an old Rollouts hash is not an error');
  });
  await t.test('conditions: {} (map form, empty)', () => {
    const o = { apiVersion: 'x.io/v1', kind: 'X', metadata: { name: 'x' }, status: { conditions: {}, observedGeneration: 1 } };
    assert.deepEqual(errorsOf(o), []);
    assert.equal(objectVerdict(o)?.state, 'current');
  });
  await t.test('no status at all is in progress', () => {
    assert.equal(objectVerdict({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'c' }, spec: {} })?.state, 'in_progress');
    assert.equal(objectVerdict({ apiVersion: 'kafka.strimzi.io/v1beta2', kind: 'Kafka', metadata: { name: 'k' }, spec: {} })?.state, 'in_progress');
    assert.equal(objectVerdict({ apiVersion: 'x.io/v1', kind: 'X', metadata: { name: 'x' } })?.state, 'in_progress');
  });
});

test('odd shapes do not crash', () => {
  const odd: unknown[] = [
    { metadata: { generation: '3' }, status: { observedGeneration: '3' } },
    { status: { conditions: { Ready: { status: 'False' } } } },
    { status: { conditions: { Ready: 'True' } } },
    { status: { conditions: 'nope' } },
    { status: { conditions: [null, 1, { type: 5 }, { type: 'Ready' }, { type: 'Ready', status: true }] } },
    { status: 'weird' },
    { metadata: null },
  ];
  assert.deepEqual(odd.map((o) => objectHealth(o)), ['current', 'degraded', 'current', 'current', 'current', 'in_progress', 'in_progress']);
  assert.equal(objectHealth(null), undefined);
  assert.equal(objectHealth([]), undefined);
});
