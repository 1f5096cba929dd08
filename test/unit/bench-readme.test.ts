// README.md's benchmark tables are generated from the kept results (bench/results/*.json) by
// `npm run bench -- readme`: a hand edit of a figure, or a result kept without regenerating the
// README, fails here. Each block is checked on its own so one stale table does not hide another.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { README_TABLES, readmeBlocks, renderReadme } from '../../bench/lib/readme.ts';
import { readResults, RESULTS_DIR } from '../../bench/lib/results.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const load = (name: string): unknown => readResults(new URL(`${name}.json`, RESULTS_DIR));
const block = (text: string, name: string): string => new RegExp(`<!-- bench:${name} -->\\n[\\s\\S]*?<!-- /bench:${name} -->`).exec(text)?.[0] ?? '';

test('the README has generated benchmark tables', () => {
  assert.ok(readmeBlocks(readme).length >= 5, readmeBlocks(readme).join(', '));
});

for (const name of readmeBlocks(readme)) {
  test(`README table bench:${name} is what bench/results/${name}.json renders to`, () => {
    assert.ok(README_TABLES[name], `a renderer for ${name} in bench/lib/readme.ts`);
    assert.ok(existsSync(new URL(`${name}.json`, RESULTS_DIR)), `bench/results/${name}.json exists`);
    const rendered = renderReadme(block(readme, name), load);
    assert.equal(block(readme, name), rendered, 'run `npm run bench -- readme` after keeping a result; do not edit the table by hand');
  });
}

test('every renderer has its block in the README (no orphaned results)', () => {
  assert.deepEqual([...readmeBlocks(readme)].sort(), Object.keys(README_TABLES).sort());
});

test('a hand-edited figure is caught', () => {
  const name = readmeBlocks(readme)[0]!;
  const edited = block(readme, name).replace(/(\n\|[^\n]*?)(\d)/, (_m, before: string, d: string) => `${before}${(Number(d) + 1) % 10}`);
  assert.notEqual(renderReadme(edited, load), edited);
});

test('every kept result names the command and the date of its run', () => {
  for (const name of Object.keys(README_TABLES)) {
    const result = load(name) as { command?: unknown; date?: unknown; environment?: unknown };
    assert.equal(typeof result.command, 'string', `${name}: command`);
    // Results written before the bench recorded a date carry it in their file name or HISTORY.md.
    if (name !== 'scrape-gzip-5000') assert.match(String(result.date), /^\d{4}-\d{2}-\d{2}$/, `${name}: date`);
  }
});
