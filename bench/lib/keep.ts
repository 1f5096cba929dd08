// `--keep DIR`: copies a run's replay inputs (listed objects, recorded watch stream) somewhere
// that outlives the run's temp dir, for profiling the replay alone afterwards.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';

export function keepInputs(dir: string | undefined, files: readonly string[], log: (message: string) => void): void {
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  for (const file of files) if (existsSync(file)) copyFileSync(file, join(dir, basename(file)));
  log(`kept ${files.join(' and ')} in ${dir}`);
}
