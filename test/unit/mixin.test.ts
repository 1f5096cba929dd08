// mixin/: the committed rule files, PrometheusRule and dashboards are exactly what it generates,
// and its config really parameterises them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { DEFAULT_CONFIG } from '../../mixin/config.ts';
import { generatedFiles, staleFiles } from '../../mixin/generate.ts';
import { HEALTH_STATES } from '../../mixin/dashboards/panels.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

test('the committed files equal the mixin\'s output (npm run mixin regenerates them)', () => {
  const files = generatedFiles();
  assert.ok(files.size >= 10, `generated: ${[...files.keys()].join(', ')}`);
  assert.deepEqual(staleFiles(ROOT, files), []);
});

test('the check notices a stale file', () => {
  const files = generatedFiles();
  files.set('prometheus/rules/crotel-self.yml', `${files.get('prometheus/rules/crotel-self.yml')}# edited by hand\n`);
  assert.deepEqual(staleFiles(ROOT, files), ['prometheus/rules/crotel-self.yml']);
});

interface Target { expr?: string; exemplar?: boolean; datasource?: { type: string; uid: string } }
interface Panel { title: string; type: string; datasource?: { uid: string }; targets?: Target[]; panels?: Panel[] }
interface Dashboard { __inputs: { name: string; pluginId: string }[]; panels: Panel[]; templating: { list: { type: string; name: string; query: unknown }[] } }
const dashboards = (files: Map<string, string>): [string, Dashboard][] =>
  [...files].filter(([path]) => path.startsWith('grafana/dashboards/')).map(([path, text]) => [path, JSON.parse(text) as Dashboard]);
const panelsOf = (d: Dashboard): Panel[] => d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);

test('selectors come from the config: crotel\'s job, the cluster label, the namespaces, the Collector', () => {
  const files = generatedFiles({
    ...DEFAULT_CONFIG, crotelSelector: 'job="kube-system/crotel"', clusterLabel: 'cluster',
    namespaceSelector: 'k8s_namespace_name=~"prod-.*"', collectorSelector: 'job="collector"', runbookUrl: 'https://runbooks.example/crotel',
  });
  const rules = [...files].filter(([p]) => p.startsWith('prometheus/rules/')).map(([, t]) => parse(t) as { groups: { rules: { alert: string; expr: string; annotations: Record<string, string> }[] }[] });
  const all = rules.flatMap((r) => r.groups.flatMap((g) => g.rules));
  assert.ok(all.length >= 14);
  for (const rule of all) {
    assert.match(rule.expr, /job="kube-system\/crotel"/, rule.alert);
    assert.doesNotMatch(rule.expr, /job="crotel"|crotel-scrape/, rule.alert);
    assert.equal(rule.annotations.runbook_url, `https://runbooks.example/crotel#${rule.alert.toLowerCase()}`);
    if (/^CustomResource(NotHealthy|Degraded|Failed|HealthUnknown|GenerationNotObserved)$/.test(rule.alert)) assert.match(rule.expr, /k8s_namespace_name=~"prod-\.\*"/, rule.alert);
  }
  const exprs = dashboards(files).flatMap(([, d]) => panelsOf(d).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? '')));
  assert.ok(exprs.some((e) => e.includes('cluster=~"$cluster"')));
  assert.ok(!exprs.some((e) => e.includes('k8s_cluster_name')));
  assert.ok(exprs.some((e) => e.includes('job="collector"')) && !exprs.some((e) => e.includes('job="otelcol"')));
  // The PrometheusRule carries the same groups as the plain files.
  const prometheusRule = parse(files.get('deploy/components/prometheusrule/prometheusrule.yaml')!) as { kind: string; spec: { groups: unknown[] } };
  assert.equal(prometheusRule.kind, 'PrometheusRule');
  assert.deepEqual(prometheusRule.spec.groups, rules.flatMap((r) => r.groups));
  assert.deepEqual(parse(files.get('charts/crotel/files/prometheus-rules.yaml')!), prometheusRule.spec.groups);
});

test('dashboards import into any Grafana: datasource variables, __inputs, no fixed datasource uid', () => {
  for (const [path, d] of dashboards(generatedFiles())) {
    const variables = new Map(d.templating.list.filter((v) => v.type === 'datasource').map((v) => [v.name, v.query]));
    assert.equal(variables.get('datasource'), 'prometheus', path);
    assert.ok(d.__inputs.some((i) => i.name === 'DS_PROMETHEUS' && i.pluginId === 'prometheus'), path);
    const text = JSON.stringify(d);
    assert.doesNotMatch(text, /"uid":"(prometheus|tempo)"/, `${path}: hard-coded datasource uid`);
    for (const [, uid] of text.matchAll(/"uid":"\$\{(\w+)\}"/g)) assert.ok(variables.has(uid!), `${path}: \${${uid}} is no datasource variable`);
    if (text.includes('${tempo}')) assert.ok(d.__inputs.some((i) => i.name === 'DS_TEMPO'), path);
  }
});

test('exemplars only where there are some: Tempo\'s span metrics, never crotel\'s own histograms', () => {
  let spanMetricPanels = 0;
  for (const [path, d] of dashboards(generatedFiles())) {
    for (const p of panelsOf(d)) {
      for (const t of p.targets ?? []) {
        if (t.exemplar) assert.match(t.expr ?? '', /^histogram_quantile\(.*traces_spanmetrics_latency_bucket\{/, `${path} "${p.title}"`);
        if ((t.expr ?? '').includes('traces_spanmetrics_latency_bucket')) { assert.equal(t.exemplar, true); spanMetricPanels++; }
      }
    }
  }
  assert.ok(spanMetricPanels >= 4, `span-metric queries: ${spanMetricPanels}`);
});

test('the overview shows each of the seven health states', () => {
  const overview = JSON.parse(generatedFiles().get('grafana/dashboards/overview.json')!) as Dashboard;
  const exprs = panelsOf(overview).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
  assert.deepEqual(HEALTH_STATES, ['current', 'in_progress', 'degraded', 'failed', 'suspended', 'terminating', 'unknown']);
  for (const state of HEALTH_STATES) assert.ok(exprs.some((e) => e.includes(`k8s_object_health="${state}"`)), state);
  // "Not healthy" counts exclude the paused-on-purpose state.
  assert.ok(exprs.some((e) => e.includes('k8s_object_health!~"current|suspended"')));
});
