import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineSplitter } from '../../src/kube/lines.ts';

test('watch lines survive any chunking, including a multi-byte character split across chunks', () => {
  const text = '{"a":1}\n\n{"b":"é✓"}\n{"c":3}\n';
  const bytes = new TextEncoder().encode(text);
  for (let size = 1; size <= bytes.length; size++) {
    const splitter = new LineSplitter();
    const lines: string[] = [];
    for (let i = 0; i < bytes.length; i += size) lines.push(...splitter.push(bytes.subarray(i, i + size)));
    assert.deepEqual(lines, ['{"a":1}', '{"b":"é✓"}', '{"c":3}'], `chunk size ${size}`);
  }
});
