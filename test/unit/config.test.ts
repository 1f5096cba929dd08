import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, configJsonSchema, loadConfigFile, parseConfigText, type ConfigProblem } from '../../src/config/index.ts';
import { EXAMPLE_DIR } from './extract-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'crotel-config-'));
function writeConfig(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function problemsOf(fn: () => unknown): { message: string; problems: readonly ConfigProblem[] } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return { message: e.message, problems: e.problems };
  }
  assert.fail('expected a ConfigError');
}

test('the reference config loads with parsed paths and defaults', () => {
  const c = loadConfigFile(join(EXAMPLE_DIR, 'crotel.yaml'));
  assert.equal(c.port, 8080);
  assert.equal(c.limits.seriesPerMetric, 1_000_000);
  assert.deepEqual(c.redact, []);
  const [r] = c.resources;
  assert.ok(r);
  assert.equal(r.group, 'stable.example.com');
  assert.equal(r.generic, false);
  assert.deepEqual(r.labels.map((l) => l.name), ['name', 'namespace', 'engine', 'version']);
  assert.deepEqual(r.labels[2]?.path.segments, [{ kind: 'field', name: 'spec' }, { kind: 'field', name: 'engine' }]);
  assert.deepEqual(r.metrics.map((m) => [m.name, m.source.type]), [
    ['database_instance_phase', 'gauge'],
    ['database_instance_condition', 'conditions'],
    ['database_instance_storage_gb', 'gauge'],
    ['database_instance_last_backup_time_seconds', 'gauge'],
  ]);
  const phase = r.metrics[0]?.source;
  assert.ok(phase?.type === 'gauge');
  assert.deepEqual(phase.matches, ['Running']);
  assert.equal(phase.nilIsZero, false);
});

test('defaults: generic on without metrics, off with metrics unless said; conditions defaults', () => {
  const c = parseConfigText(
    `
resources:
  - {version: v1, kind: A}
  - {version: v1, kind: B, metrics: []}
  - {version: v1, kind: C, metrics: [{name: c_cond, conditions: {}}]}
  - {version: v1, kind: D, generic: true, metrics: [{name: d_info, info: {}}]}
  - {group: x.io, version: v1, kind: E, generic: false}
`,
    'defaults.yaml',
  );
  assert.deepEqual(c.resources.map((r) => r.generic), [true, true, false, true, false]);
  assert.equal(c.resources[0]?.group, '');
  assert.deepEqual(c.resources[0]?.namespaces, []);
  const src = c.resources[2]?.metrics[0]?.source;
  assert.ok(src?.type === 'conditions');
  assert.equal(src.path.text, 'status.conditions');
  assert.equal(src.typeLabel, 'condition_type');
  assert.equal(src.statusLabel, 'condition_status');
});

test('oneOf and equals become one match list; scalars compare as strings', () => {
  const c = parseConfigText(
    `
resources:
  - version: v1
    kind: A
    metrics:
      - {name: a, gauge: {path: status.phase, oneOf: [Running, Ready]}}
      - {name: b, gauge: {path: spec.replicas, equals: 3, nilIsZero: true}}
      - {name: c, gauge: {path: spec.on, equals: true}}
`,
    'match.yaml',
  );
  const [a, b, cc] = c.resources[0]?.metrics.map((m) => m.source) ?? [];
  assert.ok(a?.type === 'gauge' && b?.type === 'gauge' && cc?.type === 'gauge');
  assert.deepEqual(a.matches, ['Running', 'Ready']);
  assert.deepEqual(b.matches, ['3']);
  assert.equal(b.nilIsZero, true);
  assert.deepEqual(cc.matches, ['true']);
});

test('a bad file: every problem named with file, path, line:column, expected and got', () => {
  const file = writeConfig(
    'bad.yaml',
    `port: "80"
limitz: {seriesPerMetric: 5}
resources:
  - group: stable.example.com
    kind: DatabaseInstance
    labels:
      name: metadata.name
      bad-label: spec.x
    metrics:
      - name: database_instance_phase
        labels: {name: status.other}
        gauge: {path: "status..phase"}
      - name: two_kinds
        gauge: {path: spec.a}
        info: {}
      - name: typo
        gauge: {path: spec.a, nilIsZro: true}
      - name: database_instance_phase
        stateSet: {path: status.phase, label: phase, list: [A, B]}
      - name: none
`,
  );
  const { message, problems } = problemsOf(() => loadConfigFile(file));
  const byPath = new Map(problems.map((p) => [p.path, p]));
  const expect = (path: string, line: number, expected: RegExp, got: RegExp): void => {
    const p = byPath.get(path);
    assert.ok(p, `no problem at ${path}; have ${[...byPath.keys()].join(', ')}`);
    assert.equal(p.file, file);
    assert.equal(p.line, line, path);
    assert.ok(p.column !== undefined && p.column > 0);
    assert.match(p.expected, expected, path);
    assert.match(p.got, got, path);
    // The rendered message carries all of it too.
    assert.ok(message.includes(`${file}:${line}:${p.column}: ${path}: expected ${p.expected}, got ${p.got}`), `message lacks ${path}`);
  };
  expect('port', 1, /number/, /string "80"/);
  expect('limitz', 2, /one of the keys port, limits, redact, resources/, /unknown key "limitz"/);
  expect('resources[0].version', 4, /string/, /missing/);
  expect('resources[0].labels["bad-label"]', 8, /label name/, /"bad-label"/);
  expect('resources[0].metrics[0].labels.name', 11, /label names unique within a metric/, /"name"/);
  expect('resources[0].metrics[0].gauge.path', 12, /valid path/, /empty field name/);
  expect('resources[0].metrics[1]', 13, /exactly one of gauge, conditions, stateSet, info/, /gauge and info/);
  expect('resources[0].metrics[2].gauge.nilIsZro', 17, /one of the keys path, equals, oneOf, nilIsZero/, /unknown key "nilIsZro"/);
  expect('resources[0].metrics[3].name', 18, /unique/, /already used at resources\[0\]\.metrics\[0\]/);
  expect('resources[0].metrics[4]', 20, /exactly one of/, /none/);
  assert.equal(problems.length, 10, message);
  assert.match(message, /^invalid config .*bad\.yaml \(10 problems\):/);
});

test('YAML syntax errors carry a position', () => {
  const file = writeConfig('syntax.yaml', 'resources:\n  - version: v1\n    kind: [unclosed\n');
  const { problems, message } = problemsOf(() => loadConfigFile(file));
  assert.ok(problems.length >= 1);
  assert.equal(problems[0]?.path, '(yaml)');
  assert.equal(problems[0]?.expected, 'valid YAML');
  assert.ok(problems[0]?.line !== undefined);
  assert.match(message, /syntax\.yaml:\d+:\d+: \(yaml\): expected valid YAML/);
});

test('duplicate YAML keys, empty file, missing file, wrong top level', () => {
  assert.match(problemsOf(() => parseConfigText('resources: []\nresources: []\n', 'dup.yaml')).message, /dup\.yaml:2:1: .*unique/);
  assert.match(problemsOf(() => parseConfigText('', 'empty.yaml')).message, /empty\.yaml: \(root\): expected a mapping, got null/);
  assert.match(problemsOf(() => parseConfigText('- a\n', 'list.yaml')).message, /list\.yaml:1:1: \(root\): expected a mapping, got a list/);
  assert.match(problemsOf(() => parseConfigText('port: 80\n', 'nores.yaml')).message, /resources: expected a list, got nothing \(required key missing\)/);
  assert.match(problemsOf(() => parseConfigText('resources: []\n', 'zero.yaml')).message, /resources: expected at least 1 item/);
  assert.match(problemsOf(() => loadConfigFile(join(dir, 'nope.yaml'))).message, /nope\.yaml: \(root\): expected a readable file, got ENOENT/);
});

test('names: metric names unique across resources and after translation; generic names reserved', () => {
  const { problems } = problemsOf(() =>
    parseConfigText(
      `
resources:
  - version: v1
    kind: A
    metrics:
      - {name: db.size, gauge: {path: spec.a}}
      - {name: k8s.object.health, info: {}}
  - version: v1
    kind: B
    metrics:
      - {name: db_size, gauge: {path: spec.a}}
      - {name: "1bad", gauge: {path: spec.a}}
      - {name: dur, unit: s, gauge: {path: spec.a}}
      - {name: dur_seconds, gauge: {path: spec.a}}
`,
      'names.yaml',
    ),
  );
  const paths = problems.map((p) => p.path);
  assert.deepEqual(paths, [
    'resources[0].metrics[1].name',
    'resources[1].metrics[0].name',
    'resources[1].metrics[1].name',
    'resources[1].metrics[3].name',
  ]);
  assert.match(problems[0]?.expected ?? '', /generic families/);
  assert.match(problems[1]?.got ?? '', /already used at resources\[0\]\.metrics\[0\]/);
  assert.match(problems[2]?.expected ?? '', /instrument name/);
  assert.match(problems[3]?.got ?? '', /"dur_seconds", already used/);
});

test('labels: invalid names, collisions after dot translation, kind-specific labels', () => {
  const { problems } = problemsOf(() =>
    parseConfigText(
      `
resources:
  - version: v1
    kind: A
    labels: {k8s.name: metadata.name, "__x": metadata.uid}
    metrics:
      - {name: a, labels: {k8s_name: spec.a}, gauge: {path: spec.a}}
      - {name: b, conditions: {typeLabel: same, statusLabel: same}}
      - {name: c, labels: {phase: spec.p}, stateSet: {path: status.phase, label: phase, list: [X, X]}}
      - {name: d, info: {labels: {k8s.name: spec.e, ok: "spec['a.b']"}}}
      - {name: e, labels: {tier: spec.t}, expression: {value: '1.0', labels: {k8s.name: '"x"', tier: '"y"', fine: '"z"'}}}
`,
      'labels.yaml',
    ),
  );
  const got = problems.map((p) => `${p.path} | ${p.expected}`);
  assert.deepEqual(got, [
    'resources[0].labels.__x | a label name not starting with "__" (reserved by Prometheus)',
    'resources[0].metrics[0].labels.k8s_name | label names unique within a metric (common labels included)',
    'resources[0].metrics[1].conditions.statusLabel | label names unique within a metric (common labels included)',
    'resources[0].metrics[2].stateSet.label | label names unique within a metric (common labels included)',
    'resources[0].metrics[2].stateSet.list[1] | unique states',
    'resources[0].metrics[3].info.labels["k8s.name"] | label names unique within a metric (common labels included)',
    'resources[0].metrics[4].expression.labels["k8s.name"] | label names unique within a metric (common labels included)',
    'resources[0].metrics[4].expression.labels.tier | label names unique within a metric (common labels included)',
  ]);
});

test('other value checks: regex, limits, unit, equals+oneOf, namespaces', () => {
  const { problems } = problemsOf(() =>
    parseConfigText(
      `
limits: {seriesPerMetric: 0}
redact: ["password=[^&]*", "(unclosed"]
resources:
  - version: v1
    kind: "not a kind"
    namespaces: [""]
    metrics:
      - {name: a, unit: "a b", cardinalityLimit: 1.5, gauge: {path: spec.a, equals: x, oneOf: [y]}}
      - {name: b, stateSet: {path: status.phase, label: phase, list: []}}
      - {name: c, gauge: {path: spec.a, equals: {nested: 1}}}
`,
      'values.yaml',
    ),
  );
  const paths = problems.map((p) => p.path);
  assert.deepEqual(paths, [
    'limits.seriesPerMetric',
    'redact[1]',
    'resources[0].kind',
    'resources[0].namespaces[0]',
    'resources[0].metrics[0].unit',
    'resources[0].metrics[0].cardinalityLimit',
    'resources[0].metrics[0].gauge.oneOf',
    'resources[0].metrics[1].stateSet.list',
    'resources[0].metrics[2].gauge.equals',
  ]);
  assert.match(problems[1]?.expected ?? '', /regular expression/);
  assert.match(problems[8]?.expected ?? '', /string, number or boolean/);
});

test('configJsonSchema describes the input form for editors', () => {
  const s = configJsonSchema() as { type: string; required: string[]; properties: Record<string, { description?: string }>; additionalProperties: boolean };
  assert.equal(s.type, 'object');
  assert.deepEqual(s.required, ['resources']);
  assert.equal(s.additionalProperties, false);
  assert.match(s.properties.resources?.description ?? '', /Custom resources/);
  const text = JSON.stringify(s);
  for (const key of ['seriesPerMetric', 'labelSelector', 'nilIsZero', 'stateSet', 'typeLabel', 'cardinalityLimit', 'successPhases']) {
    assert.ok(text.includes(`"${key}"`), key);
  }
});

test('a metric name used twice with different units is refused: one OTLP instrument per name', () => {
  const { problems } = problemsOf(() => parseConfigText(`resources:
  - group: example.com
    version: v1
    kind: Widget
    metrics:
      - {name: widget_value, unit: s, gauge: {path: spec.a}}
      - {name: widget_value, gauge: {path: spec.b}}
`, 'units.yaml'));
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.path, 'resources[0].metrics[1].name');
  assert.match(problems[0]!.got, /already used at resources\[0\]\.metrics\[0\]/);
  assert.equal(problems[0]!.line, 7);
});
