// Child-process entry of the traces capacity step (started by steps/traces-capacity.ts, usually under
// `taskset -c CPU`): runs the replay and prints its result as one JSON line on stdout. The OTLP
// endpoint and protocol come from the standard OTEL_EXPORTER_OTLP_* variables, as in crotel.
import { parseArgs } from 'node:util';
import { runTracesReplay } from './traces-replay.ts';

const { values } = parseArgs({
  options: {
    config: { type: 'string' },
    'objects-file': { type: 'string' },
    'events-file': { type: 'string' },
    source: { type: 'string', default: 'recorded' },
    events: { type: 'string', default: '60000' },
    warmup: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '0' },
    receiver: { type: 'string', multiple: true, default: [] },
    'sample-ms': { type: 'string', default: '100' },
    'drain-timeout': { type: 'string', default: '60000' },
    'synthetic-objects': { type: 'string', default: '4000' },
  },
});

if (!values.config || !values['objects-file'] || !values['events-file']) {
  process.stderr.write('usage: traces-replay-main.ts --config FILE --objects-file FILE --events-file FILE [--source recorded|synthetic] [--events N] [--warmup N] [--rate EVENTS_PER_S] [--receiver NAME=METRICS_URL]…\n');
  process.exit(2);
}
const source = values.source;
if (source !== 'recorded' && source !== 'synthetic') throw new Error(`--source ${source}: recorded or synthetic`);

const result = await runTracesReplay({
  config: values.config,
  objectsFile: values['objects-file'],
  eventsFile: values['events-file'],
  source,
  events: Number(values.events),
  warmup: Number(values.warmup),
  rate: Number(values.rate),
  receivers: values.receiver.map((r) => {
    const at = r.indexOf('=');
    if (at < 0) throw new Error(`--receiver ${r}: expected NAME=METRICS_URL`);
    return { name: r.slice(0, at), metricsUrl: r.slice(at + 1) };
  }),
  sampleMs: Number(values['sample-ms']),
  drainTimeoutMs: Number(values['drain-timeout']),
  syntheticObjects: Number(values['synthetic-objects']),
});
process.stdout.write(`${JSON.stringify(result)}\n`);
