import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parseQuantity, parseTimestamp, parseValue } from '../../src/extract/index.ts';

test('parseValue: every odd value', () => {
  const values: [unknown, number][] = [
    [0, 0],
    [42, 42],
    [-1.5, -1.5],
    [true, 1],
    [false, 0],
    ['42', 42],
    ['  7 ', 7],
    ['-3.25', -3.25],
    ['.5', 0.5],
    ['2e3', 2000],
    ['1.5', 1.5],
    ['True', 1],
    ['False', 0],
    ['true', 1],
    ['FALSE', 0],
    ['2023-10-27T10:00:00Z', 1698400800],
    ['2023-10-27T10:00:00.25Z', 1698400800.25],
    ['2023-10-27T12:00:00+02:00', 1698400800],
    ['2023-10-27T05:30:00-04:30', 1698400800],
    ['2023-10-27t10:00:00z', 1698400800],
    ['2025-04-25T20:34:19.149106Z', 1745613259.149106],
    ['10Gi', 10 * 2 ** 30],
    ['1Ki', 1024],
    ['500m', 0.5],
    ['100M', 1e8],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['2k', 2000],
    ['1E', 1e18],
    ['3e-3', 0.003],
    ['250u', 0.00025],
    ['5m', 0.005], // a quantity, as Kubernetes reads it; write 5m0s for five minutes
    ['5m30s', 330],
    ['1h', 3600],
    ['1h30m', 5400],
    ['1.5h', 5400],
    ['300ms', 0.3],
    ['5m0s', 300],
    ['-1m30s', -90],
  ];
  for (const [raw, expected] of values) {
    const r = parseValue(raw);
    assert.equal(r.kind, 'value', `${JSON.stringify(raw)} → ${JSON.stringify(r)}`);
    if (r.kind === 'value') assert.ok(Math.abs(r.value - expected) <= Math.abs(expected) * 1e-12, `${JSON.stringify(raw)}: ${r.value} != ${expected}`);
  }
});

test('parseValue: absent values are not errors', () => {
  for (const raw of [undefined, null, '', '   ', 'Unknown', 'unknown']) {
    assert.deepEqual(parseValue(raw), { kind: 'absent' }, JSON.stringify(raw));
  }
});

test('parseValue: bad values are errors that never quote the value', () => {
  const secret = 'postgres://user:pass@host:5432/db';
  const bad: unknown[] = [
    {},
    [1, 2],
    Infinity,
    NaN,
    -Infinity,
    'abc',
    secret,
    'x'.repeat(1025),
    '1'.repeat(1025),
    '10Gb',
    '0x1F',
    'Infinity',
    '1e400',
    '2023-02-30T00:00:00Z',
    '2023-13-01T00:00:00Z',
    '2023-10-27',
    '2025-07-24 19:54:15 +0000 UTC',
    '1 h',
    10n,
    Symbol('x'),
  ];
  for (const raw of bad) {
    const r = parseValue(raw);
    assert.equal(r.kind, 'error', `${String(raw).slice(0, 40)} → ${JSON.stringify(r)}`);
    if (r.kind === 'error') assert.ok(!r.reason.includes('pass'), r.reason);
  }
});

test('parseTimestamp keeps ms for snapshots and full fraction for samples', () => {
  assert.deepEqual(parseTimestamp('2025-04-25T20:34:19.149106Z'), { epochMs: 1745613259149, seconds: 1745613259.149106 });
  assert.deepEqual(parseTimestamp('1970-01-01T00:00:00Z'), { epochMs: 0, seconds: 0 });
  assert.equal(parseTimestamp('2024-02-29T00:00:00Z')?.epochMs, Date.UTC(2024, 1, 29));
  assert.equal(parseTimestamp('2023-02-29T00:00:00Z'), undefined);
  assert.equal(parseTimestamp('2023-10-27T25:00:00Z'), undefined);
  assert.equal(parseTimestamp('2023-10-27T10:00:00'), undefined, 'offset required');
});

test('parseQuantity and parseDuration reject what they do not own', () => {
  assert.equal(parseQuantity('1h'), undefined);
  assert.equal(parseQuantity('Gi'), undefined);
  assert.equal(parseQuantity('1.2.3'), undefined);
  assert.equal(parseDuration('5'), undefined);
  assert.equal(parseDuration('5d'), undefined);
  assert.equal(parseDuration('h'), undefined);
  assert.equal(parseDuration('2h45m10.5s'), 9910.5);
});
