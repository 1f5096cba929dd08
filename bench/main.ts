// The end every benchmark entry point shares: print the summary, keep the figures as JSON when
// asked, exit 1 when a step failed and 2 on a usage or setup error (with the help text).
import { writeFileSync } from 'node:fs';

export function finish(results: { readonly errors: readonly string[] }, summaryMarkdown: string, jsonFile: string | undefined): number {
  process.stdout.write(`\n${summaryMarkdown}`);
  if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
  return results.errors.length > 0 ? 1 : 0;
}

export function runMain(name: string, help: string, main: () => Promise<number>): void {
  main().then((code) => {
    process.exitCode = code;
  }, (error: unknown) => {
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n\n${help}`);
    process.exitCode = 2;
  });
}
