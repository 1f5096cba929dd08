// Which custom resource kinds a wildcard selection means: group and kind globs, the exclusion
// list (defaults: report-style, high-volume kinds that are records, not reconciled resources),
// and the version each kind is watched at. Pure: the cluster side is in kinds.ts.

/** A group and kind pattern; `*` matches any run of characters (dots included), `?` one. */
export interface KindPattern {
  readonly group: string;
  readonly kind: string;
}

/** One wildcard entry of `resources` (group glob, kind glob, optional fixed version). */
export interface KindSelection extends KindPattern {
  /** Watch only kinds serving this version, at it; undefined = each kind's preferred version. */
  readonly version?: string;
}

/**
 * Kinds not watched unless the user turns the defaults off (`discovery.defaultExclusions: false`):
 * reports and records written in bulk by scanners and policy engines (one per workload, image or
 * admission request), without conditions or a reconcile loop to watch; and per-pod bookkeeping
 * records of CNI plugins. They would dominate cost and say nothing about health.
 */
export const DEFAULT_EXCLUSIONS: readonly KindPattern[] = [
  // Policy reports (Kubernetes policy working group; written by Kyverno, Falco, kube-bench adapters…)
  { group: 'wgpolicyk8s.io', kind: '*' },
  // Kyverno's own reports and its internal work queue
  { group: 'reports.kyverno.io', kind: '*' },
  { group: 'kyverno.io', kind: '*Report' },
  { group: 'kyverno.io', kind: 'UpdateRequest' },
  // Trivy operator: VulnerabilityReport, ConfigAuditReport, ExposedSecretReport, SbomReport, …
  { group: 'aquasecurity.github.io', kind: '*Report' },
  // Kubescape's vulnerability and SBOM records
  { group: 'spdx.softwarecomposition.kubescape.io', kind: '*' },
  // metrics.k8s.io-like APIs (normally aggregated, never CRDs; excluded should a CRD imitate one)
  { group: 'metrics.k8s.io', kind: '*' },
  { group: '*.metrics.k8s.io', kind: '*' },
  // events.k8s.io-like records
  { group: 'events.k8s.io', kind: '*' },
  // Argo Workflows' per-step results
  { group: 'argoproj.io', kind: 'WorkflowTaskResult' },
  // CNI per-pod / per-block bookkeeping
  { group: 'cilium.io', kind: 'CiliumEndpoint' },
  { group: 'cilium.io', kind: 'CiliumEndpointSlice' },
  { group: 'cilium.io', kind: 'CiliumIdentity' },
  { group: 'crd.projectcalico.org', kind: 'IPAM*' },
  { group: 'crd.projectcalico.org', kind: 'BlockAffinity' },
];

const globCache = new Map<string, RegExp>();

/** Shell-style glob over the whole text: `*` any characters, `?` one; everything else literal. */
export function globMatches(pattern: string, text: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === text;
  let re = globCache.get(pattern);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`);
    globCache.set(pattern, re);
  }
  return re.test(text);
}

export function isGlob(text: string): boolean {
  return text.includes('*') || text.includes('?');
}

export function patternMatches(pattern: KindPattern, group: string, kind: string): boolean {
  return globMatches(pattern.group, group) && globMatches(pattern.kind, kind);
}

export function excludedBy(exclusions: readonly KindPattern[], group: string, kind: string): KindPattern | undefined {
  return exclusions.find((p) => patternMatches(p, group, kind));
}

/** The first selection matching the kind (and serving its fixed version, when it names one). */
export function selectionFor<S extends KindSelection>(selections: readonly S[], group: string, kind: string, served: readonly string[]): S | undefined {
  return selections.find((s) => patternMatches(s, group, kind) && (s.version === undefined || served.includes(s.version)));
}

const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/**
 * Kubernetes' version priority (as in discovery's ordering): GA before beta before alpha, higher
 * numbers first; versions not of the vN[alpha|betaN] form last, alphabetically. Negative when
 * `a` is preferred.
 */
export function compareKubeVersions(a: string, b: string): number {
  const ma = KUBE_VERSION.exec(a);
  const mb = KUBE_VERSION.exec(b);
  if (!ma || !mb) return ma ? -1 : mb ? 1 : a.localeCompare(b);
  const stability = (m: RegExpExecArray): number => (m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0);
  return stability(mb) - stability(ma) || Number(mb[1]) - Number(ma[1]) || Number(mb[3] ?? 0) - Number(ma[3] ?? 0);
}

/** The served version a kind is watched at: the one Kubernetes discovery prefers. */
export function preferredVersion(served: readonly string[]): string | undefined {
  return [...served].sort(compareKubeVersions)[0];
}

/**
 * API groups of Kubernetes itself. Offline (`render`), a wildcard selects objects by apiVersion;
 * custom resources always have a dotted group, and these dotted ones are built in.
 */
export const BUILT_IN_GROUPS: ReadonlySet<string> = new Set([
  'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'apiregistration.k8s.io', 'authentication.k8s.io',
  'authorization.k8s.io', 'certificates.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io', 'events.k8s.io',
  'flowcontrol.apiserver.k8s.io', 'internal.apiserver.k8s.io', 'networking.k8s.io', 'node.k8s.io',
  'rbac.authorization.k8s.io', 'resource.k8s.io', 'scheduling.k8s.io', 'storage.k8s.io', 'storagemigration.k8s.io',
  'metrics.k8s.io', 'custom.metrics.k8s.io', 'external.metrics.k8s.io',
]);

/** Could objects of this group be custom resources? (CRD groups must contain a dot.) */
export function isCustomGroup(group: string): boolean {
  return group.includes('.') && !BUILT_IN_GROUPS.has(group);
}
