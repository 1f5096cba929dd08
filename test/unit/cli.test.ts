// The CLI as users run it: exit codes, error messages that name file and path, and the output
// of `crotel render` against a golden file (UPDATE_GOLDEN=1 rewrites it; review the diff).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;
const BIN = join(root, 'bin/crotel.js');

function crotel(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('validate: a good config passes with a summary', () => {
  const r = crotel('validate', '--config', 'examples/databaseinstance/crotel.yaml');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /ok \(1 resource, 4 metric families\)/);
});

test('validate: a bad config exits 1 naming the file, the path, the line and what was expected', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crotel-cli-'));
  try {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'resources:\n  - version: v1\n    kind: Foo\n    metrics:\n      - name: x\n        gauge: {pathh: spec.a}\n');
    const r = crotel('validate', '--config', file);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`${file.replace(/[.]/g, '\\.')}:6:\\d+: resources\\[0\\]\\.metrics\\[0\\]\\.gauge\\.pathh: expected one of the keys path, equals, oneOf, nilIsZero`));
    assert.equal(crotel('validate', '--config', join(dir, 'missing.yaml')).code, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('usage errors exit 2', () => {
  assert.equal(crotel('bogus').code, 2);
  assert.equal(crotel('render').code, 2); // no -f (validate without --config is zero config, not an error)
  assert.equal(crotel('run', '--config', 'examples/databaseinstance/crotel.yaml', '--port', 'abc').code, 2);
});

test('run: a duration flag out of its range is a usage error naming the flag and the range', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crotel-cli-'));
  try {
    // A kubeconfig that parses, so the flags are what fails (nothing listens on port 1).
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\n'
      + 'users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n');
    const run = (...flags: string[]) => crotel('run', '--config', 'examples/databaseinstance/crotel.yaml', '--kubeconfig', kubeconfig, ...flags);
    // `=` for the negative value: parseArgs takes a separate `-1` for an option.
    for (const flags of [['--watch-coalesce', '11'], ['--watch-coalesce=-1'], ['--watch-coalesce', 'abc']]) {
      const r = run(...flags);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--watch-coalesce \S+: expected seconds ≥ 0 and ≤ 10/);
    }
    const lease = run('--leader-elect', '--lease-duration', '0');
    assert.equal(lease.code, 2, lease.stderr);
    assert.match(lease.stderr, /--lease-duration 0: expected seconds > 0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('render: the reference config over the sample objects (golden file), no credentials', () => {
  const r = crotel('render', '--config', 'examples/databaseinstance/crotel.yaml', '-f', 'examples/databaseinstance/objects.yaml');
  assert.equal(r.code, 0, r.stderr);
  const golden = join(root, 'test/golden/render-databaseinstance.prom');
  if (process.env.UPDATE_GOLDEN) writeFileSync(golden, r.stdout);
  assert.equal(r.stdout, readFileSync(golden, 'utf8'));
  assert.ok(!r.stdout.includes('user:pass') && !r.stderr.includes('user:pass'));
});

test('render: objects without metadata.uid (hand-written, trimmed dumps) are judged, not skipped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crotel-cli-'));
  try {
    const config = join(dir, 'kinds.yaml');
    writeFileSync(config, 'resources:\n  - {group: cert-manager.io, version: v1, kind: Certificate}\n');
    const objects = join(dir, 'certs.yaml');
    writeFileSync(objects, [
      'apiVersion: cert-manager.io/v1', 'kind: Certificate', 'metadata: {name: web-tls, namespace: shop}',
      'spec: {secretName: web-tls, issuerRef: {name: le}}',
      'status: {conditions: [{type: Ready, status: "False", reason: DoesNotExist}]}', '---',
      'apiVersion: cert-manager.io/v1', 'kind: Certificate', 'metadata: {name: api-tls, namespace: shop}',
      'spec: {secretName: api-tls, issuerRef: {name: le}}',
      'status: {conditions: [{type: Ready, status: "True", reason: Ready}]}', '',
    ].join('\n'));
    const r = crotel('render', '--config', config, '-f', objects);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /k8s_object_health\{[^}]*k8s_object_name="web-tls"[^}]*k8s_object_health="degraded"\} 1/);
    assert.match(r.stdout, /k8s_object_health\{[^}]*k8s_object_name="api-tls"[^}]*k8s_object_health="current"\} 1/);
    assert.doesNotMatch(r.stdout + r.stderr, /skipped/);
    const explained = crotel('render', '--explain', '--config', config, '-f', objects);
    assert.match(explained.stdout, /shop\/web-tls: degraded: cert-manager.io\/Certificate rule 2: Ready=False \(DoesNotExist\)/);
    assert.doesNotMatch(r.stdout, /render:/, 'the stand-in uid is no label');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
