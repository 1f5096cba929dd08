// kube-state-metrics' value conversions and label text, table-tested against what its Go code
// does (toFloat64, fmt %v, resource.ParseQuantity + AsApproximateFloat64), and its path syntax.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileKsmPath, goQuantity, goString, ksmFloat } from '../../src/ksm/index.ts';

test('ksmFloat converts like kube-state-metrics toFloat64', () => {
  const cases: [unknown, number | 'error', boolean?][] = [
    [43.21, 43.21], [true, 1], [false, 0], ['true', 1], ['Yes', 1], ['False', 0], ['no', 0], ['Unknown', 0],
    ['2023-10-27T10:00:00Z', 1698400800], ['2025-04-25T20:44:38.190232Z', 1745613878], // whole seconds, as t.Unix()
    ['2023-10-27t10:00:00z', 'error'], ['10Gi', 10 * 2 ** 30], ['500m', 0.5], ['1.5k', 1500], ['2e3', 2000], ['50%', 0.5],
    ['43.21', 43.21], ['1h', 'error'], [' 5', 'error'], ['', 'error'], ['abc', 'error'], [{ a: 1 }, 'error'], [[1], 'error'],
    [null, 'error'], [null, 0, true], [undefined, 0, true], ['NaN', NaN],
  ];
  for (const [raw, want, nilIsZero] of cases) {
    const got = ksmFloat(raw, nilIsZero ?? false);
    if (want === 'error') assert.equal(got.ok, false, JSON.stringify(raw));
    else assert.ok(got.ok && Object.is(got.value, want), `${JSON.stringify(raw)} → ${JSON.stringify(got)}, want ${want}`);
  }
});

test('quantities multiply out the way AsApproximateFloat64 does', () => {
  assert.equal(goQuantity('43.21'), 4321 * (1 / 100));
  assert.equal(goQuantity('262144k'), 262144000);
  assert.equal(goQuantity('0.0000000001'), 1e-9); // rounded up to nano precision
  assert.equal(goQuantity('-1.5Mi'), -1.5 * 2 ** 20);
  assert.equal(goQuantity('1e'), undefined);
});

test('goString prints values as Go fmt %v', () => {
  assert.equal(goString('x'), 'x');
  assert.equal(goString(3), '3');
  assert.equal(goString(43.21), '43.21');
  assert.equal(goString(1234567.5), '1.2345675e+06');
  assert.equal(goString(0.00001), '1e-05');
  assert.equal(goString(true), 'true');
  assert.equal(goString(null), '<nil>');
  assert.equal(goString(['a', 1]), '[a 1]');
  assert.equal(goString({ b: 2, a: { c: 'x' } }), 'map[a:map[c:x] b:2]');
});

test('paths: fields, indices (negative from the end), [key=value] with number and bool matching, key=value on maps', () => {
  const obj = { spec: { order: [{ id: 1, v: true }, { id: 3, v: false }] }, status: { conditions: [{ name: 'a', value: 45 }, { name: 'b', value: 66 }] }, metadata: { name: 'foo' } };
  const get = (...segments: string[]): unknown => {
    const r = compileKsmPath(segments);
    assert.ok(r.ok);
    return r.path.get(obj);
  };
  assert.equal(get('spec', 'order', '0', 'v'), true);
  assert.equal(get('spec', 'order', '-1', 'id'), 3);
  assert.equal(get('spec', 'order', '5', 'id'), undefined);
  assert.equal(get('status', 'conditions', '[name=a]', 'value'), 45);
  assert.equal(get('status', 'conditions', '[value=66]', 'name'), 'b');
  assert.equal(get('spec', 'order', '[v=false]', 'id'), 3);
  assert.equal(get('metadata', 'name=foo'), 'foo');
  assert.equal(get('metadata', 'name=bar'), undefined);
  assert.equal(get('spec', 'constructor'), undefined);
  assert.equal(get(), obj);
  assert.deepEqual(compileKsmPath(['status', '[nokey]']), { ok: false, error: 'invalid list lookup "[nokey]": expected [key=value]' });
});
