// prometheus/ as shipped: the config and every rule file load in the real Prometheus 3.16
// (promtool check), and `promtool test rules` passes for every rule, with a test that fires each
// alert and checks its labels and rendered annotations (summary, description, runbook_url).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { binaryPath } from '../../harness/binaries.ts';

const run = promisify(execFile);
const DIR = new URL('../../prometheus/', import.meta.url).pathname;
const ruleFiles = readdirSync(join(DIR, 'rules')).filter((f) => f.endsWith('.yml')).map((f) => join('rules', f));
const testFiles = readdirSync(join(DIR, 'tests')).filter((f) => f.endsWith('.yml')).map((f) => join('tests', f));

interface Rule { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
interface RuleTest {
  rule_files: string[];
  tests: { alert_rule_test?: { alertname: string; exp_alerts?: { exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }[] }[] }[];
}

function rulesOf(file: string): Rule[] {
  const doc = parse(readFileSync(join(DIR, file), 'utf8')) as { groups: { rules: Rule[] }[] };
  return doc.groups.flatMap((g) => g.rules);
}

async function promtool(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(binaryPath('promtool'), args, { cwd: DIR });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    assert.fail(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}

test('prometheus.yml and its rule files load in Prometheus 3.16 (promtool check)', async () => {
  assert.ok(ruleFiles.length >= 3, `rule files: ${ruleFiles.join(', ')}`);
  const out = await promtool('check', 'config', 'prometheus.yml');
  assert.match(out, new RegExp(`SUCCESS: ${ruleFiles.length} rule files found`));
  await promtool('check', 'rules', '--lint=all', '--lint-fatal', ...ruleFiles);
});

test('every alert has severity, summary, description and a runbook_url to its section of docs/runbooks.md', () => {
  const runbooks = readFileSync(join(DIR, '../docs/runbooks.md'), 'utf8');
  const anchors = new Set([...runbooks.matchAll(/^#{2,4} (\w+)$/gm)].map((m) => m[1]!.toLowerCase()));
  for (const file of ruleFiles) {
    for (const rule of rulesOf(file)) {
      assert.ok(rule.alert, `${file}: only alerting rules are shipped (got ${JSON.stringify(rule)})`);
      assert.match(rule.labels?.severity ?? '', /^(critical|warning)$/, `${rule.alert}: severity`);
      for (const key of ['summary', 'description']) {
        assert.ok((rule.annotations?.[key] ?? '').trim().length > 10, `${rule.alert}: annotation ${key}`);
      }
      const url = rule.annotations?.runbook_url ?? '';
      assert.match(url, /^https:\/\/\S+\/docs\/runbooks\.md#[a-z]+$/, `${rule.alert}: runbook_url ${url}`);
      assert.ok(anchors.has(url.split('#')[1]!) && url.endsWith(`#${rule.alert!.toLowerCase()}`), `${rule.alert}: no section "${rule.alert}" in docs/runbooks.md`);
      // Selectors come from the mixin config, not from one stack's scrape job.
      assert.doesNotMatch(rule.expr, /crotel-scrape/, `${rule.alert}: hard-coded scrape job`);
    }
  }
});

test('the health alerts cover the seven states: degraded, failed and unknown alert, suspended never does', () => {
  const rules = new Map(ruleFiles.flatMap(rulesOf).map((r) => [r.alert!, r]));
  assert.match(rules.get('CustomResourceDegraded')?.expr ?? '', /k8s_object_health="degraded"/);
  assert.ok(rules.get('CustomResourceDegraded')?.for, 'degraded alerts only after a while');
  assert.match(rules.get('CustomResourceFailed')?.expr ?? '', /k8s_object_health="failed"/);
  assert.match(rules.get('CustomResourceHealthUnknown')?.expr ?? '', /k8s_object_health="unknown"/);
  assert.ok(rules.get('CustomResourceHealthUnknown')?.for, 'unknown alerts only after a while');
  assert.match(rules.get('CustomResourceNotHealthy')?.expr ?? '', /unless[\s\S]*k8s_object_health="suspended"/);
});

test('every alert has a promtool unit test in which it fires', () => {
  const fired = new Map<string, string>();
  for (const file of testFiles) {
    const doc = parse(readFileSync(join(DIR, file), 'utf8')) as RuleTest;
    for (const t of doc.tests) {
      for (const a of t.alert_rule_test ?? []) {
        if ((a.exp_alerts ?? []).some((e) => e.exp_annotations && Object.keys(e.exp_annotations).length === 3 && e.exp_annotations.runbook_url)) fired.set(a.alertname, file);
      }
    }
  }
  const missing = ruleFiles.flatMap(rulesOf).map((r) => r.alert!).filter((name) => !fired.has(name));
  assert.deepEqual(missing, [], 'alerts without a firing test (with all three annotations checked)');
});

test('promtool test rules passes for every test file', async () => {
  const out = await promtool('test', 'rules', ...testFiles);
  assert.equal((out.match(/SUCCESS/g) ?? []).length, testFiles.length, out);
});
