// The small, flat types every stage shares. Objects from the apiserver are decoded once, turned
// into a Snapshot by a compiled extractor, and dropped: nothing downstream holds a raw object.

/** OpenTelemetry instrument a family is exported as. Both become Prometheus gauges. */
export type InstrumentKind = 'gauge' | 'updowncounter';

/**
 * One metric family (one OpenTelemetry instrument). Native and generic families are all made when
 * a config is compiled. A kube-state-metrics resource also makes one when an object first gives a
 * metric a new label-key set (kube-state-metrics leaves out labels whose path is missing and
 * copies `*` maps, so the sets depend on the data): at most 256 per metric, appended to
 * CompiledResource.families (src/ksm/compile.ts LabelSetFamilies). A family, once made, never
 * changes.
 */
export interface MetricFamily {
  /** OpenTelemetry instrument name as configured, e.g. `database_instance_phase` or `k8s.object.health`. */
  readonly name: string;
  /** Prometheus name after OpenTelemetry→Prometheus translation (dots → `_`, unit suffix). */
  readonly prometheusName: string;
  readonly description: string;
  /** UCUM unit, e.g. `s`, `By`, `{object}`; empty when none. */
  readonly unit: string;
  readonly instrument: InstrumentKind;
  /** Attribute keys in the order every sample of this family carries them. */
  readonly attributeKeys: readonly string[];
  /** Series of this family allowed across all objects; excess is dropped and counted. */
  readonly cardinalityLimit: number;
  /**
   * The attributes do not identify the object (no uid, nor name and namespace), so two objects
   * can produce the same series. Exporters then serve each series once (the first object's).
   */
  readonly seriesMayRepeat?: boolean;
}

/** One data point an object contributes to a family. */
export interface Sample {
  /** Index into CompiledResource.families. */
  readonly family: number;
  /** Values for the family's attributeKeys, same order and length. Already redacted. */
  readonly attributeValues: readonly string[];
  readonly value: number;
}

export type ConditionStatus = string; // 'True' | 'False' | 'Unknown', or whatever the operator writes

export interface ConditionSnapshot {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason?: string;
  /** Redacted and length-capped. */
  readonly message?: string;
  /** lastTransitionTime as epoch milliseconds, when the object records it. */
  readonly since?: number;
}

/**
 * Health of an object (README "Health"): current (healthy), in_progress, degraded (unhealthy but
 * recoverable), failed (terminal), suspended (paused on purpose), terminating, unknown.
 */
export type Health = 'current' | 'in_progress' | 'degraded' | 'failed' | 'suspended' | 'terminating' | 'unknown';

/** Which rule decided an object's health, and the object's own words for why (e.g. a condition reason). */
export interface HealthWhy {
  /** e.g. `cert-manager.io/Certificate rule 2: Ready=False` or `generic: Ready=False`; shared, never per object. */
  readonly rule: string;
  /** Redacted and capped text from the object (a condition reason, a phase), when the rule names one. */
  readonly detail?: string;
}

/** A problem with one field of one object: counted per resource and path, never thrown. */
export interface ExtractionError {
  readonly path: string;
  readonly reason: string;
}

/** What crotel keeps of an object: identity, lifecycle facts, and the samples it contributes. */
export interface Snapshot {
  readonly uid: string;
  readonly namespace: string; // '' for cluster-scoped objects
  readonly name: string;
  readonly resourceVersion: string;
  readonly generation?: number;
  readonly observedGeneration?: number;
  readonly phase?: string;
  readonly conditions: readonly ConditionSnapshot[];
  /** creationTimestamp / deletionTimestamp as epoch ms. */
  readonly createdAt?: number;
  readonly deletingSince?: number;
  readonly health: Health;
  /** The rule behind `health` (for --explain and the episode's root span). */
  readonly healthWhy?: HealthWhy;
  /** When crotel saw the current phase begin (epoch ms; phases carry no timestamp). Set by the store. */
  readonly phaseSince?: number;
  readonly samples: readonly Sample[];
  readonly errors: readonly ExtractionError[];
  /**
   * The uid, name or namespace was changed by redaction, the length cap or Unicode repair, so
   * this object's series may equal another's: exporters then serve each series once.
   */
  readonly identityAltered?: true;
}

/** Identifies a watched resource type. */
export interface ResourceRef {
  readonly group: string; // '' for the core group
  readonly version: string;
  readonly kind: string;
}

/** A config resource entry compiled once into families and a pure extractor. */
export interface CompiledResource {
  readonly ref: ResourceRef;
  /** `group/version/kind`, used as a label in self-metrics and logs. */
  readonly id: string;
  readonly namespaces: readonly string[]; // empty = all namespaces
  readonly labelSelector?: string;
  /**
   * Append-only: an index, once in a Sample, always names the same family; a kube-state-metrics
   * resource may append during `extract` (see MetricFamily), so read the list where it is used
   * rather than keeping a copy of it.
   */
  readonly families: readonly MetricFamily[];
  /** Pure: never throws for any JSON input that is an object; bad fields become errors. */
  extract(object: unknown): Snapshot | { readonly invalid: string };
}
