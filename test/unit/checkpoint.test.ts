// traces/checkpoint.ts: the open episodes as one bounded Lease annotation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/traces/checkpoint.ts';
import type { EpisodeMark } from '../../src/traces/episodes.ts';

const mark = (i: number): EpisodeMark => ({ uid: `uid-${i}`, trigger: (['created', 'spec_change', 'degraded'] as const)[i % 3]!, key: i % 3 === 1 ? `generation/${i}` : i % 3 === 2 ? `degraded/1/${1_700_000_000_000 + i}` : 'created', startMs: 1_700_000_000_000 + i * 1000, changed: i % 2 === 0 });

test('marks round-trip through the annotation, most recent first', () => {
  const marks = [mark(1), mark(2), mark(3)];
  assert.deepEqual(decodeCheckpoint(encodeCheckpoint(marks)), [mark(3), mark(2), mark(1)]);
  assert.deepEqual(decodeCheckpoint(encodeCheckpoint([])), []);
});

test('past the bound the most recent episodes are kept, as many as fit', () => {
  // uids as random as real ones, so gzip cannot squeeze them away
  const marks = Array.from({ length: 3000 }, (_, i) => ({ ...mark(i), uid: `${(i * 2654435761 % 2 ** 32).toString(16)}-${(i * 40503 % 65536).toString(16)}-4f1d-a3f8-${(i * 97).toString(16).padStart(12, '0')}` }));
  const text = encodeCheckpoint(marks, 16 * 1024);
  assert.ok(text.length <= 16 * 1024, `${text.length} bytes`);
  const kept = decodeCheckpoint(text);
  assert.ok(kept.length > 100 && kept.length < 3000, `${kept.length} kept`);
  const newest = [...marks].sort((a, b) => b.startMs - a.startMs).slice(0, kept.length);
  assert.deepEqual(kept, newest);
  // one more would not have fitted
  assert.ok(encodeCheckpoint(newest.concat([...marks].sort((a, b) => b.startMs - a.startMs)[kept.length]!), Infinity).length > 16 * 1024);
});

test('a malformed value (another writer, a truncated annotation) gives no marks and no error', () => {
  for (const value of ['', 'not base64 at all', Buffer.from('[1,2]').toString('base64'), encodeCheckpoint([mark(1)]).slice(0, 10)]) {
    assert.deepEqual(decodeCheckpoint(value), [], value);
  }
  // rows of the wrong shape are skipped, good ones kept
  const mixed = gzipSync(JSON.stringify([['u', 0, 'created', 1, 1], ['bad'], ['u2', 9, 'x', 1, 0], ['u3', 1, 'generation/2', 'x', 0]])).toString('base64');
  assert.deepEqual(decodeCheckpoint(mixed), [{ uid: 'u', trigger: 'created', key: 'created', startMs: 1, changed: true }]);
});
