// In-process micro-benchmarks of crotel's hot paths, with no apiserver and no child process:
// watch decode, extract + store, the /metrics exposition, the OTLP producer, and the episode
// tracker. Each runs on generated DatabaseInstances with the reference config and reports the
// median of several timed rounds after a warm-up. Prints figures, asserts nothing.
//
//   npm run bench -- micro [--objects N] [--rounds R] [--config FILE] [--json FILE]
//   npm run bench -- compare BEFORE.json AFTER.json   (per figure, as benchstat compares runs)
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { loadConfigFile } from '../../src/config/index.ts';
import { compileConfig } from '../../src/extract/index.ts';
import { LineSplitter } from '../../src/kube/lines.ts';
import { renderExposition } from '../../src/metrics/exposition.ts';
import { ObjectMetricProducer } from '../../src/metrics/object-producer.ts';
import { SeriesBudget } from '../../src/state/budget.ts';
import { ResourceStore } from '../../src/state/store.ts';
import { EpisodeTracker, type LifecycleSink } from '../../src/traces/index.ts';
import { commandLine, numberFlag, type Scenario } from '../lib/cli.ts';
import { gcFunction } from '../lib/gc.ts';
import { dbInstance, watchLine } from '../workloads/generated.ts';

interface Figure {
  readonly name: string;
  /** Median time of one round, ms. */
  readonly medianMs: number;
  /** Operations in one round (objects, events, scrapes). */
  readonly ops: number;
  readonly unit: string;
}

interface Result {
  readonly command: string;
  readonly date: string;
  readonly revision: string;
  readonly node: string;
  readonly objects: number;
  readonly config: string;
  readonly figures: readonly Figure[];
}

const HELP = `crotel micro-benchmarks (in process, no apiserver)

  npm run bench -- micro [--objects N] [--rounds R] [--config FILE] [--json FILE]

  --objects N    generated DatabaseInstances (default 20000)
  --rounds R     timed rounds per path after a warm-up; the median counts (default 7)
  --config FILE  crotel config (default examples/databaseinstance/crotel.yaml)
  --json FILE    keep the figures (then: npm run bench -- compare OLD.json NEW.json)
  CROTEL_REVISION=name names the revision in the kept figures
`;

const gc = gcFunction();

async function time(rounds: number, body: () => unknown): Promise<number> {
  await body(); // warm-up: JIT and caches
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    gc();
    const t0 = performance.now();
    await body();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return ms[Math.floor(ms.length / 2)]!;
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      objects: { type: 'string', default: '20000' },
      config: { type: 'string', default: 'examples/databaseinstance/crotel.yaml' },
      rounds: { type: 'string', default: '7' },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const objects = Math.floor(numberFlag('objects', values.objects));
  const rounds = Math.floor(numberFlag('rounds', values.rounds));
  const config = loadConfigFile(values.config);
  const [resource] = compileConfig(config);
  if (!resource) throw new Error('the reference config compiles to no resource');
  const figures: Figure[] = [];

  // Watch decode: 64 KiB chunks → line split → JSON.parse, as the reflector reads a watch body.
  const body = Buffer.from(Array.from({ length: objects }, (_, i) => watchLine(i, 1)).join(''));
  figures.push({
    name: 'watch decode', unit: 'event', ops: objects,
    medianMs: await time(rounds, () => {
      const split = new LineSplitter();
      let n = 0;
      for (let at = 0; at < body.length; at += 65_536) for (const line of split.push(body.subarray(at, at + 65_536))) n += (JSON.parse(line) as unknown) ? 1 : 0;
      if (n !== objects) throw new Error(`decoded ${n} of ${objects}`);
    }),
  });

  // Extract + store: every object updated once in a store seeded with all of them.
  const store = new ResourceStore(resource, new SeriesBudget(() => undefined), {});
  for (let i = 0; i < objects; i++) store.upsert(dbInstance(i, 1));
  let version = 1;
  figures.push({
    name: 'extract + store update', unit: 'object', ops: objects,
    medianMs: await time(rounds, () => {
      version++;
      for (let i = 0; i < objects; i++) store.upsert(dbInstance(i, version));
    }),
  });

  const text = await renderExposition([store]);
  figures.push({ name: '/metrics exposition', unit: 'object', ops: objects, medianMs: await time(rounds, () => renderExposition([store])) });
  const producer = new ObjectMetricProducer(resourceFromAttributes({}), () => [store]);
  figures.push({ name: 'OTLP producer snapshot', unit: 'object', ops: objects, medianMs: await time(rounds, () => producer.snapshot()) });

  // The episode tracker on a phase change per object, with a sink that wants every span.
  let spans = 0;
  const sink: LifecycleSink = { wantsSpans: () => true, span: () => void spans++, transition: () => undefined, stateEnded: () => undefined, episodeEnded: () => undefined };
  let clock = Date.now();
  const tracker = new EpisodeTracker(sink, { episodeTimeoutMs: 3_600_000, clock: () => clock });
  const episodeStore = new ResourceStore(resource, new SeriesBudget(() => undefined), {
    changed: (_r, previous, next) => tracker.observe(resource.ref, previous, next),
  });
  for (let i = 0; i < objects; i++) episodeStore.upsert(dbInstance(i, 1));
  figures.push({
    name: 'store update + episode tracker', unit: 'object', ops: objects,
    medianMs: await time(rounds, () => {
      version++;
      clock += 1000;
      for (let i = 0; i < objects; i++) episodeStore.upsert(dbInstance(i, version));
    }),
  });

  const result: Result = { command: commandLine('micro', argv), date: new Date().toISOString().slice(0, 10), revision: process.env.CROTEL_REVISION ?? 'working tree', node: process.version, objects, config: values.config, figures };
  console.log(`crotel micro-benchmarks: ${objects} objects (${values.config}), median of ${rounds} rounds, ${process.version}; /metrics ${(text.length / 1e6).toFixed(1)} MB, ${spans} spans`);
  console.log('| path | per op | per round |\n|---|---|---|');
  for (const f of figures) console.log(`| ${f.name} | ${((f.medianMs * 1000) / f.ops).toFixed(2)} µs/${f.unit} | ${f.medianMs.toFixed(1)} ms |`);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
  return 0;
}

export const scenario: Scenario = { name: 'micro', help: HELP, run };
