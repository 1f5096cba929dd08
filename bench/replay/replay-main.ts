// Child-process entry of step 7 (started by steps/replay-capacity.ts, usually under `taskset -c CPU`):
// runs the replay and prints its result as one JSON line on stdout.
import { parseArgs } from 'node:util';
import { runReplay } from './replay.ts';

const { values } = parseArgs({
  options: {
    config: { type: 'string' },
    'objects-file': { type: 'string' },
    'events-file': { type: 'string' },
    events: { type: 'string', default: '50000' },
    warmup: { type: 'string', default: '5000' },
    breakdown: { type: 'string', default: '5000' },
    variants: { type: 'string', default: 'store,runtime' },
    resource: { type: 'string', default: 'stable.example.com/DatabaseInstance' },
  },
});

if (!values.config || !values['objects-file'] || !values['events-file']) {
  process.stderr.write('usage: replay-main.ts --config FILE --objects-file FILE --events-file FILE [--events N] [--warmup N] [--breakdown N] [--variants store,runtime] [--resource GROUP/KIND]\n');
  process.exit(2);
}

const result = await runReplay({
  config: values.config,
  objectsFile: values['objects-file'],
  eventsFile: values['events-file'],
  events: Number(values.events),
  warmup: Number(values.warmup),
  breakdown: Number(values.breakdown),
  resource: values.resource,
  variants: values.variants.split(',').map((v) => {
    if (v !== 'store' && v !== 'runtime') throw new Error(`--variants: unknown variant ${v} (store, runtime)`);
    return v;
  }),
});
process.stdout.write(`${JSON.stringify(result)}\n`);
