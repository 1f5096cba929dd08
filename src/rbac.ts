// `crotel rbac`: the least-privilege RBAC for exactly what a config watches — get/list/watch on
// its resources (cluster-wide, or Roles in the namespaces it names), on core events when traces
// turn Events into span events, and get/create/update on its Lease when leader election is on.
// Nothing else: discovery (/apis/<group>/<version>) is open to every authenticated identity
// through the default system:discovery role, so CRDs need no read access — except to resolve
// kube-state-metrics wildcard kinds, which lists them.
import type { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { Config } from './config/index.ts';
import { discoverResource } from './kube/discovery.ts';
import type { ResourceRef } from './model.ts';

export interface RbacOptions {
  readonly serviceAccount: string;
  readonly namespace: string;
  readonly leaderElection?: { readonly namespace: string; readonly name: string };
  /** Resolve plurals by discovery; without it, Kubernetes' usual English plural of the kind. */
  readonly kubeConfig?: KubeConfig;
  /** Kinds from a kube-state-metrics config (cluster-wide). */
  readonly extraResources?: readonly ResourceRef[];
  /** kube-state-metrics wildcard kinds are resolved by listing CRDs: get/list/watch on them. */
  readonly crdAccess?: boolean;
}

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

const READ = ['get', 'list', 'watch'];

/** The plural a CRD almost always declares: lower-case kind, English plural. */
export function guessPlural(kind: string): string {
  const k = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

async function pluralOf(ref: ResourceRef, kc: KubeConfig | undefined): Promise<string> {
  return kc ? (await discoverResource(kc, ref)).plural : guessPlural(ref.kind);
}

function addRule(rules: Rule[], group: string, resource: string, verbs = READ): void {
  const existing = rules.find((r) => r.apiGroups[0] === group && r.verbs.join() === verbs.join() && !r.resourceNames);
  if (existing) {
    if (!existing.resources.includes(resource)) existing.resources.push(resource);
  } else {
    rules.push({ apiGroups: [group], resources: [resource], verbs: [...verbs] });
  }
}

export async function rbacFor(config: Config, options: RbacOptions): Promise<Record<string, unknown>[]> {
  const name = options.serviceAccount;
  const events = config.traces.enabled !== false && config.traces.events;
  const clusterRules: Rule[] = [];
  const namespaceRules = new Map<string, Rule[]>();
  const resources = [
    ...config.resources,
    ...(options.extraResources ?? []).map((ref) => ({ ...ref, namespaces: [] as readonly string[] })),
  ];
  if (options.crdAccess) addRule(clusterRules, 'apiextensions.k8s.io', 'customresourcedefinitions');
  for (const resource of resources) {
    const plural = await pluralOf(resource, options.kubeConfig);
    const scopes = resource.namespaces.length > 0 ? resource.namespaces : [undefined];
    for (const ns of scopes) {
      const rules = ns === undefined ? clusterRules : namespaceRules.get(ns) ?? namespaceRules.set(ns, []).get(ns)!;
      addRule(rules, resource.group, plural);
      if (events) addRule(rules, '', 'events');
    }
  }
  const subject = { kind: 'ServiceAccount', name: options.serviceAccount, namespace: options.namespace };
  const out: Record<string, unknown>[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: options.serviceAccount, namespace: options.namespace } },
  ];
  if (clusterRules.length > 0) {
    out.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: clusterRules });
    out.push({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: [subject],
    });
  }
  if (options.leaderElection) {
    const ns = options.leaderElection.namespace;
    const rules = namespaceRules.get(ns) ?? namespaceRules.set(ns, []).get(ns)!;
    // create cannot be limited by name (the object does not exist yet); get/update can.
    rules.push({ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] });
    rules.push({ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'], resourceNames: [options.leaderElection.name] });
  }
  for (const [ns, rules] of namespaceRules) {
    out.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: ns }, rules });
    out.push({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects: [subject],
    });
  }
  return out;
}

export function toYaml(objects: readonly Record<string, unknown>[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}
