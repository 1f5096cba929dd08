// One table test per class of hostile input (issue 16): each case would break the scrape, stall
// the process, leak a credential or export a wrong value before the fix. The property tests
// (property.test.ts) cover the same classes with random inputs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { ConfigError, parseConfigText } from '../../src/config/index.ts';
import { compileConfig, createRedactor, parseTimestamp, parseValue, readConditions, redact } from '../../src/extract/index.ts';
import { compileKsmConfig, ksmFloat, parseKsmConfig } from '../../src/ksm/index.ts';
import { ksmNameConflicts } from '../../src/ksm/crosscheck.ts';
import { toSpanEvent } from '../../src/events/index.ts';
import { redactSpan } from '../../src/traces/index.ts';
import { createLogger } from '../../src/log.ts';
import { errorPathLabel, MAX_ERROR_SERIES } from '../../src/metrics/self-metrics.ts';
import { checkExposition } from '../harness/strict-exposition.ts';
import { scrape } from '../harness/hostile.ts';

const root = new URL('../../', import.meta.url).pathname;

function widget(i: number, extra: { metadata?: Record<string, unknown>; status?: unknown; spec?: unknown } = {}): Record<string, unknown> {
  return {
    apiVersion: 'example.com/v1', kind: 'Widget',
    metadata: { uid: `uid-${i}`, name: `w${i}`, namespace: 'ns', resourceVersion: '1', ...extra.metadata },
    ...(extra.spec !== undefined ? { spec: extra.spec } : {}),
    ...(extra.status !== undefined ? { status: extra.status } : {}),
  };
}

const ksmText = (resource: string): string => `kind: CustomResourceStateMetrics
spec:
  resources:
    - groupVersionKind: {group: example.com, version: v1, kind: Widget}
${resource.replace(/^/gm, '      ')}
`;

function refusesKsm(text: string, pattern: RegExp): void {
  assert.throws(() => parseKsmConfig(text, 'ksm.yaml'), (e: unknown) => e instanceof ConfigError && pattern.test(e.message));
}

async function validScrape(native: string | undefined, ksm: string | undefined, objects: Record<string, unknown>[]): Promise<string> {
  const { text, accepted } = await scrape(native, ksm, objects);
  assert.ok(accepted, 'configs were refused');
  checkExposition(text);
  return text;
}

test('label names a kube-state-metrics config can produce are checked at validate', async (t) => {
  const cases: Record<string, [string, RegExp]> = {
    'labelName ""': [`metrics:\n  - name: s\n    each: {type: StateSet, stateSet: {path: [status, phase], labelName: "", list: [a]}}`, /labelName: expected a non-empty label name/],
    'commonLabels key with a dot': [`commonLabels: {app.kubernetes.io/name: x}\nmetrics:\n  - name: g\n    each: {type: Gauge, gauge: {path: [spec, n]}}`, /commonLabels\["app\.kubernetes\.io\/name"\]: expected a Prometheus label name/],
    'labelsFromPath key starting with a digit': [`labelsFromPath: {1password.com/item: [metadata, name]}\nmetrics:\n  - name: g\n    each: {type: Gauge, gauge: {path: [spec, n]}}`, /after sanitizing/],
    'empty labelsFromPath key': [`labelsFromPath: {"": [metadata, name]}\nmetrics:\n  - name: g\n    each: {type: Gauge, gauge: {path: [spec, n]}}`, /non-empty label name/],
    'keys that sanitize to one name': [`labelsFromPath: {a.b: [metadata, name], a/b: [metadata, uid]}\nmetrics:\n  - name: g\n    each: {type: Gauge, gauge: {path: [spec, n]}}`, /unique after sanitizing/],
    'reserved __ label': [`commonLabels: {__name__: x}\nmetrics:\n  - name: g\n    each: {type: Gauge, gauge: {path: [spec, n]}}`, /reserved/],
    'labelFromKey not a label name': [`metrics:\n  - name: g\n    each: {type: Gauge, gauge: {path: [spec, m], labelFromKey: "my key"}}`, /labelFromKey: expected a Prometheus label name/],
    'a * prefix that cannot start a name': [`labelsFromPath: {"9_*": [metadata, labels]}\nmetrics:\n  - name: g\n    each: {type: Gauge, gauge: {path: [spec, n]}}`, /after sanitizing/],
  };
  for (const [name, [resource, pattern]] of Object.entries(cases)) await t.test(name, () => refusesKsm(ksmText(resource), pattern));
});

test('label names taken from an object (* maps) that cannot be exported drop only that series, counted with a reason', async (t) => {
  const ksm = ksmText(`labelsFromPath: {"*": [metadata, annotations], name: [metadata, name]}
metrics:
  - name: value
    each: {type: Gauge, gauge: {path: [spec, n]}}`);
  const cases: Record<string, Record<string, string>> = {
    'a key starting with a digit': { '1password.com/item': 'x' },
    'an empty key': { '': 'x' },
    'a numeric key': { 123: 'x' },
    'a reserved key': { __meta: 'x' },
    'keys that sanitize to one name': { 'a.b': '1', 'a/b': '2' },
  };
  for (const [name, annotations] of Object.entries(cases)) {
    await t.test(name, async () => {
      const text = await validScrape(undefined, ksm, [widget(0, { metadata: { annotations }, spec: { n: 1 } }), widget(1, { metadata: { annotations: { ok: 'y' } }, spec: { n: 2 } })]);
      assert.match(text, /kube_customresource_value\{[^}]*name="w1"[^}]*ok="y"[^}]*\} 2/, 'the good object keeps its series');
      assert.doesNotMatch(text, /kube_customresource_value\{[^}]*name="w0"/, 'the bad series is dropped');
      assert.match(text, /crotel_series_rejected_total\{[^}]*reason="(invalid_label_name|duplicate_label_name)"[^}]*\} 1/);
    });
  }
});

test('one Prometheus name, one family: collisions with self-metrics, generic families and across configs are refused', async (t) => {
  const native = (name: string, generic = false): string => `resources:\n  - {group: example.com, version: v1, kind: Widget, generic: ${generic}, metrics: [{name: ${name}, gauge: {path: spec.n}}]}\n`;
  await t.test('native metric named like a self-metric', () => {
    assert.throws(() => parseConfigText(native('crotel.objects'), 'c.yaml'), /crotel_\*/);
    assert.throws(() => parseConfigText(native('process_cpu_seconds_total'), 'c.yaml'), /process_\*/);
  });
  await t.test('kube-state-metrics metric named like a self-metric', () => {
    refusesKsm(`kind: CustomResourceStateMetrics\nspec:\n  resources:\n    - groupVersionKind: {group: example.com, version: v1, kind: Widget}\n      metricNamePrefix: ""\n      metrics:\n        - {name: crotel_objects, each: {type: Gauge, gauge: {path: [spec, n]}}}\n`, /crotel_\*/);
  });
  await t.test('native and kube-state-metrics metric with one Prometheus name', () => {
    const config = parseConfigText(native('kube_customresource_value'), 'c.yaml');
    const ksm = parseKsmConfig(ksmText('metrics:\n  - {name: value, each: {type: Gauge, gauge: {path: [spec, n]}}}'), 'ksm.yaml');
    const problems = ksmNameConflicts(ksm, config);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.got, /kube_customresource_value/);
    assert.equal(problems[0]!.line, 6, 'names the line of the metric name');
  });
  await t.test('native metric whose OpenTelemetry name is a kube-state-metrics name (another unit suffix)', () => {
    const config = parseConfigText('resources:\n  - {group: example.com, version: v1, kind: Widget, generic: false, metrics: [{name: kube_customresource_value, unit: By, gauge: {path: spec.n}}]}\n', 'c.yaml');
    const ksm = parseKsmConfig(ksmText('metrics:\n  - {name: value, each: {type: Gauge, gauge: {path: [spec, n]}}}'), 'ksm.yaml');
    assert.equal(ksmNameConflicts(ksm, config).length, 1, 'kube_customresource_value_bytes scraped, but one OTLP name kube_customresource_value');
  });
  await t.test('kube-state-metrics metric named like a generic family of the native config', () => {
    const config = parseConfigText('resources:\n  - {group: example.com, version: v1, kind: Widget}\n', 'c.yaml');
    const ksm = parseKsmConfig(`kind: CustomResourceStateMetrics\nspec:\n  resources:\n    - groupVersionKind: {group: example.com, version: v1, kind: Widget}\n      metricNamePrefix: ""\n      metrics:\n        - {name: k8s_object_health, each: {type: Gauge, gauge: {path: [spec, n]}}}\n`, 'ksm.yaml');
    assert.equal(ksmNameConflicts(ksm, config).length, 1);
  });
  await t.test('two entries with generic families for one kind', () => {
    assert.throws(() => parseConfigText('resources:\n  - {group: example.com, version: v1, kind: Widget}\n  - {group: example.com, version: v2, kind: Widget}\n', 'c.yaml'), /served twice/);
  });
  await t.test('a kube-state-metrics entry listed twice serves each series once', async () => {
    const entry = `- groupVersionKind: {group: example.com, version: v1, kind: Widget}\n  labelsFromPath: {uid: [metadata, uid]}\n  metrics:\n    - {name: value, each: {type: Gauge, gauge: {path: [spec, n]}}}\n`;
    const text = await validScrape(undefined, `kind: CustomResourceStateMetrics\nspec:\n  resources:\n${(entry + entry).replace(/^/gm, '    ')}`, [widget(0, { spec: { n: 1 } })]);
    assert.equal(text.match(/^kube_customresource_value\{/gm)?.length, 1);
  });
});

test('config strings that become label values or HELP text of the scrape', async (t) => {
  await t.test('group, version and namespaces must be Kubernetes names (they label crotel_* series)', () => {
    assert.throws(() => parseConfigText('resources:\n  - {group: "a\\"b", version: v1, kind: Widget}\n', 'c.yaml'), /API group/);
    assert.throws(() => parseConfigText('resources:\n  - {group: example.com, version: "v1\\n", kind: Widget}\n', 'c.yaml'), /API version/);
    assert.throws(() => parseConfigText('resources:\n  - {group: example.com, version: v1, kind: Widget, namespaces: ["a b"]}\n', 'c.yaml'), /namespace name/);
    refusesKsm('kind: CustomResourceStateMetrics\nspec:\n  resources:\n    - groupVersionKind: {group: "ex ample", version: v1, kind: W}\n      metrics: []\n', /API group/);
  });
  await t.test('a description with a lone surrogate or newline still gives a valid HELP line', async () => {
    await validScrape('resources:\n  - group: example.com\n    version: v1\n    kind: Widget\n    metrics: [{name: widget_n, description: "bad \\uD800 help\\nline", gauge: {path: spec.n}}]\n', undefined, [widget(0, { spec: { n: 1 } })]);
    await validScrape(undefined, ksmText('metrics:\n  - {name: value, help: "x \\uDC00 y", each: {type: Gauge, gauge: {path: [spec, n]}}}'), [widget(0, { spec: { n: 1 } })]);
  });
});

test('bounded work per value: huge exponents, long strings and hostile regexes finish at once', { timeout: 20_000 }, async (t) => {
  const quantities: [string, number][] = [['1e-999999999', 1e-9], ['-1e-999999999', -1e-9], ['1e999999999', Infinity], ['0e999999999', 0], ['1.5e-10', 1e-9]];
  for (const [text, expected] of quantities) {
    await t.test(`kube-state-metrics quantity ${text}`, () => {
      const t0 = performance.now();
      const r = ksmFloat(text, false);
      assert.ok(performance.now() - t0 < 100, `${performance.now() - t0} ms`);
      assert.deepEqual(r, { ok: true, value: expected });
    });
  }
  await t.test('a 100 KiB numeric string is refused without parsing', () => {
    assert.equal(ksmFloat('1'.repeat(100_000), false).ok, false);
  });
  await t.test('a nested-quantifier redact pattern on a 40-character value (render)', async () => {
    const config = `redact: ["(a+)+$", "(x+x+)+y"]\nresources:\n  - group: example.com\n    version: v1\n    kind: Widget\n    metrics: [{name: widget_info, info: {labels: {note: spec.note, other: spec.other}}}]\n`;
    const t0 = performance.now();
    const text = await validScrape(config, undefined, [widget(0, { spec: { note: `${'a'.repeat(40)}!`, other: 'x'.repeat(40) } })]);
    assert.ok(performance.now() - t0 < 2000, `${performance.now() - t0} ms`);
    assert.match(text, /note="a{40}!"/);
  });
});

test('redaction reaches every exported string', async (t) => {
  await t.test('a map-form condition keyed by a DSN: not in the self-metric path label, which is capped', async () => {
    const errors: { path: string; reason: string }[] = [];
    readConditions({ 'postgres://app:hunter2@db/x': { status: 7 } }, 'status.conditions', redact, errors);
    assert.ok(errors.length > 0);
    for (const e of errors) assert.ok(!e.path.includes('hunter2'), e.path);
    assert.equal(errorPathLabel(errors[0]!.path), 'status.conditions[*].status');
    assert.ok(errorPathLabel(`x.${'y'.repeat(500)}`).length <= 128);
    const text = await validScrape('resources:\n  - {group: example.com, version: v1, kind: Widget}\n', undefined, [widget(0, { status: { conditions: { 'postgres://app:hunter2@db/x': { status: 7 } } } })]);
    assert.ok(!text.includes('hunter2'));
    assert.match(text, /crotel_extraction_errors_total\{[^}]*path="status\.conditions\[\*\]\.status"/);
  });
  await t.test('a kube-state-metrics label longer than the 8 KiB cap with a URL across the cut', async () => {
    const ksm = ksmText('labelsFromPath: {note: [spec, note]}\nmetrics:\n  - {name: value, each: {type: Gauge, gauge: {path: [spec, n]}}}');
    const note = `${'x'.repeat(8192 - 25)} postgres://app:hunter2hunter2@db/x`;
    const text = await validScrape(undefined, ksm, [widget(0, { spec: { n: 1, note } })]);
    assert.ok(!text.includes('hunter'), 'no part of the password');
  });
  await t.test('Event messages get the config patterns; reasons, types and sources are redacted', () => {
    const r = createRedactor(['internal-[0-9]+']);
    const event = toSpanEvent({
      involvedObject: { uid: 'u' }, lastTimestamp: '2024-01-01T00:00:00Z', type: 'Warning',
      reason: 'Failed password=hunter2', message: 'host internal-42 via postgres://a:hunter2@db', source: { component: 'token=abc123' },
    }, r)!;
    assert.equal(event.event.attributes['k8s.event.message'], 'host REDACTED via postgres://REDACTED@db');
    assert.equal(event.event.attributes['k8s.event.reason'], 'Failed password=REDACTED');
    assert.equal(event.event.name, 'Failed password=REDACTED');
    assert.equal(event.event.attributes['k8s.event.source'], 'token=REDACTED');
  });
  await t.test('span names, attributes, status messages and events', () => {
    const span = redactSpan({
      traceId: 't', spanId: 's', name: 'phase Bearer abcdefgh12345', startMs: 0, endMs: 1, status: 'error', statusMessage: 'password=hunter2',
      attributes: { 'k8s.object.name': 'db', note: 'postgres://a:hunter2@db', n: 3 },
      events: [{ name: 'x', timeMs: 0, attributes: { m: 'AKIAIOSFODNN7EXAMPLE' } }],
    }, redact);
    assert.ok(!JSON.stringify(span).includes('hunter2') && !JSON.stringify(span).includes('AKIA') && !JSON.stringify(span).includes('abcdefgh12345'), JSON.stringify(span));
    assert.equal(span.attributes.n, 3);
  });
  await t.test('log lines: message and fields, config patterns included', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _e, done) { lines.push(String(chunk)); done(); } });
    const log = createLogger('info', createRedactor(['internal-[0-9]+']), sink as never);
    log.warn({ err: 'GET https://u:hunter2@api/x failed', errors: [{ reason: 'token=abc123' }] }, 'at internal-42');
    await new Promise((r) => setImmediate(r));
    const out = lines.join('');
    assert.ok(!out.includes('hunter2') && !out.includes('abc123') && !out.includes('internal-42'), out);
  });
});

test('wrong values: years 0000-0099 and Go zero time', async (t) => {
  const cases: [string, string | undefined][] = [
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['0000-03-01T00:00:00Z', '0000-03-01T00:00:00.000Z'],
    ['0099-12-31T23:59:59Z', '0099-12-31T23:59:59.000Z'],
    ['0004-02-29T12:00:00+02:00', '0004-02-29T10:00:00.000Z'],
    ['0100-02-29T00:00:00Z', undefined],
  ];
  for (const [text, iso] of cases) {
    await t.test(text, () => {
      const p = parseTimestamp(text);
      assert.equal(p === undefined ? undefined : new Date(p.epochMs).toISOString().replace(/^\+0*|^-0*/, (m) => m), iso === undefined ? undefined : iso);
    });
  }
  await t.test('Go zero time is "unset" for crotel metrics and facts', () => {
    assert.deepEqual(parseValue('0001-01-01T00:00:00Z'), { kind: 'absent' });
    const [resource] = compileConfig(parseConfigText('resources:\n  - {group: example.com, version: v1, kind: Widget}\n', 'c.yaml'));
    const s = resource!.extract(widget(0, { metadata: { creationTimestamp: '0001-01-01T00:00:00Z' }, status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '0001-01-01T00:00:00Z' }] } }));
    assert.ok(!('invalid' in s));
    if ('invalid' in s) return;
    assert.equal(s.createdAt, undefined);
    assert.equal(s.conditions[0]!.since, undefined);
    assert.deepEqual(s.errors, []);
  });
  await t.test('kube-state-metrics keeps its number for year 1, without the 1900 shift', () => {
    assert.deepEqual(ksmFloat('0001-01-01T00:00:00Z', false), { ok: true, value: -62135596800 });
    assert.deepEqual(ksmFloat('0099-12-31T23:59:59Z', false), { ok: true, value: -59011459201 });
  });
});

test('duplicate series from one object are dropped and counted; the scrape stays valid', async (t) => {
  const native = 'resources:\n  - group: example.com\n    version: v1\n    kind: Widget\n    generic: true\n    metrics: [{name: widget_condition, conditions: {}}]\n';
  const cases: Record<string, [string, string]> = {
    'condition types equal up to the label cap': [`${'T'.repeat(300)}a`, `${'T'.repeat(300)}b`],
    'lone surrogates': ['Ready\uD800', 'Ready\uD801'],
    'a surrogate pair cut by the cap': [`${'T'.repeat(255)}😀`, `${'T'.repeat(255)}😁`],
  };
  for (const [name, [a, b]] of Object.entries(cases)) {
    await t.test(name, async () => {
      const text = await validScrape(native, undefined, [widget(0, { status: { conditions: [{ type: a, status: 'True' }, { type: b, status: 'False' }] } })]);
      // The second condition is the same series as the first: read once, the other reported.
      assert.equal(text.match(/^widget_condition\{/gm)?.length, 1);
      assert.match(text, /crotel_extraction_errors_total\{[^}]*path="status\.conditions\[\*\]"[^}]*\} 1/);
    });
  }
  await t.test('the guard drops a repeated series a repaired value creates, and counts it', async () => {
    const { guardSamples } = await import('../../src/extract/guard.ts');
    const family = { name: 'f', prometheusName: 'f', description: '', unit: '', instrument: 'gauge' as const, attributeKeys: ['a'], cardinalityLimit: 10 };
    const errors: { path: string; reason: string }[] = [];
    const out = guardSamples([family], [{ family: 0, attributeValues: ['x\uD800'], value: 1 }, { family: 0, attributeValues: ['x\uD801'], value: 2 }], errors);
    assert.deepEqual(out.map((s) => s.attributeValues), [['x\uFFFD']]);
    assert.equal((errors[0] as { rejected?: string }).rejected, 'duplicate_series');
  });
  await t.test('two objects whose names differ only in a redacted part', async () => {
    const config = 'redact: ["db-[0-9]+"]\nresources:\n  - {group: example.com, version: v1, kind: Widget}\n';
    const text = await validScrape(config, undefined, [widget(0, { metadata: { name: 'db-1111111' } }), widget(1, { metadata: { name: 'db-2222222' } })]);
    assert.ok(!text.includes('1111111'));
  });
});

test('one object with 100k conditions: bounded errors, bounded counter series', { timeout: 20_000 }, async (t) => {
  const [resource] = compileConfig(parseConfigText('resources:\n  - {group: example.com, version: v1, kind: Widget}\n', 'c.yaml'));
  for (const [name, conditions] of Object.entries({
    list: Array.from({ length: 100_000 }, (_, i) => (i % 2 ? 'junk' : { type: `T${i}`, status: 'True' })),
    map: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`T${i}`, { status: i }])),
  })) {
    await t.test(name, async () => {
      const s = resource!.extract(widget(0, { status: { conditions } }));
      assert.ok(!('invalid' in s));
      if ('invalid' in s) return;
      assert.ok(s.errors.length <= 32, `${s.errors.length} errors`);
      const text = await validScrape('resources:\n  - {group: example.com, version: v1, kind: Widget}\n', undefined, [widget(0, { status: { conditions } })]);
      const series = text.match(/^crotel_extraction_errors_total\{/gm)?.length ?? 0;
      assert.ok(series > 0 && series <= 40, `${series} error series`);
    });
  }
  await t.test('the counter itself stops adding series past its limit', async () => {
    const { createTelemetry } = await import('../../src/metrics/telemetry.ts');
    const telemetry = createTelemetry({ version: 't', stores: () => [], env: {} });
    for (let i = 0; i < MAX_ERROR_SERIES * 3; i++) telemetry.self.extractionError('r', `spec.f${i}`);
    const text = await telemetry.selfExposition();
    await telemetry.shutdown();
    assert.equal(text.match(/^crotel_extraction_errors_total\{/gm)?.length, MAX_ERROR_SERIES + 1);
    assert.match(text, /path="\(other\)"\} 2000/);
  });
});

test('clearer messages', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crotel-hostile-'));
  const crotel = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/crotel.js'), ...args], { cwd: root, encoding: 'utf8' });
  try {
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'port: 1e400\nlimits: {seriesPerMetric: 0}\nresources:\n  - {version: v1, kind: Foo}\n');
    const r = crotel('validate', '--config', file);
    await t.test('seriesPerMetric: 0 states the exclusive bound', () => assert.match(r.stderr, /limits\.seriesPerMetric: expected a value > 0, got number 0/));
    await t.test('port: 1e400 says the number is out of range', () => assert.match(r.stderr, /port: expected a finite number, got number Infinity \(out of range/));
    await t.test('-f given a directory names it', () => {
      mkdirSync(join(dir, 'objects'));
      const render = crotel('render', '--config', 'examples/databaseinstance/crotel.yaml', '-f', join(dir, 'objects'));
      assert.match(render.stderr, new RegExp(`${join(dir, 'objects').replace(/[.]/g, '\\.')}: cannot read objects \\(a directory, not a file\\)`));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kube-state-metrics series carry the config redact patterns too', async () => {
  const config = parseConfigText('redact: ["internal-[0-9]+"]\nresources: []\nksmConfig: k.yaml\n', 'c.yaml');
  const ksm = parseKsmConfig(ksmText('labelsFromPath: {note: [spec, note]}\nmetrics:\n  - {name: value, each: {type: Gauge, gauge: {path: [spec, n]}}}'), 'k.yaml');
  const [resource] = compileKsmConfig(ksm, { redactor: createRedactor(config.redact) }).resources;
  const s = resource!.extract(widget(0, { spec: { n: 1, note: 'at internal-42' } }));
  assert.ok(!('invalid' in s) && s.samples.some((x) => x.attributeValues.includes('at REDACTED')));
});
