// The resource every signal carries: who is speaking, down to the replica. Without
// service.instance.id two replicas push identical resources, and Prometheus (which maps
// service.name → job and service.instance.id → instance) merges their series into one.
//
// Precedence, lowest first: telemetry.sdk.*, host.* and process.*; crotel's service name and
// version; the pod identity from the Downward API (K8S_POD_NAME, K8S_POD_UID, K8S_NAMESPACE_NAME,
// K8S_NODE_NAME, set by the shipped manifests); OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME win.
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { defaultResource, detectResources, envDetector, hostDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { Attributes } from '@opentelemetry/api';
import { envString } from './env.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** One id per process, so a restart is a new instance, as the semantic conventions ask. */
const PROCESS_INSTANCE_ID = randomUUID();

const POD_VARIABLES = [
  ['K8S_POD_NAME', 'k8s.pod.name'],
  ['K8S_POD_UID', 'k8s.pod.uid'],
  ['K8S_NAMESPACE_NAME', 'k8s.namespace.name'],
  ['K8S_NODE_NAME', 'k8s.node.name'],
] as const;

/** The pod's identity from the Downward API variables; empty outside Kubernetes. */
export function podAttributes(env: Env): Attributes {
  const out: Attributes = {};
  for (const [variable, key] of POD_VARIABLES) {
    const value = envString(env, variable);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * process.* without command_args/executable path: the command line may carry file paths and
 * server addresses a user did not mean to publish with every series.
 */
function processAttributes(): Attributes {
  const out: Attributes = {
    'process.pid': process.pid,
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
    'process.runtime.description': 'Node.js',
    'process.executable.name': process.title,
  };
  try {
    out['process.owner'] = userInfo().username;
  } catch {
    // no passwd entry for the uid (common in containers): leave it out
  }
  return out;
}

export function replicaResource(version: string, env: Env = process.env): Resource {
  const pod = podAttributes(env);
  const base = defaultResource() // telemetry.sdk.name/language/version
    .merge(resourceFromAttributes(processAttributes()))
    // host.name, host.arch; host.id (machine id) is read asynchronously, awaited before each export.
    .merge(detectResources({ detectors: [hostDetector] }))
    .merge(resourceFromAttributes({
      'service.name': 'crotel',
      'service.version': version,
      // The pod uid is unique per replica and stable across the container's restarts in it.
      'service.instance.id': typeof pod['k8s.pod.uid'] === 'string' ? pod['k8s.pod.uid'] : PROCESS_INSTANCE_ID,
      ...pod,
    }));
  // envDetector reads process.env; tests and embedders pass their own environment.
  return base.merge(env === process.env ? detectResources({ detectors: [envDetector] }) : resourceFromAttributes(attributesFromEnv(env)));
}

/** OTEL_RESOURCE_ATTRIBUTES (k=v,k=v; values percent-decoded) and OTEL_SERVICE_NAME, for a given environment. */
export function attributesFromEnv(env: Env): Attributes {
  const out: Attributes = {};
  for (const pair of envString(env, 'OTEL_RESOURCE_ATTRIBUTES')?.split(',') ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    try {
      out[decodeURIComponent(pair.slice(0, eq).trim())] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      // a malformed percent-escape: the SDK drops such an entry too
    }
  }
  const service = envString(env, 'OTEL_SERVICE_NAME');
  if (service !== undefined) out['service.name'] = service;
  return out;
}
