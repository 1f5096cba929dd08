// The validated, normalized config every other stage reads. Defaults are applied and paths
// are parsed, so nothing downstream re-checks or re-parses what the loader already did.

import type { FieldPath } from './path.ts';
import type { RuleSpec } from '../health/rules.ts';
import type { FluxHealthCheck } from '../health/schema.ts';
import type { Health } from '../model.ts';

export interface Config {
  /** Metrics server port; a CLI flag overrides it. */
  readonly port?: number;
  readonly limits: Limits;
  /** Extra regular expressions (source text) whose matches in exported strings are replaced. */
  readonly redact: readonly string[];
  /** Concrete entries (group, version, kind). */
  readonly resources: readonly ResourceConfig[];
  /** Wildcard entries of `resources` and the exclusions: kinds found in the cluster's CRDs. */
  readonly discovery?: DiscoveryConfig;
  readonly traces: TracesConfig;
  /** A kube-state-metrics CustomResourceStateMetrics file to serve as well (path as written). */
  readonly ksmConfig?: string;
  /** Flux healthCheckExprs entries (inline, or read from the file `healthCheckExprs` names). */
  readonly healthChecks?: readonly FluxHealthCheck[];
  /** The file `healthCheckExprs` named (as written); the loader reads it into healthChecks. */
  readonly healthCheckExprsFile?: string;
}

export interface Limits {
  readonly seriesPerMetric: number;
  /** Objects held across all kinds; beyond it new objects are dropped and counted. */
  readonly objects?: number;
  /** Objects held per kind (group/kind); beyond it the kind's new objects are dropped and counted. */
  readonly objectsPerKind?: number;
}

/** A group/kind pattern: `*` any characters, `?` one. */
export interface KindPatternConfig {
  readonly group: string;
  readonly kind: string;
}

/** A wildcard `resources` entry: every served custom resource kind it matches. */
export interface SelectionConfig extends KindPatternConfig {
  /** Only kinds serving this version, watched at it; absent = each kind's preferred version. */
  readonly version?: string;
  readonly namespaces: readonly string[];
  readonly labelSelector?: string;
  readonly health: HealthConfig;
}

export interface DiscoveryConfig {
  readonly select: readonly SelectionConfig[];
  /** The user's exclusions (added to the defaults unless defaultExclusions is false). */
  readonly exclude: readonly KindPatternConfig[];
  readonly defaultExclusions: boolean;
}

/** Lifecycle traces: one trace per reconcile episode of an object. */
export interface TracesConfig {
  /** 'auto': on when an OTLP traces endpoint is configured (OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT). */
  readonly enabled: boolean | 'auto';
  readonly episodeTimeoutSeconds: number;
  /** Finished spans held while the Collector is unreachable; beyond it the oldest are dropped. */
  readonly queueSize: number;
  /** Kubernetes Events about watched objects become span events. */
  readonly events: boolean;
}

export const DEFAULT_TRACES: TracesConfig = { enabled: 'auto', episodeTimeoutSeconds: 3600, queueSize: 10_000, events: true };

/** A label name and the object path its value comes from, in config order. */
export interface LabelConfig {
  readonly name: string;
  readonly path: FieldPath;
}

export interface HealthConfig {
  readonly successPhases: readonly string[];
  readonly failurePhases: readonly string[];
  /** The user's CEL rules for this kind, tried before the catalog's (README "Health rules"). */
  readonly rules?: readonly RuleSpec[];
  /** When none of `rules` holds: a state, or `generic` (continue with the catalog, then generic). */
  readonly otherwise?: Health | 'generic';
  /** false: ignore the built-in catalog for this kind. Default true. */
  readonly catalog?: boolean;
}

export interface ResourceConfig {
  readonly group: string; // '' for the core group
  readonly version: string;
  readonly kind: string;
  readonly namespaces: readonly string[]; // empty = all
  readonly labelSelector?: string;
  /** Resolved at load: true when the entry has no metrics and did not say otherwise. */
  readonly generic: boolean;
  readonly labels: readonly LabelConfig[];
  readonly health: HealthConfig;
  readonly metrics: readonly MetricConfig[];
}

export interface GaugeSource {
  readonly type: 'gauge';
  readonly path: FieldPath;
  /** When set, the value is 1 if the scalar at path (as a string) is one of these, else 0. */
  readonly matches?: readonly string[];
  readonly nilIsZero: boolean;
}

export interface ConditionsSource {
  readonly type: 'conditions';
  readonly path: FieldPath;
  readonly typeLabel: string;
  readonly statusLabel: string;
}

export interface StateSetSource {
  readonly type: 'stateSet';
  readonly path: FieldPath;
  readonly label: string;
  readonly list: readonly string[];
}

export interface InfoSource {
  readonly type: 'info';
  readonly labels: readonly LabelConfig[];
}

/** CEL over the object (the health rules' environment): a number, and string labels. */
export interface ExpressionSource {
  readonly type: 'expression';
  readonly value: string;
  readonly labels: readonly { readonly name: string; readonly expression: string }[];
}

export type MetricSource = GaugeSource | ConditionsSource | StateSetSource | InfoSource | ExpressionSource;

export interface MetricConfig {
  readonly name: string;
  readonly description?: string;
  readonly unit: string;
  readonly cardinalityLimit?: number;
  /** Extra labels, appended after the resource's common labels. */
  readonly labels: readonly LabelConfig[];
  readonly source: MetricSource;
}

// High enough for a five-state StateSet over 100,000 objects, low enough to stop a label mistake
// (a timestamp or message as a label) from taking the process down.
export const DEFAULT_SERIES_PER_METRIC = 1_000_000;
// About 175 MiB + 3 KiB per object (README "Benchmarks"): 250,000 objects stay under the 1 GiB
// limit of deploy/; one kind may take 100,000 of them.
export const DEFAULT_OBJECT_LIMIT = 250_000;
export const DEFAULT_OBJECTS_PER_KIND = 100_000;
/** The config `crotel run` uses without --config: every custom resource kind. */
export const ZERO_CONFIG_TEXT = 'resources:\n  - group: "*"\n';
