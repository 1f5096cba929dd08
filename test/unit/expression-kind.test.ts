// The `expression` metric kind: CEL (the health rules' language) for a metric's value and labels.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfigText } from '../../src/config/index.ts';
import { compileConfig } from '../../src/extract/index.ts';
import { renderExposition } from '../../src/metrics/exposition.ts';
import { SeriesBudget } from '../../src/state/budget.ts';
import { ResourceStore } from '../../src/state/store.ts';

const config = (value: string, labels = '{}') => `resources:
  - group: apps.example.com
    version: v1
    kind: Widget
    generic: false
    metrics:
      - name: widget_ratio
        labels: {name: metadata.name}
        expression: {value: '${value}', labels: ${labels}}
`;

const widget = (name: string, status: Record<string, unknown>) =>
  ({ apiVersion: 'apps.example.com/v1', kind: 'Widget', metadata: { name, namespace: 'ns', uid: name, resourceVersion: '1' }, spec: { replicas: 4 }, status });

test('value and labels come from CEL; an expression that errors on one object drops only its series, counted', async () => {
  const [resource] = compileConfig(parseConfigText(config('double(status.ready) / double(spec.replicas)', '{ready: \'cond("Ready")\', tier: \'metadata.?labels.?tier.orValue("none")\'}'), 'c.yaml'));
  const errors: string[] = [];
  const store = new ResourceStore(resource!, new SeriesBudget(() => undefined), { extractionErrors: (_r, s) => errors.push(...s.errors.map((e) => e.reason)) });
  store.upsert(widget('a', { ready: 3, conditions: [{ type: 'Ready', status: 'False' }] }));
  store.upsert(widget('b', { conditions: [{ type: 'Ready', status: 'True' }] }));
  const text = await renderExposition([store]);
  assert.match(text, /^widget_ratio\{name="a",ready="False",tier="none"\} 0\.75$/m);
  assert.doesNotMatch(text, /name="b"/);
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /^CEL: /);
});

test('a CEL error in config names the file, line and column, and what was expected', () => {
  for (const [value, expected] of [['status.x +', /CEL number expression/], ['"text"', /CEL number expression/], ['status.name.matches("a+") ? 1 : 0', /matches\(\) is not allowed/]] as const) {
    try {
      parseConfigText(config(value), 'c.yaml');
      assert.fail(`accepted ${value}`);
    } catch (e) {
      assert.ok(e instanceof ConfigError, String(e));
      const p = e.problems[0]!;
      assert.equal(p.path, 'resources[0].metrics[0].expression.value');
      assert.equal(p.line, 9);
      assert.match(`${p.expected}: ${p.got}`, expected);
    }
  }
});
