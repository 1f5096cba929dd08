// Property: whatever the objects and whatever configs validate accepts (native, kube-state-
// metrics, both), the scrape is valid exposition (strict reader: names, label names, escapes,
// UTF-8, one family per name, no duplicate series), the OTLP payload has one metric per name
// and unique, well-formed points, and neither holds a planted credential.
// promtool checks the same generators in test/integration/hostile-promtool.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkExposition } from '../harness/strict-exposition.ts';
import { MARKER, checkOtlp, hostileObjects, ksmConfigText, nativeConfigText, scrape } from '../harness/hostile.ts';

// Sized to run in a few seconds; a failure prints the seed and the shrunk counterexample.
const RUNS = Number(process.env.CROTEL_PROPERTY_RUNS ?? 150);

async function holds(nativeText: string | undefined, ksmText: string | undefined, objects: Record<string, unknown>[]): Promise<void> {
  const { text, otlp, accepted } = await scrape(nativeText, ksmText, objects);
  if (!accepted) return;
  try {
    checkExposition(text);
  } catch (e) {
    assert.fail(`${(e as Error).message}\n--- exposition ---\n${text.slice(0, 4000)}`);
  }
  const at = text.indexOf(MARKER);
  assert.ok(at < 0, `planted secret exported: …${text.slice(Math.max(0, at - 120), at + 40)}…`);
  checkOtlp(otlp!);
  assert.ok(!JSON.stringify(otlp).includes(MARKER), 'planted secret in the OTLP payload');
}

test('property: native configs × hostile objects → valid, secret-free scrape', async () => {
  await fc.assert(fc.asyncProperty(nativeConfigText, hostileObjects, (c, o) => holds(c, undefined, o)), { numRuns: RUNS });
});

test('property: kube-state-metrics configs × hostile objects → valid, secret-free scrape', async () => {
  await fc.assert(fc.asyncProperty(ksmConfigText, hostileObjects, (k, o) => holds(undefined, k, o)), { numRuns: RUNS });
});

test('property: native and kube-state-metrics together → one family per name, valid, secret-free', async () => {
  await fc.assert(fc.asyncProperty(nativeConfigText, ksmConfigText, hostileObjects, (c, k, o) => holds(c, k, o)), { numRuns: RUNS });
});

test('property: the generators do reach accepted configs and planted secrets (the properties are not vacuous)', async () => {
  let native = 0;
  let ksm = 0;
  let planted = 0;
  let rendered = 0;
  await fc.assert(fc.asyncProperty(nativeConfigText, ksmConfigText, hostileObjects, async (c, k, o) => {
    const n = await scrape(c, undefined, o);
    if (n.accepted) native++;
    if (n.text.includes('example.com')) rendered++;
    if ((await scrape(undefined, k, o)).accepted) ksm++;
    if (JSON.stringify(o).includes(MARKER)) planted++;
  }), { numRuns: 60 });
  assert.ok(native >= 10, `only ${native} of 60 native configs accepted`);
  assert.ok(ksm >= 10, `only ${ksm} of 60 kube-state-metrics configs accepted`);
  assert.ok(rendered >= 10, `only ${rendered} of 60 scrapes hold object series`);
  assert.ok(planted >= 10, `only ${planted} of 60 object sets hold a planted secret`);
});
