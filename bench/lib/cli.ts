// What every benchmark scenario shares: its shape (bench/main.ts runs one), flags, progress lines,
// steps that fail without ending the run, the control plane, and the end — print the summary, keep
// the figures as JSON when asked, exit 1 when a step failed and 2 on a usage or setup error (with
// the help text).
import { writeFileSync } from 'node:fs';
import { startControlPlane, type ControlPlane } from '../../harness/control-plane.ts';
import { applyCrds } from '../../harness/kube.ts';

/** One runnable benchmark: `npm run bench -- <name> [flags]`. */
export interface Scenario {
  readonly name: string;
  /** Usage and flags, printed by `--help` and after a usage error. */
  readonly help: string;
  /** Runs it with its own flags; resolves to the exit code (0 ok, 1 a step failed). */
  run(argv: string[]): Promise<number>;
}

/** The command that reproduces a run, as kept in its results. */
export function commandLine(scenario: string, argv: readonly string[]): string {
  return `npm run bench -- ${scenario}${argv.length > 0 ? ` ${argv.join(' ')}` : ''}`;
}

export function finish(results: { readonly errors: readonly string[] }, summaryMarkdown: string, jsonFile: string | undefined): number {
  process.stdout.write(`\n${summaryMarkdown}`);
  if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
  return results.errors.length > 0 ? 1 : 0;
}

/** A numeric flag's value: positive (or ≥ 0 with allowZero), else an error naming the flag. */
export function numberFlag(name: string, text: string | undefined, allowZero = false): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) throw new Error(`--${name} ${String(text)}: expected a ${allowZero ? 'non-negative' : 'positive'} number`);
  return n;
}

/** A progress logger whose lines carry the benchmark's name and the time of day. */
export function progressLog(name: string): (message: string) => void {
  return (message) => process.stdout.write(`[${name} ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Runs one step of a benchmark: a failure is logged and kept in `errors`, and the run goes on. */
export function stepRunner(errors: string[], log: (message: string) => void): <T>(name: string, run: () => Promise<T>) => Promise<T | undefined> {
  return async (name, run) => {
    try {
      return await run();
    } catch (error) {
      const message = `${name}: ${error instanceof Error ? error.message : String(error)}`;
      errors.push(message);
      log(`FAILED ${message}`);
      return undefined;
    }
  };
}

/** A fresh control plane with the given CRDs applied, and the apiserver's version. */
export async function startBenchControlPlane(crd: string, log: (message: string) => void, dir: string): Promise<{ cp: ControlPlane; apiserverVersion: string }> {
  log(`starting the control plane (etcd + kube-apiserver) in ${dir}`);
  const cp = await startControlPlane();
  const version = await cp.raw('GET', '/version');
  await applyCrds(cp, crd);
  return { cp, apiserverVersion: (JSON.parse(version.body) as { gitVersion?: string }).gitVersion ?? '?' };
}
