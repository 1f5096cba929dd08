// Two kept results side by side, as benchstat compares two sets of runs: every figure both hold
// (a number in the JSON, named by its path), old, new and the change in %. The files come from
// any scenario's --json (bench/results/ keeps the README's); figures only one file has are listed
// with a dash. It reads files only: no cluster, nothing started.
import { parseArgs } from 'node:util';
import type { Scenario } from '../lib/cli.ts';
import { markdownTable } from '../lib/report.ts';
import { compareFigures, formatDelta, formatFigure, readResults } from '../lib/results.ts';

const HELP = `npm run bench -- compare OLD.json NEW.json [--match REGEX] [--min-delta PCT] [--all]

  --all             also the figures equal in both (usually the inputs: objects, rounds)
  --match REGEX     only figures whose path matches (e.g. 'scrapes|start\\.')
  --min-delta PCT   only figures that moved by at least PCT % (and those only one file has)
`;

function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { match: { type: 'string' }, 'min-delta': { type: 'string' }, all: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return Promise.resolve(0);
  }
  const [oldFile, newFile, ...extra] = positionals;
  if (!oldFile || !newFile || extra.length > 0) throw new Error('expected two result files: OLD.json NEW.json');
  const match = values.match !== undefined ? new RegExp(values.match) : undefined;
  const minDelta = values['min-delta'] !== undefined ? Number(values['min-delta']) : undefined;
  if (minDelta !== undefined && !(minDelta >= 0)) throw new Error(`--min-delta ${values['min-delta']}: expected a non-negative number`);
  const all = compareFigures(readResults(oldFile), readResults(newFile)).filter((r) => !match || match.test(r.figure));
  const unchanged = all.filter((r) => r.old === r.new);
  const rows = all
    .filter((r) => values.all === true || r.old !== r.new)
    .filter((r) => minDelta === undefined || r.deltaPercent === undefined || Math.abs(r.deltaPercent) >= minDelta);
  process.stdout.write(`old: ${oldFile}\nnew: ${newFile}\n\n`);
  process.stdout.write(markdownTable(['figure', 'old', 'new', 'delta'], rows.map((r) => [r.figure, formatFigure(r.old), formatFigure(r.new), formatDelta(r.deltaPercent)]), ['l', 'r', 'r', 'r']));
  if (values.all !== true && unchanged.length > 0) process.stdout.write(`\n${unchanged.length} figures equal in both (--all lists them)\n`);
  return Promise.resolve(0);
}

export const scenario: Scenario = { name: 'compare', help: HELP, run };
