// Golden health cases (test/fixtures/health/*.yaml), one named subtest each, judged exactly as
// `crotel render` judges an object of a listed kind: catalog rules, then generic rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { catalogLookup, compileRuleSet, explainVerdict, isHealth, loadCatalog, objectVerdict, splitApiVersion } from '../../src/health/index.ts';
import type { ExtractionError } from '../../src/model.ts';

const DIR = new URL('../fixtures/health/', import.meta.url);

interface Case {
  readonly name: string;
  readonly expect: string;
  readonly explain?: string;
  readonly object: Record<string, unknown>;
}

function cases(): { file: string; c: Case }[] {
  const out: { file: string; c: Case }[] = [];
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const c of parse(readFileSync(new URL(file, DIR), 'utf8')) as Case[]) out.push({ file, c });
  }
  return out;
}

test('golden health cases', async (t) => {
  for (const { file, c } of cases()) {
    await t.test(`${file}: ${c.name}`, () => {
      assert.ok(isHealth(c.expect), `expect ${c.expect} is a state`);
      const errors: ExtractionError[] = [];
      const v = objectVerdict(c.object, undefined, undefined, errors);
      assert.ok(v, 'judged');
      assert.equal(v.state, c.expect, explainVerdict(v));
      if (c.explain !== undefined) assert.ok(explainVerdict(v).includes(c.explain), explainVerdict(v));
      assert.deepEqual(errors, [], 'real shapes are not extraction errors');
    });
  }
});

test('every catalog rule compiles', async (t) => {
  for (const { entry, file } of loadCatalog().entries) {
    await t.test(`${file}: ${entry.group} ${entry.kinds.join(',')}`, () => {
      assert.deepEqual(compileRuleSet(`${entry.group}/${entry.kinds[0]}`, entry).problems, []);
    });
  }
});

// The kinds issue #14 lists first: each must have catalog rules and golden cases.
const REQUIRED: readonly string[] = [
  'cert-manager.io/Certificate', 'cert-manager.io/CertificateRequest', 'cert-manager.io/Issuer', 'cert-manager.io/ClusterIssuer',
  'argoproj.io/Application', 'argoproj.io/ApplicationSet', 'argoproj.io/Rollout', 'argoproj.io/AnalysisRun', 'argoproj.io/Experiment', 'argoproj.io/Workflow',
  'kustomize.toolkit.fluxcd.io/Kustomization', 'helm.toolkit.fluxcd.io/HelmRelease', 'source.toolkit.fluxcd.io/GitRepository',
  'source.toolkit.fluxcd.io/HelmRepository', 'source.toolkit.fluxcd.io/OCIRepository', 'source.toolkit.fluxcd.io/Bucket', 'source.toolkit.fluxcd.io/HelmChart',
  'ec2.aws.upbound.io/Instance', 'database.gcp.crossplane.io/CloudSQLInstance', 'pkg.crossplane.io/Provider',
  'kafka.strimzi.io/Kafka', 'kafka.strimzi.io/KafkaTopic', 'kafka.strimzi.io/KafkaUser', 'kafka.strimzi.io/KafkaConnect', 'kafka.strimzi.io/KafkaConnector', 'kafka.strimzi.io/KafkaNodePool',
  'postgresql.cnpg.io/Cluster', 'monitoring.coreos.com/Prometheus', 'monitoring.coreos.com/Alertmanager', 'monitoring.coreos.com/ThanosRuler',
  'keda.sh/ScaledObject', 'keda.sh/ScaledJob', 'serving.knative.dev/Service',
  'external-secrets.io/ExternalSecret', 'external-secrets.io/SecretStore', 'external-secrets.io/ClusterSecretStore', 'bitnami.com/SealedSecret',
  'cluster.x-k8s.io/Cluster', 'cluster.x-k8s.io/Machine', 'cluster.x-k8s.io/MachineDeployment', 'karpenter.sh/NodePool', 'karpenter.sh/NodeClaim',
  'gateway.networking.k8s.io/Gateway', 'gateway.networking.k8s.io/HTTPRoute', 'velero.io/Backup', 'velero.io/Restore', 'tekton.dev/PipelineRun', 'tekton.dev/TaskRun',
  'elasticsearch.k8s.elastic.co/Elasticsearch', 'rabbitmq.com/RabbitmqCluster', 'operators.coreos.com/Subscription', 'operators.coreos.com/ClusterServiceVersion',
  'opentelemetry.io/OpenTelemetryCollector', 'kubevirt.io/VirtualMachine',
];

test('the kinds the issue lists first have catalog rules and golden cases', async (t) => {
  const covered = new Set(cases().map(({ c }) => `${splitApiVersion(String(c.object.apiVersion)).group}/${String(c.object.kind)}`));
  for (const id of REQUIRED) {
    await t.test(id, () => {
      const i = id.lastIndexOf('/');
      assert.ok(catalogLookup(id.slice(0, i), id.slice(i + 1)), 'catalog entry');
      assert.ok(covered.has(id), 'golden case');
    });
  }
});

test('catalog lookup: exact before wildcard, longer suffix first, named kind before *', () => {
  assert.equal(catalogLookup('pkg.crossplane.io', 'Provider')?.entry.kinds[0], 'Provider');
  assert.equal(catalogLookup('s3.aws.upbound.io', 'Bucket')?.entry.group, '*.upbound.io');
  assert.equal(catalogLookup('kubernetes.crossplane.io', 'Object')?.entry.group, '*.crossplane.io');
  assert.equal(catalogLookup('upbound.io', 'X'), undefined, 'the wildcard needs a subdomain');
  assert.equal(catalogLookup('example.org', 'XDatabase'), undefined);
  assert.equal(catalogLookup('rabbitmq.com', 'Queue')?.entry.kinds[0], '*');
  assert.equal(catalogLookup('rabbitmq.com', 'RabbitmqCluster')?.entry.kinds[0], 'RabbitmqCluster');
});
