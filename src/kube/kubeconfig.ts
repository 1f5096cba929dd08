// Where the cluster credentials come from, in the order users expect from kubectl:
// --kubeconfig, then $KUBECONFIG, then ~/.kube/config, then the in-cluster service account.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeConfigOptions {
  readonly kubeconfig?: string;
  /** Overrides the server URL (the reference monitor's --master). */
  readonly master?: string;
  /** The kubeconfig context to use instead of its current-context (kubectl's --context). */
  readonly context?: string;
}

export function loadKubeConfig(options: KubeConfigOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  if (options.kubeconfig) {
    if (!existsSync(options.kubeconfig)) throw new Error(`--kubeconfig ${options.kubeconfig}: no such file`);
    kc.loadFromFile(options.kubeconfig);
  } else if (process.env.KUBECONFIG || existsSync(join(homedir(), '.kube', 'config'))) {
    kc.loadFromDefault();
  } else if (process.env.KUBERNETES_SERVICE_HOST) {
    kc.loadFromCluster();
  } else {
    throw new Error('no kubeconfig: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run in a pod');
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      throw new Error(`--context ${options.context}: no such context in the kubeconfig (have: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    }
    kc.setCurrentContext(options.context);
  }
  if (options.master) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('--master given but the kubeconfig has no current cluster');
    kc.clusters = kc.clusters.map((c) => (c.name === cluster.name ? { ...c, server: options.master! } : c));
  }
  return kc;
}
