// Runs the real kube-state-metrics v2.20 (built from Go modules) against a control plane, for the
// conformance test and the side-by-side benchmark.
import { binaryPath } from './binaries.ts';
import type { ControlPlane } from './control-plane.ts';
import { freePort, makeTempDir, removeTempDir, startProcess, waitFor } from './processes.ts';

export interface KsmProcess {
  readonly url: string;
  readonly pid: number;
  readonly logFile: string;
  scrape(): Promise<string>;
  stop(): Promise<void>;
}

export async function startKsm(cp: ControlPlane, configFile: string, extraArgs: string[] = []): Promise<KsmProcess> {
  const dir = makeTempDir('crotel-ksm-');
  const [port, telemetryPort] = [await freePort(), await freePort()];
  const proc = startProcess('kube-state-metrics', binaryPath('kube-state-metrics'), [
    '--custom-resource-state-only=true',
    `--custom-resource-state-config-file=${configFile}`,
    `--kubeconfig=${cp.kubeconfigPath}`,
    '--host=127.0.0.1', `--port=${port}`,
    '--telemetry-host=127.0.0.1', `--telemetry-port=${telemetryPort}`,
    ...extraArgs,
  ], dir);
  const url = `http://127.0.0.1:${port}`;
  await waitFor('kube-state-metrics /metrics', async () => {
    if (proc.child.exitCode !== null) throw new Error(`kube-state-metrics exited ${proc.child.exitCode}, see ${proc.logFile}`);
    return (await fetch(`${url}/metrics`).catch(() => undefined))?.ok === true;
  }, 30_000);
  return {
    url,
    pid: proc.child.pid ?? -1,
    logFile: proc.logFile,
    scrape: async () => {
      const res = await fetch(`${url}/metrics`);
      if (!res.ok) throw new Error(`kube-state-metrics /metrics answered ${res.status}`);
      return res.text();
    },
    async stop() {
      await proc.stop(5000);
      removeTempDir(dir);
    },
  };
}
