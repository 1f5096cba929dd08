// src/health owns the health judgement: the seven states, the generic fallback rules, CEL rules
// (catalog, config, Flux healthCheckExprs) and the built-in catalog. Pure functions over an
// object's facts and the object; it does no I/O except reading its own catalog files once, and
// knows nothing of metrics, traces or the cluster.

import type { HealthConfig } from '../config/index.ts';
import type { ExtractionError } from '../model.ts';
import { readFacts } from '../extract/facts.ts';
import { redact } from '../extract/redact.ts';
import { isPlainObject } from '../extract/resolve.ts';
import { compileHealthJudge, type HealthJudge, type JudgeOptions } from './judge.ts';
import type { Verdict } from './types.ts';

export { HEALTH_VALUES, isHealth, type HealthFacts, type Verdict } from './types.ts';
export { genericVerdict, GENERIC_RULES, type GenericRule } from './generic.ts';
export { compileHealthJudge, fluxRuleSet, generationObserved, ruleSetsFor, type HealthJudge, type JudgeOptions } from './judge.ts';
export { compileRuleSet, evaluateRuleSet, ruleExpressions, type RuleSpec, type RuleSetSpec, type RuleProblem } from './rules.ts';
export { catalogLookup, loadCatalog } from './catalog.ts';
export { compileExpression, MAX_COMPREHENSION_DEPTH, MAX_VISITS } from './cel.ts';
export { explainVerdict } from './verdicts.ts';
export { ruleSchema, catalogEntrySchema, fluxHealthCheckSchema, type FluxHealthCheck, type CatalogEntry } from './schema.ts';

const NO_PHASES: HealthConfig = { successPhases: [], failurePhases: [] };

/** apiVersion → group and version (`v1` → core group). */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

const judges = new Map<string, HealthJudge>();

/**
 * The verdict for a raw object, judged as a resource of its own apiVersion/kind with the catalog
 * (tools and tests; the watch path uses the judge compiled with the resource). Undefined when
 * the object has no apiVersion/kind or no metadata.
 */
export function objectVerdict(object: unknown, health: HealthConfig = NO_PHASES, options: JudgeOptions = {}, errors: ExtractionError[] = []): Verdict | undefined {
  if (!isPlainObject(object) || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') return undefined;
  const meta = isPlainObject(object.metadata) ? object.metadata : {};
  const probe = { ...object, metadata: { uid: '-', name: '-', ...meta } };
  const r = readFacts(probe, redact, errors);
  if ('invalid' in r) return undefined;
  const ref = { ...splitApiVersion(object.apiVersion), kind: object.kind };
  const useCache = health === NO_PHASES && options.fluxChecks === undefined;
  const key = `${ref.group}/${ref.version}/${ref.kind}`;
  let judge = useCache ? judges.get(key) : undefined;
  if (!judge) {
    judge = compileHealthJudge(ref, health, options);
    if (useCache) judges.set(key, judge);
  }
  return judge(probe, r.facts, errors);
}
