// The short seeded chaos run (chaos/run.ts) on the real components: etcd + kube-apiserver, the
// Collector with the shipped config, Jaeger v2, two crotel replicas with leader election, every
// fault kind at least once. Fails on any mismatch: a series that differs from the journal (on
// /metrics or in the OTLP stream), a span delivered twice, a span missing outside the documented
// loss windows, a span the journal does not imply, a crash, a watch not up at the end.
// The seed fixes the fault schedule and the writes' choices, so a failure replays with
//   npm run chaos -- --seed 20 --duration 100 --objects 200 --dump /tmp/chaos.json
// CROTEL_CHAOS_TRACE_STORE=sink runs it against a Collector → OTLP sink instead of Jaeger (for a
// machine without the Jaeger binary); the default is Jaeger, and a missing binary fails the test.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runChaos } from './run.ts';
import { FAULT_KINDS } from './faults.ts';

const SEED = 20;

test('a short storm (every fault kind, 200 objects): metrics equal the journal, no span doubled, no loss outside the documented windows', { timeout: 280_000 }, async () => {
  const lines: string[] = [];
  // Every run keeps its dump (journal, faults, windows, spans, both replicas' logs), so a failure can be diagnosed with chaos/analyze.ts.
  const dumpPath = process.env.CROTEL_CHAOS_DUMP ?? join(tmpdir(), `crotel-chaos-short-${process.pid}.json`);
  const verdict = await runChaos({
    dumpPath,
    seed: SEED, durationS: 100, objects: 200, settleS: 60,
    traceStore: process.env.CROTEL_CHAOS_TRACE_STORE === 'sink' ? 'sink' : 'jaeger',
    log: (line) => lines.push(line),
  });
  const report = [`dump: ${dumpPath} (node chaos/analyze.ts ${dumpPath}; replica logs beside it)`, ...lines, ...Object.entries(verdict.figures).map(([k, v]) => `  ${k}: ${v}`), ...verdict.problems.map((p) => `  PROBLEM: ${p}`)].join('\n');
  console.log(report); // the figures in every run's log, passing or not
  const f = verdict.figures;
  assert.equal(new Set(verdict.faults.filter((x) => !x.detail.startsWith('failed')).map((x) => x.kind)).size, FAULT_KINDS.length, `every fault kind injected\n${report}`);
  assert.ok(Number(f['writes']) > 1000, `the writer kept writing through the storm\n${report}`);
  assert.ok(Number(f['spans expected']) > 1000, `a storm of transitions\n${report}`);
  assert.equal(f['series mismatched (/metrics, per replica)'], 'a 0, b 0', report);
  assert.equal(f['OTLP stream through the Collector'], 'equal to the journal (both replicas)', report);
  assert.equal(f['spans duplicated'], 0, report);
  assert.equal(f['missing, unexplained'], 0, report);
  assert.equal(f['spans unexpected'], 0, report);
  assert.notEqual(f['convergence after last fault s'], 'never', report);
  assert.deepEqual(verdict.problems, [], report);
  assert.equal(verdict.ok, true, report);
});
