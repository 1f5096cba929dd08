// Config → CompiledResource, once per resource: families fixed, paths parsed, regexes built.
// `extract` is then a pure function from one decoded object to its Snapshot.

import type { CompiledResource, ConditionSnapshot, ExtractionError, MetricFamily, Sample, Snapshot } from '../model.ts';
import type { Config, ResourceConfig } from '../config/index.ts';
import type { Emitter, ExtractContext } from './context.ts';
import { compileMetric, readLabels } from './families.ts';
import { readFacts } from './facts.ts';
import { genericEmitter, genericFamilies } from './generic.ts';
import { compileHealthJudge } from '../health/judge.ts';
import type { FluxHealthCheck } from '../health/schema.ts';
import { guardSamples } from './guard.ts';
import { createRedactor, type Redactor } from './redact.ts';

export interface CompileOptions {
  /** Default per-family series limit (config `limits.seriesPerMetric`). */
  readonly seriesPerMetric: number;
  /** Extra redaction regexes (config `redact`); ignored when `redactor` is given. */
  readonly redact?: readonly string[];
  /** A redactor built once and shared by several resources. */
  readonly redactor?: Redactor;
  /** Flux healthCheckExprs (config `healthCheckExprs`); each resource picks its own kind's. */
  readonly fluxChecks?: readonly FluxHealthCheck[];
}

/** `group/version/kind`, or `version/kind` for the core group (like apiVersion). */
export function resourceId(r: { group: string; version: string; kind: string }): string {
  return r.group === '' ? `${r.version}/${r.kind}` : `${r.group}/${r.version}/${r.kind}`;
}

export function compileConfig(config: Config): CompiledResource[] {
  const redactor = createRedactor(config.redact);
  const fluxChecks = config.healthChecks ?? [];
  return withDistinctIds(config.resources.map((r) => compileResource(r, { seriesPerMetric: config.limits.seriesPerMetric, redactor, fluxChecks })));
}

/**
 * Two entries may watch one kind (other namespaces, other metrics); the pipeline, the self-metrics
 * and the logs tell resources apart by id, so the second and later get `#2`, `#3`… in config order.
 */
export function withDistinctIds(resources: CompiledResource[]): CompiledResource[] {
  const seen = new Map<string, number>();
  return resources.map((r) => {
    const n = (seen.get(r.id) ?? 0) + 1;
    seen.set(r.id, n);
    return n === 1 ? r : { ...r, id: `${r.id}#${n}` };
  });
}

export function compileResource(resource: ResourceConfig, options: CompileOptions): CompiledResource {
  const redactor = options.redactor ?? createRedactor(options.redact ?? []);
  const families: MetricFamily[] = [];
  const emitters: Emitter[] = [];
  const commonKeys = resource.labels.map((l) => l.name);
  for (const m of resource.metrics) {
    const c = compileMetric(m, families.length, resource.kind, commonKeys, resource.labels.map((l) => l.path.text), options.seriesPerMetric, redactor);
    families.push(c.family);
    emitters.push(c.emit);
  }
  if (resource.generic) {
    emitters.push(genericEmitter(families.length, resource.kind, resource.group, redactor));
    families.push(...genericFamilies(options.seriesPerMetric));
  }
  const commonLabels = resource.labels;
  // Common labels are only needed by configured metrics; skip reading them otherwise.
  const needCommon = resource.metrics.length > 0;
  // The catalog is looked up here, by group and kind, so every compiled resource gets it.
  const judge = compileHealthJudge(resource, resource.health, { ...(options.fluxChecks ? { fluxChecks: options.fluxChecks } : {}), redact: redactor });

  const extract = (object: unknown): Snapshot | { readonly invalid: string } => {
    const errors: ExtractionError[] = [];
    const r = readFacts(object, redactor, errors);
    if ('invalid' in r) return r;
    const facts = r.facts;
    const samples: Sample[] = [];
    const why = judge(object as Record<string, unknown>, facts, errors);
    const h = why.state;
    const partial: Omit<ExtractContext, 'common'> = { object: object as Record<string, unknown>, facts, health: h, samples, errors };
    const common = needCommon && commonLabels.length > 0 ? readLabels({ ...partial, common: undefined }, commonLabels, redactor) : [];
    const ctx: ExtractContext = { ...partial, common };
    for (const emit of emitters) emit(ctx);
    return {
      uid: facts.uid,
      namespace: facts.namespace,
      name: facts.name,
      resourceVersion: facts.resourceVersion,
      // A negative observedGeneration means "never observed": leave it out rather than export -1.
      ...(facts.generation !== undefined ? { generation: facts.generation } : {}),
      ...(facts.observedGeneration !== undefined && facts.observedGeneration >= 0 ? { observedGeneration: facts.observedGeneration } : {}),
      ...(facts.phaseText !== undefined ? { phase: facts.phaseText } : {}),
      conditions: facts.conditions.length === 0 ? NO_CONDITIONS : facts.conditions.slice(),
      ...(facts.createdAt !== undefined ? { createdAt: facts.createdAt } : {}),
      ...(facts.deletingSince !== undefined ? { deletingSince: facts.deletingSince } : {}),
      health: h,
      healthWhy: why,
      ...(facts.identityAltered ? { identityAltered: true as const } : {}),
      // Exact-size copies: arrays grown by push keep spare capacity for as long as the Snapshot lives.
      samples: guardSamples(families, samples.slice(), errors),
      errors: dedupeErrors(errors),
    };
  };

  return {
    ref: { group: resource.group, version: resource.version, kind: resource.kind },
    id: resourceId(resource),
    namespaces: resource.namespaces,
    ...(resource.labelSelector !== undefined ? { labelSelector: resource.labelSelector } : {}),
    families,
    extract: guarded(extract),
  };
}

// Shared by every clean Snapshot, instead of one empty array each.
const NO_ERRORS: readonly ExtractionError[] = Object.freeze([]);
const NO_CONDITIONS: readonly ConditionSnapshot[] = Object.freeze([]);

/** An extractor that never throws: the last line of defence for the watch loop. */
export function guarded(extract: (object: unknown) => Snapshot | { readonly invalid: string }): CompiledResource['extract'] {
  return (object) => {
    try {
      return extract(object);
    } catch (e) {
      // A bug here must not stop other objects. The message is ours (never object data), so it is safe to surface.
      return { invalid: `extraction failed: ${(e as Error).message}` };
    }
  };
}

/** Errors kept per object; the rest are summed up in one (bounded memory and counter series). */
export const MAX_ERRORS_PER_OBJECT = 32;

/** Two metrics reading the same bad field report it once per object. */
export function dedupeErrors(errors: ExtractionError[]): readonly ExtractionError[] {
  if (errors.length === 0) return NO_ERRORS;
  if (errors.length < 2) return errors;
  const seen = new Set<string>();
  const out = errors.filter((e) => {
    const k = `${e.path}\u0000${e.reason}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (out.length <= MAX_ERRORS_PER_OBJECT) return out;
  const rest = out.length - (MAX_ERRORS_PER_OBJECT - 1);
  return [...out.slice(0, MAX_ERRORS_PER_OBJECT - 1), { path: '(object)', reason: `${rest} more field errors on this object are not listed` }];
}
