// CLI habits users bring from other tools: per-command help, the config's JSON Schema as a file
// and a command, a kubeconfig --context that must exist.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { configJsonSchema } from '../../src/config/index.ts';

const root = new URL('../../', import.meta.url).pathname;
const BIN = join(root, 'bin/crotel.js');

function crotel(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the committed schema/crotel.schema.json is the generated schema (npm run schema rewrites it)', () => {
  const committed: unknown = JSON.parse(readFileSync(join(root, 'schema/crotel.schema.json'), 'utf8'));
  assert.deepEqual(committed, configJsonSchema());
});

test('crotel schema prints the same schema', () => {
  const r = crotel('schema');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), configJsonSchema());
});

test('the example configs name the schema in a yaml-language-server modeline that resolves', () => {
  for (const file of ['examples/databaseinstance/crotel.yaml', 'examples/databaseinstance/crotel-full.yaml', 'deploy/base/crotel.yaml']) {
    const first = readFileSync(join(root, file), 'utf8').split('\n')[0]!;
    const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    assert.ok(m, `${file}: first line ${first}`);
    assert.doesNotThrow(() => readFileSync(join(root, file, '..', m[1]!)), `${file}: ${m[1]} resolves`);
  }
});

for (const [command, marker] of [['run', /^Usage: crotel run/], ['validate', /^Usage: crotel validate/], ['render', /^Usage: crotel render/], ['rbac', /^Usage: crotel rbac/], ['schema', /^Usage: crotel schema/], ['convert-ksm', /^Usage: crotel convert-ksm/]] as const) {
  test(`crotel ${command} --help prints its own help`, () => {
    const r = crotel(command, '--help');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, marker);
    assert.doesNotMatch(r.stdout, /Kubernetes custom resources as OpenTelemetry metrics/); // not the global help
  });
}

test('crotel help env lists the OTEL_* variables; help for an unknown topic exits 2', () => {
  const r = crotel('help', 'env');
  assert.equal(r.code, 0);
  for (const v of ['OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_CERTIFICATE', 'OTEL_SDK_DISABLED', 'K8S_POD_UID']) assert.ok(r.stdout.includes(v), v);
  assert.equal(crotel('help', 'nope').code, 2);
});

test('rbac --context: an unknown context is refused naming the ones there are', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crotel-ctx-'));
  try {
    const kubeconfig = join(dir, 'config');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: a',
      'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
      'users: [{name: u, user: {token: t}}]',
      'contexts: [{name: a, context: {cluster: c, user: u}}, {name: b, context: {cluster: c, user: u}}]', '',
    ].join('\n'));
    const r = crotel('rbac', '--config', 'examples/databaseinstance/crotel.yaml', '--kubeconfig', kubeconfig, '--context', 'prod');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--context prod: no such context in the kubeconfig \(have: a, b\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
