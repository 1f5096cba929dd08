// The real Prometheus parser on hostile scrapes: random native and kube-state-metrics configs
// (those validate accepts) over random hostile objects, rendered as `crotel run` serves them
// (object series + self-metrics), piped to `promtool check metrics`. Parse errors (invalid or
// duplicate label names, bad UTF-8, a second HELP/TYPE) and "metric not unique" must never
// appear; naming lints (e.g. a gauge ending in _total) are allowed, they do not fail a scrape.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import fc from 'fast-check';
import { binaryPath } from '../../harness/binaries.ts';
import { MARKER, hostileObjects, ksmConfigText, nativeConfigText, scrape } from '../harness/hostile.ts';

function promtoolCheck(exposition: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binaryPath('promtool'), ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(exposition);
  });
}

// Enough distinct scrapes to cover every generator branch, few enough for one promtool process each.
const SCRAPES = Number(process.env.CROTEL_PROMTOOL_SCRAPES ?? 60);

test('promtool check metrics reports the breakage this test looks for (the check can fail)', async () => {
  const bad = ['a{b="1",b="2"} 1\n', 'a{1b="1"} 1\n', 'a{b="1"} 1\na{b="1"} 2\n', 'a 1\n# HELP a x\n# TYPE a gauge\na{c="x"} 1\n'];
  for (const body of bad) {
    const { output } = await promtoolCheck(`# HELP a x\n# TYPE a gauge\n${body}`);
    assert.match(output, /error while linting|parsing error|not unique/, body);
  }
});

test('promtool check metrics accepts every hostile scrape crotel serves', { timeout: 240_000 }, async () => {
  const inputs = fc.sample(fc.tuple(fc.option(nativeConfigText), fc.option(ksmConfigText), hostileObjects), { numRuns: SCRAPES * 4, seed: 16 });
  let checked = 0;
  let objectSeries = 0;
  for (const [native, ksm, objects] of inputs) {
    if (checked >= SCRAPES) break;
    if (native === null && ksm === null) continue;
    const { text, accepted } = await scrape(native ?? undefined, ksm ?? undefined, objects);
    if (!accepted) continue;
    checked++;
    if (/^(?:k8s_object|kube_customresource|widget|x_|value|info|phase|objects)/m.test(text)) objectSeries++;
    assert.ok(!text.includes(MARKER), 'planted secret exported');
    const { code, output } = await promtoolCheck(text);
    const broken = output.split('\n').filter((l) => /error while linting|parsing error|not unique/.test(l));
    assert.deepEqual(broken, [], `promtool (exit ${code}) on:\n${text.slice(0, 3000)}`);
    assert.ok(code === 0 || code === 3, `promtool exit ${code}: ${output}`);
  }
  assert.ok(checked >= SCRAPES / 2, `only ${checked} accepted scrapes`);
  assert.ok(objectSeries >= checked / 3, `only ${objectSeries} of ${checked} scrapes hold object series`);
});
