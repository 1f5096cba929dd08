// `crotel rbac`: the least-privilege RBAC for exactly what a config watches — get/list/watch on
// its resources (cluster-wide, or Roles in the namespaces it names), on core events when traces
// turn Events into span events, and get/create/update on its Lease when leader election is on.
// Nothing else: discovery (/apis/<group>/<version>) is open to every authenticated identity
// through the default system:discovery role, so CRDs need no read access — except to resolve
// kube-state-metrics wildcard kinds, which lists them, and wildcard `resources` entries, which
// watch them. A wildcard entry cannot be expressed kind by kind offline: it needs read on whole
// groups (apiGroups ["*"] for a group glob); --from-cluster lists the kinds that match now.
import type { ApiServer } from './kube/credentials.ts';
import { stringify } from 'yaml';
import type { Config } from './config/index.ts';
import { wantedKinds, type CrdKind } from './discovery/crds.ts';
import { exclusionsOf } from './discovery/kinds.ts';
import { isGlob } from './discovery/selection.ts';
import { discoverResource } from './kube/discovery.ts';
import type { ResourceRef } from './model.ts';

export interface RbacOptions {
  readonly serviceAccount: string;
  readonly namespace: string;
  readonly leaderElection?: { readonly namespace: string; readonly name: string };
  /** Resolve plurals by discovery; without it, Kubernetes' usual English plural of the kind. */
  readonly apiServer?: ApiServer;
  /** Kinds from a kube-state-metrics config (cluster-wide). */
  readonly extraResources?: readonly ResourceRef[];
  /** kube-state-metrics wildcard kinds are resolved by listing CRDs: get/list/watch on them. */
  readonly crdAccess?: boolean;
  /**
   * The cluster's CRDs (`--from-cluster`): wildcard entries become the kinds they match now,
   * listed by name. Without them, wildcard entries get read on whole groups.
   */
  readonly crds?: readonly CrdKind[];
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

async function pluralOf(ref: ResourceRef, kc: ApiServer | undefined): Promise<string> {
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
  const discovery = config.discovery;
  if (options.crdAccess || discovery) addRule(clusterRules, 'apiextensions.k8s.io', 'customresourcedefinitions');
  if (discovery) {
    for (const selection of discovery.select) {
      const scopes = selection.namespaces.length > 0 ? selection.namespaces : [undefined];
      const kinds = options.crds
        ? [...wantedKinds(options.crds, { selections: [selection], exclude: exclusionsOf(discovery), configured: new Set(config.resources.map((r) => `${r.group}/${r.kind}`)) }).values()]
        : undefined;
      for (const ns of scopes) {
        const rules = ns === undefined ? clusterRules : namespaceRules.get(ns) ?? namespaceRules.set(ns, []).get(ns)!;
        if (kinds) {
          for (const k of kinds) addRule(rules, k.group, options.crds!.find((c) => c.group === k.group && c.kind === k.kind)!.plural);
        } else {
          addRule(rules, isGlob(selection.group) ? '*' : selection.group, '*');
        }
        if (events) addRule(rules, '', 'events');
      }
    }
  }
  for (const resource of resources) {
    const plural = await pluralOf(resource, options.apiServer);
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

/** What a reader of the RBAC must know about wildcard entries (printed as comments and on stderr). */
export function rbacNotes(config: Config, fromCluster: boolean): string[] {
  if (!config.discovery) return [];
  if (fromCluster) {
    return [
      'Wildcard resources entries: the kinds listed are those the cluster\'s CRDs match now (defaults and',
      'discovery.exclude applied). Kinds installed later are not readable until this is generated again;',
      'crotel reports them as forbidden on /readyz and in crotel_reflector_errors_total.',
    ];
  }
  const groups = [...new Set(config.discovery.select.map((s) => (isGlob(s.group) ? '*' : s.group)))];
  return [
    `WARNING: wildcard resources entries grant read (get, list, watch) on WHOLE API groups: ${groups.map((g) => JSON.stringify(g)).join(', ')}.`,
    ...(groups.includes('*') ? ['apiGroups ["*"] with resources ["*"] is every resource of every group, the core group included (Secrets, ConfigMaps, …), not only custom resources.'] : []),
    'RBAC cannot express group globs or exclusions. For an explicit list of the groups and resources that',
    'match now, run: crotel rbac --from-cluster [--kubeconfig FILE] (again whenever CRDs are added).',
  ];
}

export function toYaml(objects: readonly Record<string, unknown>[], notes: readonly string[] = []): string {
  const header = notes.map((line) => `# ${line}\n`).join('');
  return header + objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}
