import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePath, type PathSegment } from '../../src/config/index.ts';

const f = (name: string): PathSegment => ({ kind: 'field', name });

test('parsePath accepts the documented forms', () => {
  const cases: [string, PathSegment[]][] = [
    ['status', [f('status')]],
    ['status.phase', [f('status'), f('phase')]],
    ['status.conditions[0]', [f('status'), f('conditions'), { kind: 'index', index: 0 }]],
    ['status.conditions[12].status', [f('status'), f('conditions'), { kind: 'index', index: 12 }, f('status')]],
    ['status.conditions[type=Ready].status', [f('status'), f('conditions'), { kind: 'filter', key: 'type', value: 'Ready' }, f('status')]],
    ["status.conditions[type='cnpg.io/hibernation']", [f('status'), f('conditions'), { kind: 'filter', key: 'type', value: 'cnpg.io/hibernation' }]],
    ['status.conditions[type=cnpg.io/hibernation]', [f('status'), f('conditions'), { kind: 'filter', key: 'type', value: 'cnpg.io/hibernation' }]],
    ['x[name="a ]b"]', [f('x'), { kind: 'filter', key: 'name', value: 'a ]b' }]],
    ["metadata.annotations['cnpg.io/hibernation']", [f('metadata'), f('annotations'), f('cnpg.io/hibernation')]],
    ['metadata.annotations["cnpg.io/hibernation"]', [f('metadata'), f('annotations'), f('cnpg.io/hibernation')]],
    ['metadata.labels."app.kubernetes.io/name"', [f('metadata'), f('labels'), f('app.kubernetes.io/name')]],
    ["a['it\\'s']", [f('a'), f("it's")]],
    ['[0].a', [{ kind: 'index', index: 0 }, f('a')]],
    ['spec.storageGB', [f('spec'), f('storageGB')]],
    ['a[0][1]', [f('a'), { kind: 'index', index: 0 }, { kind: 'index', index: 1 }]],
    ['a-b.c_d', [f('a-b'), f('c_d')]],
  ];
  for (const [text, segments] of cases) {
    const r = parsePath(text);
    assert.ok(r.ok, `${text}: ${r.ok ? '' : r.error}`);
    assert.deepEqual(r.path.segments, segments, text);
    assert.equal(r.path.text, text);
  }
});

test('parsePath rejects malformed paths with a reason', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['.status', /must not start with '\.'/],
    ['status.', /must not end/],
    ['status..phase', /empty field name/],
    ['status[', /expected \[N\]|unterminated/],
    ['status[0', /unterminated|expected/],
    ['status[]', /expected \[N\]/],
    ['status[=x]', /expected \[N\]/],
    ['status[type=]', /empty filter value/],
    ["a['b'", /expected '\]'/],
    ["a['unterminated]", /unterminated quote/],
    ['a]b', /expected '\.' or '\['/],
    ['a.b c', /whitespace/],
    ['a.[0]', /expected a field name/],
    ["a['']", /empty quoted key/],
    ['a[99999999999999999999]', /too large/],
    ['x'.repeat(1025), /longer than/],
  ];
  for (const [text, re] of cases) {
    const r = parsePath(text);
    assert.equal(r.ok, false, `${text} should be rejected`);
    if (!r.ok) assert.match(r.error, re, text);
  }
});
