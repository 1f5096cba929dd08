// The zod shapes of health rules as users and the catalog write them: one per-kind rule list
// (config `resources[].health.rules`, catalog files) and Flux's healthCheckExprs entries.

import { z } from 'zod';
import type { Health } from '../model.ts';
import { HEALTH_VALUES } from './types.ts';

const STATES = ['current', 'in_progress', 'degraded', 'failed', 'suspended', 'terminating', 'unknown'] as const satisfies readonly Health[];
const state = z.enum(STATES).describe(`One of ${HEALTH_VALUES.join(', ')}.`);

export const ruleSchema = z
  .strictObject({
    when: z.string().min(1).optional().describe('CEL boolean over the object (self, metadata, spec, status, phase, generationObserved, cond(type), condReason(type), condMessage(type)).'),
    condition: z.string().min(1).optional().describe('Shorthand: Type=Status, e.g. Ready=False; Ready=!True for anything but True.'),
    phase: z.array(z.string().min(1)).min(1).optional().describe('Shorthand: status.phase is one of these.'),
    state: state.describe('The health when this rule holds.'),
    reason: z.string().min(1).max(120).optional().describe('Short words for --explain and the episode span.'),
    detail: z.string().min(1).optional().describe('CEL string quoting the object for --explain (default: the condition reason or the phase).'),
  })
  .describe('One health rule; rules are tried in order and the first that holds decides.');

export const otherwiseSchema = z.union([state, z.literal('generic')]).describe('When no rule holds: a state, or generic (the generic rules decide).');

export const catalogEntrySchema = z.strictObject({
  group: z.string().describe("API group, or a wildcard such as '*.crossplane.io'."),
  kinds: z.array(z.string().min(1)).min(1).describe("Kinds, or ['*'] for every kind of the group."),
  rules: z.array(ruleSchema),
  otherwise: otherwiseSchema.optional(),
  docs: z.string().optional().describe('Where the operator documents these status fields.'),
});

export const catalogFileSchema = z.array(catalogEntrySchema);

/** Flux kustomize-controller `spec.healthCheckExprs` entries, read unchanged. */
export const fluxHealthCheckSchema = z.strictObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  current: z.string().min(1),
  inProgress: z.string().min(1).optional(),
  failed: z.string().min(1).optional(),
});

export type CatalogEntry = z.output<typeof catalogEntrySchema>;
export type FluxHealthCheck = z.output<typeof fluxHealthCheckSchema>;
