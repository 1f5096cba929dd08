import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Snapshot } from '../../src/model.ts';
import { diff } from '../../src/traces/diff.ts';

const base: Snapshot = { uid: 'u', namespace: 'n', name: 'x', resourceVersion: '1', generation: 1, conditions: [], health: 'current', samples: [], errors: [] };

test('diff reports generation bumps, phase, condition and health changes, and deletion', () => {
  const next: Snapshot = {
    ...base, resourceVersion: '2', generation: 2, phase: 'Running', health: 'in_progress', deletingSince: 5,
    conditions: [{ type: 'Ready', status: 'False', since: 10, reason: 'R', message: 'm' }],
  };
  assert.deepEqual(diff(base, next), [
    { type: 'generation', from: 1, to: 2 },
    { type: 'phase', from: undefined, to: 'Running' },
    { type: 'condition', condition: 'Ready', from: undefined, to: 'False', at: 10, reason: 'R', message: 'm' },
    { type: 'health', from: 'current', to: 'in_progress' },
    { type: 'deleting', at: 5 },
  ]);
});

test('diff ignores what does not change state: resourceVersion, messages, same statuses', () => {
  const a: Snapshot = { ...base, conditions: [{ type: 'Ready', status: 'True', message: 'old' }] };
  const b: Snapshot = { ...a, resourceVersion: '9', conditions: [{ type: 'Ready', status: 'True', message: 'new' }] };
  assert.deepEqual(diff(a, b), []);
});

test('a removed condition is a transition to nothing', () => {
  const a: Snapshot = { ...base, conditions: [{ type: 'Ready', status: 'True' }] };
  assert.deepEqual(diff(a, { ...base }), [{ type: 'condition', condition: 'Ready', from: 'True', to: undefined }]);
});
