// Runs the real `crotel` CLI as a child process, as a user would, and scrapes it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { freePort, waitFor } from './processes.ts';

const BIN = new URL('../bin/crotel.js', import.meta.url).pathname;

// One exit hook for every crotel a test starts: none may outlive the test process.
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export interface CrotelProcess {
  readonly child: ChildProcess;
  readonly url: string; // http://127.0.0.1:port
  /** Everything written to stdout and stderr so far (structured JSON logs). */
  output(): string;
  scrape(): Promise<string>;
  get(path: string): Promise<{ status: number; body: string }>;
  /** SIGTERM; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface CrotelOptions {
  readonly args: string[];
  readonly env?: Record<string, string>;
  /** Wait for /readyz 200 before returning (default true). */
  readonly waitReady?: boolean;
  /** Another crotel entry point (e.g. an older revision's bin/crotel.js, for benchmarks); default this checkout's. */
  readonly bin?: string;
}

export async function startCrotel(options: CrotelOptions): Promise<CrotelProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [options.bin ?? BIN, 'run', '--host', '127.0.0.1', '--port', String(port), ...options.args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CROTEL_LOG_LEVEL: 'debug', ...options.env },
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  children.add(child);
  child.once('exit', () => children.delete(child));
  const url = `http://127.0.0.1:${port}`;
  const get = async (path: string) => {
    const res = await fetch(url + path);
    return { status: res.status, body: await res.text() };
  };
  await waitFor('crotel to listen', async () => {
    if (child.exitCode !== null) throw new Error(`crotel exited ${child.exitCode}: ${output}`);
    return (await get('/healthz')).status === 200;
  }, 20_000);
  if (options.waitReady !== false) {
    await waitFor('crotel /readyz', async () => (await get('/readyz')).status === 200, 30_000);
  }
  return {
    child,
    url,
    output: () => output,
    get,
    scrape: async () => {
      const res = await get('/metrics');
      if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
      return res.body;
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}
