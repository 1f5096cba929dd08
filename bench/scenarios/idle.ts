// crotel at rest: what a process holds and spends with no objects to watch (the fixed cost that
// dominates at the sizes most clusters have), per binary and per push setup:
//   none           only /metrics (OTEL_METRICS_EXPORTER=none, OTEL_TRACES_EXPORTER=none)
//   http/protobuf  crotel's default protocol, metrics and traces to a local sink that answers 200
//   grpc           metrics and traces over gRPC to a port nothing listens on (the module's cost;
//                  the exporter retries in the background)
// Checkouts and setups are interleaved per run, so a machine's drift touches all alike.
//   npm run bench -- idle [--runs 3] [--settle 10] [--cpu-window 20] [--setups none,http/protobuf,grpc]
//     [--bin path/to/bin/crotel.js …] [--config FILE] [--json FILE]
// `--bin` takes any entry point: another checkout's bin/crotel.js, or a built dist/cli.js (what
// the npm package and the image run: no TypeScript stripping).
import { createServer, type Server } from 'node:http';
import { parseArgs } from 'node:util';
import { startCrotel } from '../../harness/crotel-process.ts';
import { freePort, makeTempDir, removeTempDir } from '../../harness/processes.ts';
import { commandLine, finish, numberFlag, progressLog, startBenchControlPlane, type Scenario } from '../lib/cli.ts';
import { cpuSecondsOf, procMemory } from '../lib/proc.ts';
import { median, sleep } from '../lib/stats.ts';

const CRD = new URL('../../examples/databaseinstance/crd.yaml', import.meta.url).pathname;
const REFERENCE_CONFIG = new URL('../../examples/databaseinstance/crotel.yaml', import.meta.url).pathname;
const OWN_BIN = new URL('../../bin/crotel.js', import.meta.url).pathname;
const SETUPS = ['none', 'http/protobuf', 'grpc'] as const;
type Setup = (typeof SETUPS)[number];

const HELP = 'npm run bench -- idle [--runs N] [--settle S] [--cpu-window S] [--setups none,http/protobuf,grpc] [--bin FILE …] [--config FILE] [--json FILE]\n';

function parseFlags(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string', default: '3' },
      settle: { type: 'string', default: '10' },
      'cpu-window': { type: 'string', default: '20' },
      setups: { type: 'string', default: SETUPS.join(',') },
      bin: { type: 'string', multiple: true },
      config: { type: 'string', default: REFERENCE_CONFIG },
      json: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const setups = values.setups.split(',').map((s) => s.trim());
  for (const s of setups) if (!(SETUPS as readonly string[]).includes(s)) throw new Error(`--setups: "${s}" is not one of ${SETUPS.join(', ')}`);
  return {
    help: values.help === true, json: values.json, config: values.config,
    bins: values.bin ?? [OWN_BIN], setups: setups as Setup[],
    runs: numberFlag('runs', values.runs), settle: numberFlag('settle', values.settle), cpuWindow: numberFlag('cpu-window', values['cpu-window']),
  };
}

/** Accepts any OTLP/HTTP export with 200 and an empty body (an empty protobuf Export*ServiceResponse). */
async function startSink(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, requests: () => requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function envFor(setup: Setup, sinkUrl: string, deadPort: number): Record<string, string> {
  switch (setup) {
    case 'none': return { OTEL_METRICS_EXPORTER: 'none', OTEL_TRACES_EXPORTER: 'none' };
    case 'http/protobuf': return { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_METRICS_EXPORTER: 'otlp', OTEL_TRACES_EXPORTER: 'otlp' };
    case 'grpc': return { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${deadPort}`, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_METRICS_EXPORTER: 'otlp', OTEL_TRACES_EXPORTER: 'otlp' };
  }
}

interface Sample { readonly bin: string; readonly setup: Setup; readonly run: number; readonly rssMiB: number; readonly cpuCores: number }

async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (flags.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const log = progressLog('idle');
  const dir = makeTempDir('crotel-bench-idle-');
  const { cp, apiserverVersion } = await startBenchControlPlane(CRD, log, dir);
  const sink = await startSink();
  const deadPort = await freePort();
  const samples: Sample[] = [];
  const errors: string[] = [];
  try {
    for (let r = 1; r <= flags.runs; r++) {
      for (const setup of flags.setups) {
        for (const bin of flags.bins) {
          const crotel = await startCrotel({ bin, args: ['--config', flags.config, '--kubeconfig', cp.kubeconfigPath], env: { CROTEL_LOG_LEVEL: 'warn', ...envFor(setup, sink.url, deadPort) } });
          try {
            const pid = crotel.child.pid!;
            await sleep(flags.settle * 1000);
            const before = cpuSecondsOf(pid) ?? Number.NaN;
            await sleep(flags.cpuWindow * 1000);
            const cpuCores = ((cpuSecondsOf(pid) ?? Number.NaN) - before) / flags.cpuWindow;
            const rssMiB = procMemory(pid).rss / 1048576;
            samples.push({ bin, setup, run: r, rssMiB, cpuCores });
            log(`run ${r} ${setup.padEnd(13)} ${bin}: RSS ${rssMiB.toFixed(1)} MiB, CPU ${cpuCores.toFixed(4)} cores`);
          } catch (error) {
            errors.push(`run ${r} ${setup} ${bin}: ${error instanceof Error ? error.message : String(error)}`);
          } finally {
            await crotel.stop();
          }
        }
      }
    }
  } finally {
    await sink.close();
    await cp.stop();
    removeTempDir(dir);
  }
  const rows: string[] = ['| binary | setup | RSS median (min–max) | CPU idle, cores (median) |', '|---|---|---|---|'];
  const summary: { bin: string; setup: Setup; rssMedianMiB: number; rssMinMiB: number; rssMaxMiB: number; cpuCoresMedian: number }[] = [];
  for (const setup of flags.setups) {
    for (const bin of flags.bins) {
      const mine = samples.filter((s) => s.bin === bin && s.setup === setup);
      if (mine.length === 0) continue;
      const rss = mine.map((s) => s.rssMiB);
      const entry = { bin, setup, rssMedianMiB: median(rss), rssMinMiB: Math.min(...rss), rssMaxMiB: Math.max(...rss), cpuCoresMedian: median(mine.map((s) => s.cpuCores)) };
      summary.push(entry);
      rows.push(`| ${bin} | ${setup} | ${entry.rssMedianMiB.toFixed(1)} MiB (${entry.rssMinMiB.toFixed(1)}–${entry.rssMaxMiB.toFixed(1)}) | ${entry.cpuCoresMedian.toFixed(4)} |`);
    }
  }
  const results = {
    command: commandLine('idle', argv), date: new Date().toISOString(), apiserverVersion, node: process.version,
    settleSeconds: flags.settle, cpuWindowSeconds: flags.cpuWindow, config: flags.config, sinkRequests: sink.requests(),
    summary, samples, errors,
  };
  return finish(results, `${rows.join('\n')}\n`, flags.json);
}

export const scenario: Scenario = { name: 'idle', help: HELP, run };
