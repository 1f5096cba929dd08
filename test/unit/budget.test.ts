import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeriesBudget } from '../../src/state/budget.ts';
import type { MetricFamily } from '../../src/model.ts';

test('SeriesBudget keeps each family within its limit across objects and frees on release', () => {
  const drops: string[] = [];
  const budget = new SeriesBudget((f, n) => drops.push(`${f.name}:${n}`));
  const family: MetricFamily = { name: 'f', prometheusName: 'f', description: '', unit: '', instrument: 'gauge', attributeKeys: ['k'], cardinalityLimit: 3 };
  const s = (v: string) => ({ family: 0, attributeValues: [v], value: 1 });
  const first = budget.admit([family], undefined, [s('a'), s('b')]);
  assert.equal(first.length, 2);
  const second = budget.admit([family], undefined, [s('c'), s('d')]);
  assert.deepEqual(second.map((x) => x.attributeValues[0]), ['c']);
  assert.deepEqual(drops, ['f:1']);
  budget.release([family], first);
  assert.equal(budget.usage('f'), 1);
  // Replacing an object's samples counts only the new ones.
  const replaced = budget.admit([family], second, [s('x'), s('y'), s('z')]);
  assert.equal(replaced.length, 3);
  assert.equal(budget.usage('f'), 3);
});
