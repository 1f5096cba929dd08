// The whole observability path, natively, with the SAME config files docker-compose uses: real
// etcd + kube-apiserver, the DatabaseInstance simulator (fast), crotel with
// examples/databaseinstance/crotel-full.yaml, the built Collector with otel-collector/config.yaml
// (addresses through its environment variables), Prometheus 3.16 with prometheus/prometheus.yml
// and rules/, and Jaeger v2 as the trace store (Tempo's role in compose). See examples/demo/stack.ts.
//
// Prometheus gets crotel's series twice, under two jobs: pushed over OTLP through the Collector
// (job crotel) and scraped from /metrics (job crotel-scrape, what a ServiceMonitor user has). Every
// shipped dashboard query must return data and every shipped rule must evaluate alike on both, and
// every metric name they read (found with Prometheus's own parser) must exist under both jobs.
//
// About the Failed-phase alert: the shipped rule says `for: 5m`, and it must stay the shipped
// rule, so this test does not wait five minutes for `firing`. It proves the live half here — the
// real rule, evaluated by the real Prometheus on data that crossed crotel → Collector → OTLP
// receiver, becomes active (pending, or firing) for the failed instance and for no healthy one —
// while the `for:` timing (pending → firing after 5 minutes, not before, resolving when the
// instance recovers) is proven by promtool in prometheus/tests/databaseinstance.test.yml
// (test/integration/prometheus-rules.test.ts).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { startStack, type Stack } from '../../examples/demo/stack.ts';
import { createTelemetry } from '../../src/metrics/telemetry.ts';
import { createInstance } from '../../harness/databaseinstances.ts';
import { ensureNamespace } from '../../harness/kube.ts';
import { waitFor } from '../../harness/processes.ts';

const DASHBOARD_DIR = new URL('../../grafana/dashboards/', import.meta.url).pathname;

/**
 * Dashboard panels exempt from the "every query returns data" check. Empty: the lifecycle panels
 * (crotel_transitions_total, crotel_state_duration_*, crotel_episode*) must have data too. The
 * check below still fails if an entry here names no panel that reads those metrics.
 */
const PANELS_AWAITING_LIFECYCLE_METRICS: readonly string[] = [];
/**
 * Tempo's span metrics (traces_spanmetrics_*): Tempo's metrics-generator writes them, and the native
 * stack stores traces in Jaeger, so they exist only in docker compose. test/unit/mixin.test.ts
 * checks these queries' shape; nothing else is exempt.
 */
const TEMPO_SPAN_METRICS = /traces_spanmetrics_/;
const LIFECYCLE_METRIC = /crotel_transitions_total|crotel_state_duration|crotel_episode/;

/**
 * The two ways Prometheus gets crotel's series in the stack: the OTLP push (job = service.name)
 * and its own scrape of /metrics (prometheus.yml's job crotel-scrape). Every shipped dashboard
 * query and rule must work on both.
 */
const PATHS = [
  { path: 'push', job: 'crotel' },
  { path: 'scrape', job: 'crotel-scrape' },
] as const;
type Job = (typeof PATHS)[number]['job'];

/** What Grafana would put in place of its macros and of the dashboards' variables, for one $job. */
function substitute(expr: string, job: Job): string {
  const substitutions: [RegExp, string][] = [
    [/\$__rate_interval/g, '1m'], // max(4 × 10 s scrape interval, step + scrape interval)
    [/\$__interval/g, '30s'],
    [/\$__range/g, '1h'],
    [/\$job\b/g, job],
    [/\$(cluster|kind|namespace|engine)\b/g, '.*'], // "All" (allValue .*)
  ];
  return substitutions.reduce((e, [re, v]) => e.replace(re, v), expr);
}

interface Target { expr?: string; query?: string; datasource?: { type: string } }
interface Panel { type: string; title: string; targets?: Target[]; panels?: Panel[]; datasource?: { type: string } }
interface Variable { type: string; name: string; query: { query: string } | string; current?: { value?: string }; includeAll?: boolean; allValue?: string }
interface Dashboard { panels: Panel[]; templating: { list: Variable[] } }

const dashboards = readdirSync(DASHBOARD_DIR).filter((f) => f.endsWith('.json')).sort()
  .map((file) => ({ file, dashboard: JSON.parse(readFileSync(DASHBOARD_DIR + file, 'utf8')) as Dashboard }));

function promQueries(job: Job = 'crotel'): { panel: string; expr: string }[] {
  const out: { panel: string; expr: string }[] = [];
  for (const { file, dashboard } of dashboards) {
    for (const panel of dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])])) {
      for (const t of panel.targets ?? []) {
        if ((t.datasource ?? panel.datasource)?.type !== 'prometheus' || !t.expr || TEMPO_SPAN_METRICS.test(t.expr)) continue;
        out.push({ panel: `${file}: ${panel.title}`, expr: substitute(t.expr, job) });
      }
    }
  }
  return out;
}

interface Rule { alert?: string; record?: string; expr: string }
const RULE_DIR = new URL('../../prometheus/rules/', import.meta.url).pathname;
const shippedRules: Rule[] = readdirSync(RULE_DIR).filter((f) => f.endsWith('.yml')).sort()
  .flatMap((f) => (parseYaml(readFileSync(RULE_DIR + f, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules));
/** The mixin's default selector, as every shipped rule spells it. */
const RULE_JOB = 'job="crotel"';

/** A shipped rule's expression as it would select the given job's series. */
function ruleFor(rule: Rule, job: Job): string {
  return rule.expr.replaceAll(RULE_JOB, `job="${job}"`);
}

interface AstNode { type?: string; name?: string; matchers?: { type: string; name: string; value: string }[]; [key: string]: unknown }

/**
 * Every series selector of a PromQL expression, from Prometheus's own parser
 * (/api/v1/parse_query): the metric name part (name or __name__ matchers) and the job matcher.
 */
async function selectorsOf(expr: string): Promise<{ name: string; job?: string }[]> {
  const ast = await prom<AstNode>(`/api/v1/parse_query?query=${encodeURIComponent(expr)}`);
  const out: { name: string; job?: string }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const n = node as AstNode;
    if ((n.type === 'vectorSelector' || n.type === 'matrixSelector') && Array.isArray(n.matchers)) {
      const nameMatchers = n.matchers.filter((m) => m.name === '__name__');
      const name = nameMatchers.map((m) => `__name__${m.type}${JSON.stringify(m.value)}`).join(', ');
      const job = n.matchers.find((m) => m.name === 'job' && m.type === '=')?.value;
      out.push({ name, ...(job !== undefined ? { job } : {}) });
    }
    for (const value of Object.values(n)) walk(value);
  };
  walk(ast);
  return out;
}

/** The labels that name an object in a rule's result (two paths, same object → same key). */
function objectKey(metric: Record<string, string>): string | undefined {
  const namespace = metric.namespace ?? metric.k8s_namespace_name;
  const name = metric.name ?? metric.k8s_object_name;
  if (namespace === undefined || name === undefined) return undefined;
  const { job: _job, instance: _instance, k8s_cluster_name: _cluster, deployment_environment_name: _env, ...rest } = metric;
  return JSON.stringify(Object.keys(rest).sort().map((k) => [k, rest[k]]));
}

let stack: Stack;

async function prom<T>(path: string): Promise<T> {
  const res = await fetch(stack.prometheusUrl + path, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${path}: ${body.error}`);
  return body.data;
}

async function query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const data = await prom<{ resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }>(
    `/api/v1/query?query=${encodeURIComponent(expr)}`);
  return data.resultType === 'scalar' ? [{ metric: {}, value: data.result as unknown as [number, string] }] : data.result;
}

before(async () => {
  stack = await startStack({ instances: 8, speed: 20, failureRate: 0.1, seed: 7, exportIntervalMs: 1000, clusterName: 'stack-test' });
  // An instance of our own that stays Failed: the simulator never touches this namespace.
  await ensureNamespace(stack.cp, 'incidents');
  await createInstance(stack.cp, 'incidents', 'broken-db', { engine: 'postgres', version: '15', storageGB: 50 }, {
    phase: 'Failed',
    observedGeneration: 1,
    connectionString: 'postgres://admin:s3cr3t@broken-db.incidents:5432/app',
    lastBackupTime: '2026-01-01T00:00:00Z',
    conditions: [{ type: 'Ready', status: 'False', reason: 'ProvisioningFailed', message: 'volume could not be attached', lastTransitionTime: '2026-01-01T00:00:00Z' }],
  });
});

after(async () => {
  await stack?.stop();
});

test('crotel → Collector → Prometheus OTLP receiver: object series arrive with promoted resource attributes', async () => {
  await waitFor('database_instance_phase of broken-db over OTLP', async () =>
    (await query('database_instance_phase{job="crotel", name="broken-db", phase="Failed"}')).length === 1, 60_000, 500);
  const [series] = await query('database_instance_phase{job="crotel", name="broken-db"}');
  // Prometheus maps service.instance.id (a UUID per replica) to `instance`.
  const { instance, ...rest } = series!.metric;
  assert.match(instance ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.deepEqual(rest, {
    __name__: 'database_instance_phase', job: 'crotel', name: 'broken-db', namespace: 'incidents', engine: 'postgres', version: '15', phase: 'Failed',
    // Resource attributes promoted by prometheus.yml's otlp block
    k8s_cluster_name: 'stack-test', deployment_environment_name: 'demo',
  });
  // The generic families too, for the same object.
  const health = await query('k8s_object_health{job="crotel", k8s_object_name="broken-db", k8s_object_health="failed"}');
  assert.equal(health[0]?.value[1], '1');
  // The simulator's instances are there, with their lifecycle moving.
  await waitFor('simulated instances in Prometheus', async () =>
    Number((await query('count(database_instance_storage_gb{job="crotel", name=~"db-.*"})'))[0]?.value[1] ?? 0) === 8, 60_000, 500);
});

test('the direct path: Prometheus scrapes crotel\'s /metrics (job crotel-scrape)', async () => {
  await waitFor('crotel-scrape target up', async () =>
    (await query('up{job="crotel-scrape"} == 1')).length === 1 &&
    (await query('database_instance_phase{job="crotel-scrape", name="broken-db"}')).length === 1, 60_000, 500);
});

test('no credential reaches Prometheus', async () => {
  const series = await prom<Record<string, string>[]>(`/api/v1/series?match[]=${encodeURIComponent('{job=~"crotel|crotel-scrape"}')}`);
  assert.ok(series.length > 50);
  const text = JSON.stringify(series);
  assert.doesNotMatch(text, /s3cr3t|postgres:\/\/|mysql:\/\//);
});

test('every shipped rule loads and evaluates without error in the live Prometheus', async () => {
  await waitFor('rule groups evaluated', async () => {
    const { groups } = await prom<{ groups: { name: string; rules: { name: string; health: string; lastError?: string; lastEvaluation: string }[] }[] }>('/api/v1/rules');
    const rules = groups.flatMap((g) => g.rules);
    assert.ok(rules.length >= 12, `rules loaded: ${rules.length}`);
    const bad = rules.filter((r) => r.health === 'err');
    assert.deepEqual(bad.map((r) => `${r.name}: ${r.lastError}`), []);
    return rules.every((r) => r.health === 'ok');
  }, 60_000, 1000);
});

test('the Failed-phase alert becomes active for the failed instance, and only for it', async () => {
  type Alert = { labels: Record<string, string>; state: string };
  let active: Alert[] = [];
  await waitFor('DatabaseInstanceFailed pending or firing for incidents/broken-db', async () => {
    const { alerts } = await prom<{ alerts: Alert[] }>('/api/v1/alerts');
    active = alerts.filter((a) => a.labels.alertname === 'DatabaseInstanceFailed');
    return active.some((a) => a.labels.name === 'broken-db' && ['pending', 'firing'].includes(a.state));
  }, 60_000, 1000);
  const mine = active.filter((a) => a.labels.name === 'broken-db');
  // Once, from the OTLP copy, not again from the scrape copy.
  assert.equal(mine.length, 1);
  assert.deepEqual({ ...mine[0]!.labels }, {
    alertname: 'DatabaseInstanceFailed', severity: 'critical', job: 'crotel', name: 'broken-db', namespace: 'incidents',
    engine: 'postgres', version: '15', phase: 'Failed', k8s_cluster_name: 'stack-test', deployment_environment_name: 'demo',
  });
  // Any other instance it is active for was Failed within the last minute (the simulator fails
  // some on purpose, and may have moved on since the last rule evaluation).
  for (const a of active.filter((x) => x.labels.name !== 'broken-db')) {
    const failed = await query(`count_over_time(database_instance_phase{job="crotel", namespace="${a.labels.namespace}", name="${a.labels.name}", phase="Failed"}[1m])`);
    assert.equal(failed.length, 1, `${a.labels.namespace}/${a.labels.name} alerted but was not Failed in the last minute`);
  }
  // The generic rule (another group, evaluated at its own offset) sees it as well.
  await waitFor('CustomResourceFailed active for broken-db', async () => {
    const { alerts } = await prom<{ alerts: Alert[] }>('/api/v1/alerts');
    return alerts.some((a) => a.labels.alertname === 'CustomResourceFailed' && a.labels.k8s_object_name === 'broken-db');
  }, 30_000, 1000);
});

test('the dashboards show the lifecycle metrics, and no panel is exempt from the data check', () => {
  const lifecyclePanels = [...new Set(promQueries().filter((q) => LIFECYCLE_METRIC.test(q.expr)).map((q) => q.panel))].sort();
  assert.ok(lifecyclePanels.length >= 8, `panels reading crotel_transitions/state/episode metrics: ${lifecyclePanels.join(', ')}`);
  for (const exempt of PANELS_AWAITING_LIFECYCLE_METRICS) assert.ok(lifecyclePanels.includes(exempt), `${exempt} reads no lifecycle metric`);
});

for (const { path, job } of PATHS) {
  test(`every dashboard variable query finds values, and the defaults exist (${path} path, job ${job})`, async () => {
    for (const { file, dashboard } of dashboards) {
      for (const v of dashboard.templating.list) {
        if (v.type === 'datasource') continue; // picks a datasource, queries no series
        const text = typeof v.query === 'string' ? v.query : v.query.query;
        const m = /^label_values\((.+),\s*(\w+)\)$/.exec(text);
        assert.ok(m, `${file} $${v.name}: only label_values(metric, label) variables are used (got ${text})`);
        const selector = substitute(m[1]!, job);
        // A scrape carries no resource attributes on the series (they are in target_info), so
        // the cluster variable has no values there; it is an "All" (.*) variable, which matches
        // series without the label, and the panel check below runs with it.
        if (path === 'scrape' && m[2] === 'k8s_cluster_name') {
          assert.ok(v.includeAll && v.allValue === '.*', `${file} $${v.name}: must offer All = .* for scraped series`);
          continue;
        }
        let values: string[] = [];
        await waitFor(`${file} $${v.name} values (${job})`, async () => {
          values = await prom<string[]>(`/api/v1/label/${m[2]}/values?match[]=${encodeURIComponent(selector)}`);
          return values.length > 0;
        }, 60_000, 1000);
        const def = v.current?.value;
        if (def && def !== '$__all') {
          // $job's default names the push path; on the scrape path the user picks crotel-scrape.
          const expected = v.name === 'job' ? job : def;
          assert.ok(values.includes(expected), `${file} $${v.name}: ${expected} not in ${values.join(', ')}`);
        }
      }
    }
  });
}

test('every PromQL query in every dashboard panel returns data from Prometheus, pushed and scraped', async () => {
  // The same panel under both jobs; a query that does not depend on $job is run once.
  const queries = [...new Map(PATHS.flatMap(({ job }) => promQueries(job).map((q) => ({ ...q, job }))).map((q) => [q.expr, q])).values()]
    .filter((q) => !PANELS_AWAITING_LIFECYCLE_METRICS.includes(q.panel));
  assert.ok(queries.filter((q) => q.job === 'crotel-scrape').length >= 30, `scrape-path queries: ${queries.length}`);
  // rate()/increase() need two samples in the window: the 10 s scrape and the 1 s OTLP push get
  // there within a minute of the stack starting.
  let empty: string[] = [];
  await waitFor('data for every dashboard query', async () => {
    empty = [];
    for (const q of queries) {
      const result = await query(q.expr).catch((error: unknown) => String(error));
      if (typeof result === 'string') empty.push(`${q.panel}: ${q.expr} → ${result}`);
      else if (result.length === 0) empty.push(`${q.panel}: ${q.expr}`);
    }
    if (empty.length > 0 && process.env.CROTEL_STACK_DEBUG) console.error(`${new Date().toISOString()} still without data:\n  ${empty.join('\n  ')}`);
    return empty.length === 0;
  }, 120_000, 2000).catch(() => {});
  assert.deepEqual(empty, [], 'dashboard queries without data');
});

test('every metric a dashboard panel or a rule reads exists under both jobs (one naming for push and scrape)', async () => {
  const exprs = [
    ...promQueries('crotel').map((q) => ({ what: q.panel, expr: q.expr })),
    ...shippedRules.map((r) => ({ what: `rule ${r.alert ?? r.record}`, expr: ruleFor(r, 'crotel') })),
  ];
  const names = new Map<string, string>(); // name matcher → first place that reads it
  for (const { what, expr } of exprs) {
    for (const sel of await selectorsOf(expr)) {
      if (sel.job !== 'crotel') continue; // the Collector's own metrics (job otelcol), ALERTS
      assert.notEqual(sel.name, '', `${what}: a selector without a metric name: ${expr}`);
      if (!names.has(sel.name)) names.set(sel.name, what);
    }
  }
  assert.ok(names.size >= 15, `metric names read: ${[...names.keys()].join(', ')}`);
  // An error counter that never counted has no series on either path (no point was recorded).
  // Such a name must at least be one crotel's /metrics renders once the counter moves: every
  // self-metric recorded once in a fresh pipeline, rendered by the /metrics serializer.
  const telemetry = createTelemetry({ version: 'test', stores: () => [], env: {} });
  const s = telemetry.self;
  s.objectDropped('r', 'kind_limit'); s.listStarted('r'); s.listCompleted('r', 1); s.watchStarted('r'); s.relist('r', 'gone');
  s.reflectorError('r', 'watch'); s.invalidObject('r'); s.extractionError('r', 'p'); s.seriesRejectedFor('r', 'x'); s.dropped('m', 1);
  s.exportFailed('metrics'); s.internalError(); s.spanDrops('queue_full', 1); s.spansSent(1);
  const rendered = new Set((await telemetry.selfExposition('text')).split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => /^[^{ ]+/.exec(l)![0]));
  await telemetry.shutdown(1000);
  let missing: string[] = [];
  await waitFor('every read metric under both jobs', async () => {
    missing = [];
    for (const [name, what] of names) {
      const found: Job[] = [];
      for (const { job } of PATHS) if ((await query(`count({${name}, job="${job}"})`)).length > 0) found.push(job);
      if (found.length === 2) continue;
      const exact = /^__name__="(.+)"$/.exec(name)?.[1];
      if (found.length === 0 && exact !== undefined && rendered.has(exact)) continue; // not counted yet, on either path
      missing.push(`${name} (read by ${what}) has series under ${found.length === 0 ? 'no job' : `only ${found.join()}`}`);
    }
    return missing.length === 0;
  }, 60_000, 2000).catch(() => {});
  assert.deepEqual(missing, []);
});

test('every shipped rule evaluates on both paths, and finds the same objects in the incidents namespace', async () => {
  assert.ok(shippedRules.length >= 12, `rules: ${shippedRules.length}`);
  for (const rule of shippedRules) assert.ok(rule.expr.includes(RULE_JOB), `${rule.alert}: selects ${RULE_JOB} (the mixin's crotelSelector)`);
  // broken-db stays Failed, not Ready and without a backup for a day: its alerts hold on both paths.
  const expectedActive = ['DatabaseInstanceFailed', 'DatabaseInstanceNotReady', 'DatabaseInstanceBackupTooOld', 'CustomResourceFailed', 'CustomResourceNotHealthy'];
  let diffs: string[] = [];
  await waitFor('the rules agree on both paths', async () => {
    diffs = [];
    for (const rule of shippedRules) {
      const keys: Record<string, string[]> = {};
      for (const { job } of PATHS) {
        const result = await query(ruleFor(rule, job)); // a parse or evaluation error throws
        keys[job] = result.filter((r) => (r.metric.namespace ?? r.metric.k8s_namespace_name) === 'incidents')
          .map((r) => objectKey(r.metric)).filter((k) => k !== undefined).sort();
      }
      if (JSON.stringify(keys.crotel) !== JSON.stringify(keys['crotel-scrape'])) diffs.push(`${rule.alert}: push ${JSON.stringify(keys.crotel)} vs scrape ${JSON.stringify(keys['crotel-scrape'])}`);
      if (expectedActive.includes(rule.alert ?? '') && (keys['crotel-scrape'] ?? []).length === 0) diffs.push(`${rule.alert}: not active for incidents/broken-db`);
    }
    return diffs.length === 0;
  }, 60_000, 2000).catch(() => {});
  assert.deepEqual(diffs, []);
});

interface JaegerTraces {
  result?: { resourceSpans?: { scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: { key: string; value: { stringValue?: string } }[]; status?: { code?: number } }[] }[] }[] };
}

test('a DatabaseInstance lifecycle trace reaches the trace store (Jaeger) through the same Collector config', async () => {
  const started = new Date(Date.now() - 60_000).toISOString();
  const uid = await createInstance(stack.cp, 'incidents', 'traced-db', { engine: 'mysql', version: '8.0', storageGB: 5 });
  const status = async (body: Record<string, unknown>) => {
    const res = await stack.cp.raw('PATCH', `/apis/stable.example.com/v1/namespaces/incidents/databaseinstances/traced-db/status`, { status: body });
    assert.equal(res.status, 200, res.body);
    await new Promise((r) => setTimeout(r, 300));
  };
  await status({ phase: 'Pending' });
  await status({ phase: 'Provisioning' });
  await status({ phase: 'Running', observedGeneration: 1 });
  const attr = (span: { attributes?: { key: string; value: { stringValue?: string } }[] }, key: string) =>
    span.attributes?.find((a) => a.key === key)?.value.stringValue;
  let spans: NonNullable<NonNullable<NonNullable<JaegerTraces['result']>['resourceSpans']>[number]['scopeSpans']>[number]['spans'] = [];
  await waitFor('the episode in Jaeger', async () => {
    const search = new URLSearchParams({
      'query.service_name': 'crotel', 'query.start_time_min': started,
      'query.start_time_max': new Date(Date.now() + 60_000).toISOString(), 'query.num_traces': '100',
    });
    const res = await fetch(`${stack.jaegerUrl}/api/v3/traces?${search}`);
    if (!res.ok) return false;
    const all = ((await res.json()) as JaegerTraces).result?.resourceSpans?.flatMap((r) => r.scopeSpans ?? []).flatMap((s) => s.spans ?? []) ?? [];
    const root = all.find((s) => s.name === 'reconcile DatabaseInstance' && attr(s, 'k8s.object.uid') === uid);
    if (!root) return false;
    // The whole trace, by id, as the trace view would load it.
    const one = await fetch(`${stack.jaegerUrl}/api/v3/traces/${root.traceId}`);
    spans = ((await one.json()) as JaegerTraces).result?.resourceSpans?.flatMap((r) => r.scopeSpans ?? []).flatMap((s) => s.spans ?? []) ?? [];
    return spans.length >= 3;
  }, 60_000, 1000);
  const root = spans.find((s) => s.name === 'reconcile DatabaseInstance')!;
  assert.equal(attr(root, 'crotel.episode.outcome'), 'succeeded');
  assert.deepEqual(spans.filter((s) => s !== root).map((s) => s.name).sort(), ['phase Pending', 'phase Provisioning']);
  for (const child of spans.filter((s) => s !== root)) assert.equal(child.parentSpanId, root.spanId);
});
