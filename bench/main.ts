// The one benchmark CLI: `npm run bench -- <scenario> [flags]` runs a scenario of bench/scenarios/,
// `--list` names them. Exit codes: 0 ok, 1 a step failed (the figures are still printed), 2 a
// usage or setup error.
import { SCENARIOS } from './scenarios/index.ts';

const USAGE = `crotel benchmarks (print figures, assert nothing)

  npm run bench -- <scenario> [flags]     (or: node bench/main.ts <scenario> [flags])
  npm run bench -- <scenario> --help      the scenario's flags
  npm run bench -- --list                 the scenarios

`;

function list(): string {
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  return SCENARIOS.map((s) => `  ${s.name.padEnd(width)}  ${s.description}\n`).join('');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--list') {
    process.stdout.write(list());
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(`${USAGE}${list()}`);
    return name === undefined ? 2 : 0;
  }
  const entry = SCENARIOS.find((s) => s.name === name);
  if (!entry) {
    process.stderr.write(`bench: no scenario "${name}"${name.startsWith('-') ? ' (the scenario comes first, e.g. `npm run bench -- metrics --objects 1000`)' : ''}\n\n${USAGE}${list()}`);
    return 2;
  }
  const scenario = await entry.load();
  try {
    return await scenario.run(rest);
  } catch (error) {
    process.stderr.write(`bench ${name}: ${error instanceof Error ? error.message : String(error)}\n\n${scenario.help}`);
    return 2;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 2;
});
