// src/extract owns turning one decoded object into a Snapshot: compiling a resource's config
// into families and emitters, path resolution, value parsing, redaction, conditions and health.
// Pure functions only: no I/O, no clock, no cluster, no YAML or zod on the per-object path;
// it does not keep objects, diff snapshots or export anything (that is src/state, src/metrics).

export { compileConfig, compileResource, dedupeErrors, guarded, resourceId, withDistinctIds, type CompileOptions } from './compile.ts';
export { parseValue, MAX_VALUE_STRING, type ValueResult } from './values.ts';
export { parseQuantity } from './quantity.ts';
export { parseDuration } from './duration.ts';
export { parseTimestamp, isGoZeroTime, type Timestamp } from './time.ts';
export { redact, createRedactor, truncate, exportText, REDACTED, type Redactor } from './redact.ts';
export { resolvePath, scalarString, isPlainObject } from './resolve.ts';
export { labelValue, MAX_LABEL_VALUE } from './labels.ts';
export { readConditions, MAX_CONDITION_TEXT, MAX_CONDITIONS } from './conditions.ts';
export { healthOf, HEALTH_RULES, HEALTH_VALUES, type HealthFacts, type HealthRule } from './health.ts';
export { objectHealth } from './facts.ts';
export { genericFamilies, IDENTITY_KEYS } from './generic.ts';
