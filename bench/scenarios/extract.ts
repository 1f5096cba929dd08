// Extraction cost per object (compile once, extract N DatabaseInstance-shaped objects), in
// process, no cluster: what redaction and the per-object series guard add to each watch event.
//   npm run bench -- extract [--objects 100000] [--rounds 5]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseConfigText } from '../../src/config/index.ts';
import { compileConfig } from '../../src/extract/index.ts';
import { numberFlag, type Scenario } from '../lib/cli.ts';

const HELP = 'npm run bench -- extract [--objects N] [--rounds R]\n';

function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { objects: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '5' }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return Promise.resolve(0);
  }
  const n = Math.floor(numberFlag('objects', values.objects));
  const configPath = new URL('../../examples/databaseinstance/crotel-full.yaml', import.meta.url).pathname;
  const [resource] = compileConfig(parseConfigText(readFileSync(configPath, 'utf8'), configPath));
  const objects = Array.from({ length: n }, (_, i) => ({
    apiVersion: 'db.example.com/v1', kind: 'DatabaseInstance',
    metadata: { name: `db-${i}`, namespace: `team-${i % 50}`, uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, resourceVersion: String(i), generation: 2, creationTimestamp: '2024-01-02T03:04:05Z', labels: { app: 'db', tier: 'data' } },
    spec: { engine: 'postgres', version: '14.2', storageGB: 10 + (i % 90) },
    status: {
      phase: i % 10 === 0 ? 'Provisioning' : 'Running', observedGeneration: 2, connectionString: `postgres://app:pw${i}@db-${i}:5432/app`,
      conditions: [
        { type: 'Ready', status: i % 10 === 0 ? 'False' : 'True', reason: 'Provisioned', message: 'Database is provisioned and ready', lastTransitionTime: '2024-01-02T03:05:00Z' },
        { type: 'BackupReady', status: 'True', reason: 'Scheduled', message: 'Backups run daily', lastTransitionTime: '2024-01-02T03:06:00Z' },
      ],
    },
  }));
  const times: number[] = [];
  for (let r = 0; r < Number(values.rounds); r++) {
    const t0 = performance.now();
    for (const o of objects) resource!.extract(o);
    times.push(((performance.now() - t0) * 1000) / n);
  }
  times.sort((a, b) => a - b);
  console.log(`extract: ${n} objects × ${values.rounds} rounds: median ${times[Math.floor(times.length / 2)]!.toFixed(2)} µs/object (min ${times[0]!.toFixed(2)}, max ${times.at(-1)!.toFixed(2)})`);
  return Promise.resolve(0);
}

export const scenario: Scenario = { name: 'extract', help: HELP, run };
