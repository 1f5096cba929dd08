// The generic convention families every Kubernetes-style resource gets without metric config,
// named after OpenTelemetry's k8s.pod.status.phase / k8s.node.condition.status pattern: one
// series per state with the state as an attribute, so sums and ratios work across objects.
// They carry only identity attributes (no common labels) so every resource's families share one
// definition and the metrics stage can merge them by name.

import type { MetricFamily, Sample } from '../model.ts';
import { prometheusMetricName } from '../config/index.ts';
import type { Emitter, ExtractContext } from './context.ts';
import { HEALTH_VALUES } from './health.ts';
import { labelText } from './labels.ts';
import type { Redactor } from './redact.ts';

export const IDENTITY_KEYS = ['k8s.namespace.name', 'k8s.object.name', 'k8s.object.kind', 'k8s.object.group'] as const;
const STANDARD_STATUSES = ['True', 'False', 'Unknown'] as const;

export function genericFamilies(cardinalityLimit: number): MetricFamily[] {
  const family = (name: string, instrument: MetricFamily['instrument'], unit: string, description: string, extra: string[]): MetricFamily => ({
    name,
    prometheusName: prometheusMetricName(name, unit),
    description,
    unit,
    instrument,
    attributeKeys: [...IDENTITY_KEYS, ...extra],
    cardinalityLimit,
  });
  return [
    family('k8s.object.condition.status', 'updowncounter', '{object}', 'Status of each condition of the object: 1 for its current status, 0 for the other standard statuses.', ['k8s.object.condition.type', 'k8s.object.condition.status']),
    family('k8s.object.phase', 'updowncounter', '{object}', 'Current status.phase of the object (value 1).', ['k8s.object.phase']),
    family('k8s.object.generation.lag', 'gauge', '{generation}', 'metadata.generation minus status.observedGeneration: spec changes the controller has not yet observed.', []),
    family('k8s.object.health', 'updowncounter', '{object}', `Health of the object: 1 for the current one of ${HEALTH_VALUES.join(', ')}.`, ['k8s.object.health']),
  ];
}

/** Emitter for the four generic families, which sit at `first` .. `first + 3`. */
export function genericEmitter(first: number, kind: string, group: string, redactor: Redactor): Emitter {
  const [conditionFamily, phaseFamily, lagFamily, healthFamily] = [first, first + 1, first + 2, first + 3];
  return (ctx: ExtractContext): void => {
    const { facts, samples } = ctx;
    const identity = [facts.namespaceText, facts.nameText, kind, group];
    const push = (family: number, extra: readonly string[], value: number): void => {
      samples.push({ family, attributeValues: extra.length === 0 ? identity : identity.concat(extra), value } satisfies Sample);
    };
    for (const c of facts.conditions) {
      const type = labelText(c.type, redactor);
      const actual = labelText(c.status, redactor);
      for (const s of STANDARD_STATUSES) push(conditionFamily, [type, s], s === actual ? 1 : 0);
      if (!(STANDARD_STATUSES as readonly string[]).includes(actual)) push(conditionFamily, [type, actual], 1);
    }
    if (facts.phaseText !== undefined) push(phaseFamily, [facts.phaseText], 1);
    const { generation, observedGeneration } = facts;
    if (generation !== undefined && observedGeneration !== undefined && observedGeneration >= 0) {
      push(lagFamily, [], generation - observedGeneration);
    }
    const health = ctx.health;
    for (const h of HEALTH_VALUES) push(healthFamily, [h], h === health ? 1 : 0);
  };
}
