// Rewrites README.md's benchmark tables from bench/results/*.json (bench/lib/readme.ts renders
// them); --check only reports whether they differ, for CI and the unit test's message.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Scenario } from '../lib/cli.ts';
import { readmeBlocks, renderReadme } from '../lib/readme.ts';
import { readResults, RESULTS_DIR } from '../lib/results.ts';

const README = new URL('../../README.md', import.meta.url);

const HELP = `npm run bench -- readme [--check]

  Renders every <!-- bench:NAME --> … <!-- /bench:NAME --> block of README.md from
  bench/results/NAME.json. --check: exit 1 when README.md differs, write nothing.
`;

function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { check: { type: 'boolean' }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return Promise.resolve(0);
  }
  const before = readFileSync(README, 'utf8');
  const after = renderReadme(before, (name) => readResults(new URL(`${name}.json`, RESULTS_DIR)));
  const blocks = readmeBlocks(before);
  if (after === before) {
    process.stdout.write(`README.md: ${blocks.length} benchmark tables (${blocks.join(', ')}) match bench/results/\n`);
    return Promise.resolve(0);
  }
  if (values.check) {
    process.stdout.write('README.md: benchmark tables differ from bench/results/ (run: npm run bench -- readme)\n');
    return Promise.resolve(1);
  }
  writeFileSync(README, after);
  process.stdout.write(`README.md: rewrote ${blocks.length} benchmark tables (${blocks.join(', ')})\n`);
  return Promise.resolve(0);
}

export const scenario: Scenario = { name: 'readme', help: HELP, run };
