// Finds the real components the tests run. KUBEBUILDER_ASSETS wins for the control plane
// (the envtest convention: one folder with kube-apiserver, etcd, kubectl); otherwise the
// versioned binaries scripts/build-test-bins.sh caches outside the clone.
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const VERSIONS = {
  'kube-apiserver': process.env.CROTEL_KUBERNETES_VERSION ?? 'v1.36.3',
  kubectl: process.env.CROTEL_KUBERNETES_VERSION ?? 'v1.36.3',
  etcd: process.env.CROTEL_ETCD_VERSION ?? 'v3.6.16',
  'otelcol-crotel': process.env.CROTEL_OTELCOL_VERSION ?? 'v0.165.0',
  prometheus: process.env.CROTEL_PROMETHEUS_VERSION ?? 'v0.316.0',
  promtool: process.env.CROTEL_PROMETHEUS_VERSION ?? 'v0.316.0',
  jaeger: process.env.CROTEL_JAEGER_VERSION ?? 'v1.76.0',
  'kube-state-metrics': process.env.CROTEL_KSM_VERSION ?? 'v2.20.0',
  compose: process.env.CROTEL_COMPOSE_VERSION ?? 'v5.6.0',
  helm: process.env.CROTEL_HELM_VERSION ?? 'v3.22.0',
} as const;

export type Component = keyof typeof VERSIONS;

const ENVTEST_COMPONENTS: ReadonlySet<Component> = new Set(['kube-apiserver', 'etcd', 'kubectl']);

export function cacheBinDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'crotel', 'bin');
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of a component's binary, or a thrown error saying how to get it. */
export function binaryPath(component: Component): string {
  const assets = process.env.KUBEBUILDER_ASSETS;
  if (assets && ENVTEST_COMPONENTS.has(component)) {
    const path = join(assets, component);
    if (executable(path)) return path;
    throw new Error(`KUBEBUILDER_ASSETS=${assets} has no executable ${component}`);
  }
  const path = join(cacheBinDir(), `${component}-${VERSIONS[component]}`);
  if (executable(path)) return path;
  const buildName = component === 'otelcol-crotel' ? 'otelcol' : component;
  throw new Error(
    `${component} ${VERSIONS[component]} not found at ${path}: run \`scripts/build-test-bins.sh ${buildName}\`` +
      (ENVTEST_COMPONENTS.has(component) ? ' or set KUBEBUILDER_ASSETS' : ''),
  );
}
