// The npm package as a user gets it: `npm pack` (prepack compiles dist/), installed into a
// scratch folder with npm, then `crotel --help` and `crotel render` run from node_modules/.bin —
// where Node refuses to strip types, so only compiled JavaScript can run.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;
// npm from PATH, with this Node first on it (npm's own scripts, e.g. prepack's tsc, run under it).
const npm = 'npm';
process.env.PATH = `${join(process.execPath, '..')}:${process.env.PATH}`;
let scratch: string;
let tarball: string;
let files: string[];

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'crotel-pack-'));
  const out = execFileSync(npm, ['pack', '--json', '--pack-destination', scratch], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  // prepack's build output precedes the JSON on stdout.
  const report = JSON.parse(out.slice(out.indexOf('[\n'))) as { filename: string; files: { path: string }[] }[];
  tarball = join(scratch, report[0]!.filename);
  files = report[0]!.files.map((f) => f.path);
  const app = join(scratch, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), '{"name":"scratch","private":true}\n');
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', tarball], { cwd: app, stdio: ['ignore', 'ignore', 'inherit'] });
});
after(() => rmSync(scratch, { recursive: true, force: true }));

function installed(...args: string[]) {
  const app = join(scratch, 'app');
  const r = spawnSync(join(app, 'node_modules/.bin/crotel'), args, { cwd: app, encoding: 'utf8', env: { ...process.env, PATH: `${join(process.execPath, '..')}:${process.env.PATH}` } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the tarball carries compiled code, LICENSE and CHANGELOG, and no sources, tests, benches or CI', () => {
  for (const needed of ['package.json', 'bin/crotel.js', 'dist/cli.js', 'dist/runtime.js', 'LICENSE', 'CHANGELOG.md', 'README.md', 'schema/crotel.schema.json']) {
    assert.ok(files.includes(needed), `${needed} in ${files.length} files`);
  }
  for (const banned of ['test/', 'harness/', 'bench/', '.ci/', 'src/', 'scripts/']) {
    assert.deepEqual(files.filter((f) => f.startsWith(banned)), [], banned);
  }
  assert.deepEqual(files.filter((f) => f.endsWith('.ts')), []);
});

test('installed crotel --help runs (no type stripping under node_modules)', () => {
  const r = installed('--help');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^crotel \d+\.\d+\.\d+ — /);
});

test('installed crotel render prints what the checkout prints', () => {
  const pkg = join(scratch, 'app/node_modules/crotel/examples/databaseinstance');
  const r = installed('render', '--config', join(pkg, 'crotel.yaml'), '-f', join(pkg, 'objects.yaml'));
  assert.equal(r.code, 0, r.stderr);
  const fromCheckout = spawnSync(process.execPath, [join(root, 'bin/crotel.js'), 'render', '--config', 'examples/databaseinstance/crotel.yaml', '-f', 'examples/databaseinstance/objects.yaml'], { cwd: root, encoding: 'utf8' });
  assert.equal(fromCheckout.status, 0, fromCheckout.stderr);
  assert.match(r.stdout, /^database_instance_/m);
  assert.equal(r.stdout, fromCheckout.stdout);
});
