// The harness leaves nothing behind when the test process is interrupted or crashes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { test } from 'node:test';
import { waitFor } from '../../harness/processes.ts';

const FIXTURE = new URL('../harness/fixtures/start-control-plane.ts', import.meta.url).pathname;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function runFixture(mode: 'signal' | 'throw'): Promise<{ dir: string; pids: number[]; code: number | null }> {
  const child = spawn(process.execPath, [FIXTURE, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await waitFor('fixture to report its control plane', async () => out.includes('\n'), 60_000);
  const info = JSON.parse(out.split('\n')[0] ?? '') as { dir: string; pids: number[] };
  assert.ok(existsSync(info.dir));
  for (const pid of info.pids) assert.ok(alive(pid), `pid ${pid} should be running while the test runs`);
  if (mode === 'signal') child.kill('SIGINT');
  const [code] = (await once(child, 'exit')) as [number | null];
  return { ...info, code };
}

for (const mode of ['signal', 'throw'] as const) {
  test(`a test process that ${mode === 'signal' ? 'is interrupted' : 'crashes'} leaves no processes or temp dirs`, async () => {
    const { dir, pids, code } = await runFixture(mode);
    assert.notEqual(code, 0);
    await waitFor('etcd and kube-apiserver gone', async () => pids.every((pid) => !alive(pid)), 5_000);
    assert.equal(existsSync(dir), false, `${dir} should be removed`);
  });
}
