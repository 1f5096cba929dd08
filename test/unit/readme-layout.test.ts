// The README's Layout section is the newcomer's map: every folder of src/ and every top-level
// folder of the repository must be on it, and nothing on it may be gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const layout = /## Layout\n+```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
const dirs = (rel: string) => readdirSync(new URL(rel, root), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
// Untracked or generated folders (see .gitignore) are not part of the layout.
const IGNORED = new Set(['node_modules', 'dist', '.tools', '.git', '.ci', 'scratch', 'tmp']);

test('the README Layout names every src/ folder', () => {
  assert.ok(layout.length > 0, 'README has a ## Layout code block');
  for (const d of dirs('src/')) assert.match(layout, new RegExp(`(^|\\s)src/${d}\\b`, 'm'), `src/${d} missing from the README layout`);
});

test('the README Layout names every top-level folder', () => {
  for (const d of dirs('./').filter((x) => !IGNORED.has(x) && !x.startsWith('.'))) {
    assert.match(layout, new RegExp(`(^|\\s)${d}/`, 'm'), `${d}/ missing from the README layout`);
  }
});

test('every path on the README Layout exists', () => {
  for (const [, path] of layout.matchAll(/(?:^|\s)((?:src|test|charts)\/[\w./-]*\w)/gm)) {
    assert.ok(existsSync(new URL(path!, root)), `${path} is on the README layout but not in the tree`);
  }
});

test('every src/ folder has the index.ts the README promises', () => {
  assert.match(readme, /Each `src\/` folder's `index.ts` says what it owns/);
  for (const d of dirs('src/').filter((x) => x !== 'catalog')) assert.ok(existsSync(new URL(`src/${d}/index.ts`, root)), `src/${d}/index.ts`);
});
