// src/ksm/compile.ts case by case: what a compiled kube-state-metrics metric makes of one object,
// per metric type and label source, with kube-state-metrics' semantics (missing paths drop the
// label or the series, never an error; values converted as KSM converts them), and what it does
// with fields of the wrong shape (an error counted for that metric, the rest of the object kept,
// nothing thrown). Each case is a named subtest; expectations are written from KSM's behaviour,
// not copied from crotel's output.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/config/index.ts';
import { compileKsmResource, MAX_LABEL_SETS_PER_METRIC, parseKsmConfig, type KsmResource } from '../../src/ksm/index.ts';
import type { CompiledResource, ExtractionError } from '../../src/model.ts';

const REF = { group: 'myteam.io', version: 'v1', kind: 'Foo' };

/** One resource entry of a KSM config (YAML under `- groupVersionKind: …`), parsed and compiled. */
function compile(entry: string): CompiledResource {
  return compileKsmResource(parseEntry(entry), REF);
}

function parseEntry(entry: string): KsmResource {
  const indented = entry.trim().split('\n').map((l) => `      ${l}`).join('\n');
  const text = `spec:\n  resources:\n    - groupVersionKind: {group: myteam.io, version: v1, kind: Foo}\n${indented}\n`;
  const r = parseKsmConfig(text, 'crs.yaml').resources[0];
  assert.ok(r, 'one resource');
  return r;
}

function object(fields: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'myteam.io/v1', kind: 'Foo', metadata: { uid: 'u1', name: 'foo', namespace: 'ns', ...metadata }, ...fields };
}

interface Extracted {
  /** `name{k="v",…} value`, sorted; the customresource_* labels left out unless asked for. */
  readonly series: string[];
  readonly errors: readonly ExtractionError[];
}

function extract(r: CompiledResource, obj: unknown, options: { gvk?: boolean } = {}): Extracted {
  const s = r.extract(obj);
  if ('invalid' in s) assert.fail(`object refused: ${s.invalid}`);
  const series = s.samples.map((sample) => {
    const f = r.families[sample.family];
    assert.ok(f, `sample of family ${sample.family} has a family`);
    assert.equal(sample.attributeValues.length, f.attributeKeys.length, 'one value per key');
    const labels = f.attributeKeys
      .map((k, i) => [k, sample.attributeValues[i]] as const)
      .filter(([k]) => options.gvk === true || !k.startsWith('customresource_'))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    return `${f.name}{${labels.join(',')}} ${sample.value}`;
  });
  return { series: series.sort(), errors: s.errors };
}

interface Case {
  readonly name: string;
  /** The resource entry: labels and `metrics:` (YAML, indented as under the entry). */
  readonly entry: string;
  readonly object: unknown;
  readonly series: readonly string[];
  /** Error paths expected (each error's `path`), in order; default none. */
  readonly errors?: readonly string[];
}

function runCases(t: { test: (name: string, fn: () => void) => unknown }, cases: readonly Case[]): void {
  for (const c of cases) {
    t.test(c.name, () => {
      const got = extract(compile(c.entry), c.object);
      assert.deepEqual(got.series, [...c.series].sort());
      assert.deepEqual(got.errors.map((e) => e.path), c.errors ?? [], JSON.stringify(got.errors));
    });
  }
}

test('gauge', (t) => {
  runCases(t, [
    {
      name: 'a number at path + valueFrom',
      entry: 'metrics:\n  - name: replicas\n    each: {type: Gauge, gauge: {path: [status], valueFrom: [replicas]}}',
      object: object({ status: { replicas: 3 } }),
      series: ['kube_customresource_replicas{} 3'],
    },
    {
      name: 'KSM conversions: True, yes, quantities, RFC 3339 (whole seconds), percentages',
      entry: [
        'metrics:',
        '  - {name: ready, each: {type: Gauge, gauge: {path: [status, ready]}}}',
        '  - {name: enabled, each: {type: Gauge, gauge: {path: [status, enabled]}}}',
        '  - {name: size, each: {type: Gauge, gauge: {path: [spec, size]}}}',
        '  - {name: cpu, each: {type: Gauge, gauge: {path: [spec, cpu]}}}',
        '  - {name: since, each: {type: Gauge, gauge: {path: [status, since]}}}',
        '  - {name: share, each: {type: Gauge, gauge: {path: [status, share]}}}',
      ].join('\n'),
      object: object({ spec: { size: '10Gi', cpu: '500m' }, status: { ready: 'True', enabled: 'yes', since: '2024-01-02T03:04:05.9Z', share: '50%' } }),
      series: [
        'kube_customresource_ready{} 1',
        'kube_customresource_enabled{} 1',
        `kube_customresource_size{} ${10 * 2 ** 30}`,
        'kube_customresource_cpu{} 0.5',
        `kube_customresource_since{} ${Date.UTC(2024, 0, 2, 3, 4, 5) / 1000}`,
        'kube_customresource_share{} 0.5',
      ],
    },
    {
      name: 'a list: one series per element, labels read from each element',
      entry: 'metrics:\n  - name: condition\n    each: {type: Gauge, gauge: {path: [status, conditions], labelsFromPath: {type: [type]}, valueFrom: [status]}}',
      object: object({ status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Synced', status: 'False' }] } }),
      series: ['kube_customresource_condition{type="Ready"} 1', 'kube_customresource_condition{type="Synced"} 0'],
    },
    {
      name: 'a map with labelFromKey: one series per entry, the key as a label',
      entry: 'metrics:\n  - name: count\n    each: {type: Gauge, gauge: {path: [status, counts], labelFromKey: bucket}}',
      object: object({ status: { counts: { small: 2, large: 5 } } }),
      series: ['kube_customresource_count{bucket="large"} 5', 'kube_customresource_count{bucket="small"} 2'],
    },
    {
      name: 'a missing value: no series, no error',
      entry: 'metrics:\n  - name: replicas\n    each: {type: Gauge, gauge: {path: [status, replicas]}}',
      object: object({ status: {} }),
      series: [],
    },
    {
      name: 'nilIsZero: a missing value gives 0',
      entry: 'metrics:\n  - name: replicas\n    each: {type: Gauge, gauge: {path: [status, replicas], nilIsZero: true}}',
      object: object({ status: {} }),
      series: ['kube_customresource_replicas{} 0'],
    },
    {
      name: 'nilIsZero: an explicit null gives 0 too',
      entry: 'metrics:\n  - name: replicas\n    each: {type: Gauge, gauge: {path: [status, replicas], nilIsZero: true}}',
      object: object({ status: { replicas: null } }),
      series: ['kube_customresource_replicas{} 0'],
    },
    {
      name: 'a value that is no number: an error under "<metric> <path>", other metrics unaffected',
      entry: [
        'metrics:',
        '  - {name: phase_value, each: {type: Gauge, gauge: {path: [status], valueFrom: [phase]}}}',
        '  - {name: replicas, each: {type: Gauge, gauge: {path: [status, replicas]}}}',
      ].join('\n'),
      object: object({ status: { phase: 'Running', replicas: 2 } }),
      series: ['kube_customresource_replicas{} 2'],
      errors: ['kube_customresource_phase_value [status,phase]'],
    },
  ]);
});

test('info', (t) => {
  runCases(t, [
    {
      name: 'value 1, labels from paths',
      entry: 'metrics:\n  - name: owner\n    each: {type: Info, info: {labelsFromPath: {owner: [spec, owner], tier: [metadata, labels, tier]}}}',
      object: object({ spec: { owner: 'team-a' } }, { labels: { tier: 'db' } }),
      series: ['kube_customresource_owner{owner="team-a",tier="db"} 1'],
    },
    {
      name: 'over a list: one series per element',
      entry: 'metrics:\n  - name: port\n    each: {type: Info, info: {path: [spec, ports], labelsFromPath: {port: [name]}}}',
      object: object({ spec: { ports: [{ name: 'http' }, { name: 'grpc' }] } }),
      series: ['kube_customresource_port{port="grpc"} 1', 'kube_customresource_port{port="http"} 1'],
    },
    {
      name: 'no label of its own resolves: no series',
      entry: 'metrics:\n  - name: owner\n    each: {type: Info, info: {labelsFromPath: {owner: [spec, owner]}}}',
      object: object({ spec: {} }),
      series: [],
    },
  ]);
});

test('stateSet', (t) => {
  runCases(t, [
    {
      name: 'one series per listed state, 1 for the current one',
      entry: 'metrics:\n  - name: phase\n    each: {type: StateSet, stateSet: {labelName: phase, path: [status], valueFrom: [phase], list: [Pending, Running, Failed]}}',
      object: object({ status: { phase: 'Running' } }),
      series: ['kube_customresource_phase{phase="Failed"} 0', 'kube_customresource_phase{phase="Pending"} 0', 'kube_customresource_phase{phase="Running"} 1'],
    },
    {
      name: 'a state not in the list: every listed state 0',
      entry: 'metrics:\n  - name: phase\n    each: {type: StateSet, stateSet: {labelName: phase, path: [status, phase], list: [A, B]}}',
      object: object({ status: { phase: 'C' } }),
      series: ['kube_customresource_phase{phase="A"} 0', 'kube_customresource_phase{phase="B"} 0'],
    },
    {
      name: 'not populated yet: no series, no error',
      entry: 'metrics:\n  - name: phase\n    each: {type: StateSet, stateSet: {labelName: phase, path: [status, phase], list: [A, B]}}',
      object: object({}),
      series: [],
    },
    {
      name: 'a state that is not a string: an error, no series',
      entry: 'metrics:\n  - name: phase\n    each: {type: StateSet, stateSet: {labelName: phase, path: [status, phase], list: [A, B]}}',
      object: object({ status: { phase: { nested: 'A' } } }),
      series: [],
      errors: ['kube_customresource_phase [status,phase]'],
    },
  ]);
});

test('labelsFromPath and commonLabels', (t) => {
  const gauge = '  - name: replicas\n    each: {type: Gauge, gauge: {path: [status, replicas]}}';
  runCases(t, [
    {
      name: 'resource-level labels on every metric',
      entry: `labelsFromPath: {name: [metadata, name], namespace: [metadata, namespace]}\nmetrics:\n${gauge}`,
      object: object({ status: { replicas: 1 } }),
      series: ['kube_customresource_replicas{name="foo",namespace="ns"} 1'],
    },
    {
      name: 'a label whose path is missing is left out (not empty)',
      entry: `labelsFromPath: {name: [metadata, name], team: [metadata, labels, team]}\nmetrics:\n${gauge}`,
      object: object({ status: { replicas: 1 } }),
      series: ['kube_customresource_replicas{name="foo"} 1'],
    },
    {
      name: 'a metric-level label overrides the resource-level one of the same name',
      entry: 'labelsFromPath: {who: [metadata, name]}\nmetrics:\n  - name: replicas\n    labelsFromPath: {who: [spec, owner]}\n    each: {type: Gauge, gauge: {path: [status, replicas]}}',
      object: object({ spec: { owner: 'team-a' }, status: { replicas: 1 } }),
      series: ['kube_customresource_replicas{who="team-a"} 1'],
    },
    {
      name: 'commonLabels: constants, a metric\'s winning over the resource\'s',
      entry: 'commonLabels: {env: prod, team: a}\nmetrics:\n  - name: replicas\n    commonLabels: {team: b}\n    each: {type: Gauge, gauge: {path: [status, replicas]}}',
      object: object({ status: { replicas: 1 } }),
      series: ['kube_customresource_replicas{env="prod",team="b"} 1'],
    },
    {
      name: 'a `prefix_*` key copies a map, keys sanitized and prefixed',
      entry: `labelsFromPath: {"label_*": [metadata, labels]}\nmetrics:\n${gauge}`,
      object: object({ status: { replicas: 1 } }, { labels: { 'app.kubernetes.io/name': 'db', tier: 'x' } }),
      series: ['kube_customresource_replicas{label_app_kubernetes_io_name="db",label_tier="x"} 1'],
    },
    {
      name: 'label text as Go prints it: numbers and booleans',
      entry: `labelsFromPath: {size: [spec, size], on: [spec, on]}\nmetrics:\n${gauge}`,
      object: object({ spec: { size: 3, on: true }, status: { replicas: 1 } }),
      series: ['kube_customresource_replicas{on="true",size="3"} 1'],
    },
    {
      name: 'credentials in label values are redacted',
      entry: `labelsFromPath: {dsn: [spec, dsn]}\nmetrics:\n${gauge}`,
      object: object({ spec: { dsn: 'postgres://app:hunter2@db/x' }, status: { replicas: 1 } }),
      series: ['kube_customresource_replicas{dsn="postgres://REDACTED@db/x"} 1'],
    },
    {
      name: 'a `*` map key that is no label name after sanitizing drops the series (rejected, counted)',
      entry: `labelsFromPath: {"*": [metadata, annotations]}\nmetrics:\n${gauge}`,
      object: object({ status: { replicas: 1 } }, { annotations: { '1password.com/item': 'x' } }),
      series: [],
      errors: ['kube_customresource_replicas'],
    },
  ]);

  t.test('the customresource_group/version/kind labels are on every series', () => {
    const r = compile(`metrics:\n${gauge}`);
    assert.deepEqual(extract(r, object({ status: { replicas: 1 } }), { gvk: true }).series, [
      'kube_customresource_replicas{customresource_group="myteam.io",customresource_kind="Foo",customresource_version="v1"} 1',
    ]);
  });

  t.test('metricNamePrefix: "" leaves the name bare', () => {
    const r = compile(`metricNamePrefix: ""\nmetrics:\n${gauge}`);
    assert.deepEqual(extract(r, object({ status: { replicas: 1 } })).series, ['replicas{} 1']);
  });
});

test('valueFrom and path syntax', (t) => {
  runCases(t, [
    {
      name: 'valueFrom is read relative to each element',
      entry: 'metrics:\n  - name: ready\n    each: {type: Gauge, gauge: {path: [status, pools], labelsFromPath: {pool: [name]}, valueFrom: [counts, ready]}}',
      object: object({ status: { pools: [{ name: 'a', counts: { ready: 2 } }, { name: 'b', counts: { ready: 0 } }] } }),
      series: ['kube_customresource_ready{pool="a"} 2', 'kube_customresource_ready{pool="b"} 0'],
    },
    {
      name: 'a [key=value] lookup picks the first matching element',
      entry: 'metrics:\n  - name: ready\n    each: {type: Gauge, gauge: {path: [status, conditions, "[type=Ready]", status]}}',
      object: object({ status: { conditions: [{ type: 'Synced', status: 'False' }, { type: 'Ready', status: 'True' }] } }),
      series: ['kube_customresource_ready{} 1'],
    },
    {
      name: 'a negative index counts from the end',
      entry: 'metrics:\n  - name: last\n    each: {type: Gauge, gauge: {path: [status, history, "-1", n]}}',
      object: object({ status: { history: [{ n: 1 }, { n: 7 }] } }),
      series: ['kube_customresource_last{} 7'],
    },
    {
      name: 'an index out of range is a missing value',
      entry: 'metrics:\n  - name: last\n    each: {type: Gauge, gauge: {path: [status, history, "5", n]}}',
      object: object({ status: { history: [{ n: 1 }] } }),
      series: [],
    },
  ]);
});

test('label sets: each distinct key set is a family of the metric, bounded', async (t) => {
  t.test('the full label set is a family at compile time; another is added when an object gives it', () => {
    const r = compile('labelsFromPath: {team: [metadata, labels, team]}\nmetrics:\n  - name: replicas\n    each: {type: Gauge, gauge: {path: [status, replicas]}}');
    assert.equal(r.families.length, 1);
    assert.deepEqual(r.families[0]!.attributeKeys, ['customresource_group', 'customresource_kind', 'customresource_version', 'team']);
    extract(r, object({ status: { replicas: 1 } }, { labels: { team: 'a' } }));
    assert.equal(r.families.length, 1, 'the full set is already there');
    extract(r, object({ status: { replicas: 1 } }));
    assert.equal(r.families.length, 2, 'the set without team is added');
    assert.deepEqual(r.families.map((f) => f.name), ['kube_customresource_replicas', 'kube_customresource_replicas']);
    extract(r, object({ status: { replicas: 2 } }, { uid: 'u2', name: 'bar' }));
    assert.equal(r.families.length, 2, 'an existing set is reused');
  });

  t.test(`at most ${MAX_LABEL_SETS_PER_METRIC} label sets per metric; beyond, the series is dropped and counted`, () => {
    const r = compile('labelsFromPath: {"l_*": [metadata, labels]}\nmetrics:\n  - name: replicas\n    each: {type: Gauge, gauge: {path: [status, replicas]}}');
    const extra = 10;
    let dropped = 0;
    for (let i = 0; i < MAX_LABEL_SETS_PER_METRIC + extra; i++) {
      const got = extract(r, object({ status: { replicas: i } }, { uid: `u${i}`, labels: { [`k${i}`]: 'v' } }));
      if (got.series.length === 0) {
        dropped++;
        assert.match(got.errors[0]?.reason ?? '', /distinct label sets/);
      }
    }
    assert.equal(r.families.length, MAX_LABEL_SETS_PER_METRIC);
    // The compile-time family (no l_* label) is one of the sets, so one more object is dropped.
    assert.equal(dropped, extra + 1);
  });
});

test('errors on bad paths', (t) => {
  const bad: readonly { name: string; entry: string; path: string }[] = [
    { name: 'a list lookup without = in path', entry: 'metrics:\n  - {name: a, each: {type: Gauge, gauge: {path: [status, "[noeq]"]}}}', path: 'spec.resources[0].metrics[0].each.gauge.path' },
    { name: 'a list lookup without = in valueFrom', entry: 'metrics:\n  - {name: a, each: {type: StateSet, stateSet: {labelName: s, list: [A], valueFrom: ["[x]"]}}}', path: 'spec.resources[0].metrics[0].each.stateSet.valueFrom' },
    { name: 'a list lookup without = in labelsFromPath', entry: 'labelsFromPath: {x: ["[y]"]}\nmetrics:\n  - {name: a, each: {type: Info, info: {}}}', path: 'spec.resources[0].labelsFromPath.x' },
    { name: 'a path that is not a list', entry: 'metrics:\n  - {name: a, each: {type: Gauge, gauge: {path: status.phase}}}', path: 'spec.resources[0].metrics[0].each.gauge.path' },
  ];
  for (const c of bad) {
    t.test(`the config is refused: ${c.name}`, () => {
      assert.throws(() => parseEntry(c.entry), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.deepEqual(e.problems.map((p) => p.path), [c.path]);
        return true;
      });
    });
  }

  t.test('compiling a hand-built resource with an invalid path throws at compile time, not per object', () => {
    const r = parseEntry('metrics:\n  - {name: a, each: {type: Gauge, gauge: {path: [status]}}}');
    const broken: KsmResource = { ...r, metrics: [{ ...r.metrics[0]!, each: { ...r.metrics[0]!.each, path: ['[noeq]'] } }] };
    assert.throws(() => compileKsmResource(broken, REF), /invalid list lookup/);
  });
});

test('malformed objects: counted and skipped, never thrown', (t) => {
  const entry = [
    'labelsFromPath: {name: [metadata, name], "label_*": [metadata, labels]}',
    'metrics:',
    '  - {name: replicas, each: {type: Gauge, gauge: {path: [status], valueFrom: [replicas]}}}',
    '  - {name: condition, each: {type: Gauge, gauge: {path: [status, conditions], labelsFromPath: {type: [type]}, valueFrom: [status]}}}',
    '  - {name: phase, each: {type: StateSet, stateSet: {labelName: phase, path: [status, phase], list: [A, B]}}}',
    '  - {name: owner, each: {type: Info, info: {labelsFromPath: {owner: [spec, owner]}}}}',
  ].join('\n');
  const r = compile(entry);
  const cases: readonly { name: string; object: Record<string, unknown>; series: readonly string[]; errors: readonly string[] }[] = [
    {
      name: 'status is a string',
      object: object({ status: 'broken' }),
      series: [],
      errors: [],
    },
    {
      name: 'replicas is an object, conditions a string',
      object: object({ status: { replicas: { n: 1 }, conditions: 'Ready', phase: 'A' } }),
      series: ['kube_customresource_phase{name="foo",phase="A"} 1', 'kube_customresource_phase{name="foo",phase="B"} 0'],
      errors: ['kube_customresource_replicas [status,replicas]'],
    },
    {
      name: 'a condition status that is no number, beside a good one',
      object: object({ status: { conditions: [{ type: 'Ready', status: 'Degraded' }, { type: 'Synced', status: 'True' }] } }),
      series: ['kube_customresource_condition{name="foo",type="Synced"} 1'],
      errors: ['kube_customresource_condition [status,conditions,status]'],
    },
    {
      name: 'a numeric string longer than values are read',
      object: object({ status: { replicas: '1'.repeat(5000) } }),
      series: [],
      errors: ['kube_customresource_replicas [status,replicas]'],
    },
    {
      name: 'labels is a list (no map to copy), owner a nested object (printed as Go prints it)',
      object: object({ spec: { owner: { team: 'a' } }, status: { replicas: 1 } }, { labels: ['x'] }),
      series: ['kube_customresource_owner{name="foo",owner="map[team:a]"} 1', 'kube_customresource_replicas{name="foo"} 1'],
      errors: [],
    },
  ];
  for (const c of cases) {
    t.test(c.name, () => {
      const got = extract(r, c.object);
      assert.deepEqual(got.series, [...c.series].sort());
      assert.deepEqual(got.errors.map((e) => e.path), c.errors, JSON.stringify(got.errors));
    });
  }

  for (const [name, value] of [['null', null], ['a list', []], ['a string', 'x'], ['metadata a number', { metadata: 5 }], ['no metadata', { status: { replicas: 1 } }]] as const) {
    t.test(`not an object with metadata (${name}): refused as a whole, not thrown`, () => {
      const s = r.extract(value);
      assert.ok('invalid' in s, `refused: ${JSON.stringify(s).slice(0, 200)}`);
    });
  }
});
