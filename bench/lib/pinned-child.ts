// Runs a bench child (a replay) pinned to one CPU with taskset when there is one, and returns
// the JSON it prints on its last stdout line. Killed if the bench process exits first.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export const TASKSET = ['/usr/bin/taskset', '/bin/taskset'].find((p) => existsSync(p));

export async function runPinnedChild<T>(what: string, node: readonly string[], cpu: number, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const argv = TASKSET ? [TASKSET, '-c', String(cpu), ...node] : [...node];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env });
  const kill = (): void => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => resolve(c));
  });
  process.off('exit', kill);
  if (code !== 0) throw new Error(`${what} exited ${code}: ${stderr.slice(-2000)}`);
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as T;
}
