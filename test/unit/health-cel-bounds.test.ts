// The CEL bounds are deterministic: what an expression may do is decided when it compiles and by
// the size of the object, never by how long an evaluation happened to take.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindingsOf, compileExpression, MAX_COMPREHENSION_DEPTH, MAX_VISITS } from '../../src/health/cel.ts';

const compile = (source: string) => {
  const r = compileExpression(source, 'bool');
  if (!r.ok) assert.fail(`${source}: ${r.error}`);
  return r.expression;
};
const objectWith = (n: number) => ({ apiVersion: 'x/v1', kind: 'K', status: { items: Array.from({ length: n }, (_, i) => ({ i })) } });

test('matches() is refused when compiled, with the offset of the call', () => {
  const r = compileExpression('status.?phase.orValue("").matches("^(a+)+$")', 'bool');
  assert.equal(r.ok, false);
  assert.ok(!r.ok && /matches\(\) is not allowed/.test(r.error) && r.offset !== undefined);
});

test('comprehensions nested deeper than the limit are refused when compiled', () => {
  const nested = (d: number): string => (d === 0 ? 'true' : `status.items.all(x${d}, ${nested(d - 1)})`);
  assert.ok(compileExpression(nested(MAX_COMPREHENSION_DEPTH), 'bool').ok);
  const r = compileExpression(nested(MAX_COMPREHENSION_DEPTH + 1), 'bool');
  assert.ok(!r.ok && /nested 3 deep/.test(r.error));
  // Chained comprehensions are linear, not nested.
  assert.ok(compileExpression('status.items.filter(a, a.i > 1).map(b, b.i).filter(c, c > 0).exists(d, d > 2)', 'bool').ok);
});

test('an object too large for a nested rule is an error, the same on every run; a flat rule still runs', () => {
  const cap = Math.floor(Math.sqrt(MAX_VISITS));
  const quadratic = compile('status.items.all(a, status.items.exists(b, b.i == a.i))');
  const linear = compile('status.items.all(a, a.i >= 0)');
  const small = bindingsOf(objectWith(cap - 1), undefined, true);
  assert.deepEqual(quadratic.evaluate(small), { value: true });
  const big = bindingsOf(objectWith(cap + 1), undefined, true);
  for (let i = 0; i < 3; i++) assert.match(String((quadratic.evaluate(big) as { error?: string }).error), /over 1000 list elements/);
  assert.deepEqual(linear.evaluate(bindingsOf(objectWith(50_000), undefined, true)), { value: true });
});
