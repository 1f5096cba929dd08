// Generic health of an object's facts, for extraction. The rules themselves live in src/health
// (generic.ts: the ordered fallback rules; rules.ts: catalog and user CEL rules per kind).

import type { Health } from '../model.ts';
import type { HealthConfig } from '../config/index.ts';
import { genericVerdict } from '../health/generic.ts';
import type { HealthFacts } from '../health/types.ts';

export type { HealthFacts } from '../health/types.ts';
export { HEALTH_VALUES } from '../health/types.ts';
export { GENERIC_RULES as HEALTH_RULES, type GenericRule as HealthRule } from '../health/generic.ts';

/** The state the generic rules give (no catalog): what an unconfigured kind gets. */
export function healthOf(facts: HealthFacts, config?: HealthConfig): Health {
  return genericVerdict(facts, config).state;
}

