// The zod schema of crotel's YAML config: shape, defaults, descriptions (for the JSON Schema
// editors use) and cross-field rules. Its output is the normalized config every other stage
// reads: defaults applied, paths parsed, so nothing downstream re-checks what the loader did.
// The config types below are that output (z.output), read-only (fields.ts `Frozen`).

import { z } from 'zod';
import { labelMap, problem, type Frozen } from './fields.ts';
import { METRIC_KIND_NAMES, METRIC_KINDS, type MetricKindName, type MetricSource } from '../extract/kinds/index.ts';
import { API_GROUP_RE, DNS_LABEL_RE, METRIC_NAME_RE } from './names.ts';
import { redactPatternProblem } from './patterns.ts';
import { fluxHealthCheckSchema, otherwiseSchema, ruleSchema } from '../health/schema.ts';
import { checkFluxExpressions, checkRules } from '../health/config-check.ts';

// High enough for a five-state StateSet over 100,000 objects, low enough to stop a label mistake
// (a timestamp or message as a label) from taking the process down.
export const DEFAULT_SERIES_PER_METRIC = 1_000_000;
// About 175 MiB + 3 KiB per object (README "Benchmarks"): 250,000 objects stay under the 1 GiB
// limit of deploy/; one kind may take 100,000 of them.
export const DEFAULT_OBJECT_LIMIT = 250_000;
export const DEFAULT_OBJECTS_PER_KIND = 100_000;
/** The config `crotel run` uses without --config: every custom resource kind. */
export const ZERO_CONFIG_TEXT = 'resources:\n  - group: "*"\n';

// Cross-field rules (unique metric and label names) live in crosscheck.ts: they run on the raw
// input, so they are reported even when other parts of the file are invalid.

// Each kind's block (`gauge: {…}`, `stateSet: {…}` …) comes from its module in
// src/extract/kinds, in the registry's order.
const kindBlocks = Object.fromEntries(METRIC_KIND_NAMES.map((k) => [k, METRIC_KINDS[k].schema.optional()])) as {
  readonly [K in MetricKindName]: z.ZodOptional<(typeof METRIC_KINDS)[K]['schema']>;
};

const metric = z
  .strictObject({
    name: z
      .string()
      .max(255)
      .regex(METRIC_NAME_RE, { message: 'expected an instrument name matching [a-zA-Z_:][a-zA-Z0-9_:.]*' })
      .describe('OpenTelemetry instrument name; Prometheus name is derived (dots → _, unit suffix).'),
    description: z.string().optional().describe('Help text; generated when omitted.'),
    unit: z
      .string()
      .max(63)
      .regex(/^[\x21-\x7e]*$/, { message: 'expected a UCUM unit of printable ASCII without spaces, e.g. s, By, {object}' })
      .default('')
      .describe('UCUM unit, e.g. s, By, {object}.'),
    cardinalityLimit: z.int().positive().optional().describe('Series allowed across all objects; overrides limits.seriesPerMetric.'),
    labels: labelMap.default(() => []),
    ...kindBlocks,
  })
  .superRefine((m, ctx) => {
    const kinds = METRIC_KIND_NAMES.filter((k) => m[k] !== undefined);
    if (kinds.length !== 1) {
      problem(ctx, [], `exactly one of ${METRIC_KIND_NAMES.join(', ')}`, kinds.length === 0 ? 'none' : kinds.join(' and '));
    }
  })
  .transform((m) => {
    const type = METRIC_KIND_NAMES.find((k) => m[k] !== undefined)!;
    // The block of kind `type`, tagged with it: what MetricSource says (the refinement above ran).
    const source = { type, ...m[type] } as MetricSource;
    return {
      name: m.name,
      unit: m.unit,
      labels: m.labels,
      source,
      ...(m.description !== undefined ? { description: m.description } : {}),
      ...(m.cardinalityLimit !== undefined ? { cardinalityLimit: m.cardinalityLimit } : {}),
    };
  });

// Kind names, or (in a wildcard entry) globs of them.
const KIND_RE = /^[A-Za-z*?][A-Za-z0-9*?]*$/;
const CONCRETE_KIND_RE = /^[A-Za-z][A-Za-z0-9]*$/;
const hasGlob = (text: string): boolean => text.includes('*') || text.includes('?');

const health = z
  .strictObject({
    successPhases: z.array(z.string()).default(() => []).describe('status.phase values meaning healthy.'),
    failurePhases: z.array(z.string()).default(() => []).describe('status.phase values meaning failed.'),
    rules: z.array(ruleSchema).optional().describe('Your CEL health rules for this kind, tried in order before the built-in catalog.'),
    otherwise: otherwiseSchema.optional().describe('When none of rules holds: a state, or generic (then the catalog, then the generic rules). Default generic.'),
    catalog: z.boolean().optional().describe('false: ignore the built-in catalog for this kind. Default true.'),
  })
  .superRefine((h, ctx) => {
    for (const p of checkRules(h.rules ?? [])) problem(ctx, ['rules', ...p.path], p.expected, p.got, p.offset);
  });

const resource = z
  .strictObject({
    group: z.string().max(253).refine((g) => g.includes('*') || g.includes('?') || API_GROUP_RE.test(g), { message: 'expected an API group (a DNS subdomain such as db.example.com, or a glob such as *.crossplane.io), or empty for the core group' }).default('').describe("API group; '' or omitted for the core group. A glob (`*`, `*.crossplane.io`) makes the entry a wildcard: every served custom resource kind of the matching groups."),
    version: z.string().min(1).refine((v) => v === '*' || DNS_LABEL_RE.test(v), { message: 'expected an API version such as v1 or v1beta1' }).optional().describe('API version, e.g. v1. Required for a concrete kind; in a wildcard entry, only kinds serving it (default: each kind at its preferred version).'),
    kind: z.string().regex(KIND_RE, { message: 'expected a Kind such as DatabaseInstance (or a glob such as *Claim in a wildcard entry)' }).optional()
      .describe('Kind, e.g. DatabaseInstance. Omitted or a glob (`*`, `*Claim`): a wildcard entry.'),
    namespaces: z.array(z.string().regex(DNS_LABEL_RE, { message: 'expected a namespace name (a DNS label)' })).default(() => []).describe('Namespaces to watch; omitted or empty = all.'),
    labelSelector: z.string().optional().describe('Kubernetes label selector, e.g. tier=db.'),
    generic: z.boolean().optional().describe('Export the generic k8s.object.* families. Default: true when metrics is absent or empty, else false.'),
    labels: labelMap.default(() => []).describe('Common labels added to every configured metric of this resource, in order.'),
    health: health
      .default(() => ({ successPhases: [], failurePhases: [] }))
      .describe('Health of this kind: phases, your CEL rules, the catalog.'),
    metrics: z.array(metric).default(() => []),
  })
  .superRefine((r, ctx) => {
    const wildcard = hasGlob(r.group) || r.kind === undefined || hasGlob(r.kind);
    if (!wildcard) return; // a missing version is reported by crosscheck.ts, even when other fields are invalid
    if (r.version !== undefined && hasGlob(r.version) && r.version !== '*') problem(ctx, ['version'], "one version, or '*' (each kind's preferred version)", JSON.stringify(r.version));
    if (r.metrics.length > 0) problem(ctx, ['metrics'], 'no metrics in a wildcard entry (metrics need a concrete group, version and kind)', `${r.metrics.length} metric(s)`);
    if (r.labels.length > 0) problem(ctx, ['labels'], 'no labels in a wildcard entry', 'labels');
    if (r.generic === false) problem(ctx, ['generic'], 'true (a wildcard entry serves the generic families)', 'false');
  })
  .transform((r) => {
    const kind = r.kind ?? '*';
    if (hasGlob(r.group) || hasGlob(kind) || r.kind === undefined) {
      return {
        type: 'selection' as const,
        selection: {
          group: r.group,
          kind,
          ...(r.version !== undefined && r.version !== '*' ? { version: r.version } : {}),
          namespaces: r.namespaces,
          ...(r.labelSelector !== undefined ? { labelSelector: r.labelSelector } : {}),
          health: r.health,
        },
      };
    }
    return {
      type: 'concrete' as const,
      resource: {
        group: r.group,
        version: r.version ?? '',
        kind,
        namespaces: r.namespaces,
        ...(r.labelSelector !== undefined ? { labelSelector: r.labelSelector } : {}),
        generic: r.generic ?? r.metrics.length === 0,
        labels: r.labels,
        health: r.health,
        metrics: r.metrics,
      },
    };
  })
  .superRefine((entry, ctx) => {
    if (entry.type === 'concrete' && !CONCRETE_KIND_RE.test(entry.resource.kind)) problem(ctx, ['kind'], 'a Kind such as DatabaseInstance', JSON.stringify(entry.resource.kind));
  });

const kindPattern = z
  .strictObject({
    group: z.string().describe('Group glob, e.g. wgpolicyk8s.io or *.example.com.'),
    kind: z.string().min(1).default('*').describe('Kind glob, e.g. *Report; default every kind.'),
  });

const discovery = z
  .strictObject({
    defaultExclusions: z.boolean().default(true)
      .describe('Leave out the built-in list of report-style, high-volume kinds (policy and vulnerability reports, …; README "Zero config").'),
    exclude: z.array(kindPattern).default(() => []).describe('Kinds wildcard entries never watch (nor list), added to the defaults.'),
  })
  .default(() => ({ defaultExclusions: true, exclude: [] }))
  .describe('How wildcard entries of resources find kinds: from the cluster\'s CustomResourceDefinitions.');

const limits = z.strictObject({
  seriesPerMetric: z.int().positive().default(DEFAULT_SERIES_PER_METRIC).describe('Default per-family series limit across all objects.'),
  objects: z.int().positive().default(DEFAULT_OBJECT_LIMIT).describe('Objects held across all kinds; beyond it new objects are dropped and counted (crotel_objects_dropped_total).'),
  objectsPerKind: z.int().positive().default(DEFAULT_OBJECTS_PER_KIND).describe('Objects held per kind; beyond it the kind\'s new objects are dropped and counted.'),
});

const TRACES_DEFAULTS = { enabled: 'auto', episodeTimeoutSeconds: 3600, queueSize: 10_000, events: true } as const;

const traces = z.strictObject({
  enabled: z.union([z.boolean(), z.literal('auto')]).default(TRACES_DEFAULTS.enabled)
    .describe("Lifecycle traces; 'auto' = on when an OTLP traces endpoint is configured."),
  episodeTimeoutSeconds: z.int().positive().default(TRACES_DEFAULTS.episodeTimeoutSeconds)
    .describe('An episode open longer than this ends with outcome timed_out.'),
  queueSize: z.int().positive().default(TRACES_DEFAULTS.queueSize)
    .describe('Finished spans held while the Collector is unreachable; the oldest are dropped (and counted) beyond it.'),
  events: z.boolean().default(TRACES_DEFAULTS.events).describe('Kubernetes Events about watched objects become span events.'),
});

export const configSchema = z
  .strictObject({
    port: z.int().min(1).max(65535).optional().describe('Metrics server port (a CLI flag overrides it).'),
    limits: limits.default(() => ({ seriesPerMetric: DEFAULT_SERIES_PER_METRIC, objects: DEFAULT_OBJECT_LIMIT, objectsPerKind: DEFAULT_OBJECTS_PER_KIND })),
    redact: z
      .array(
        z.string().superRefine((src, ctx) => {
          const p = redactPatternProblem(src);
          if (p !== undefined) problem(ctx, [], 'a valid regular expression', p);
        }),
      )
      .default(() => [])
      .describe('Regular expressions (JavaScript syntax, run by a linear-time RE2 engine: no backreferences or lookaround) whose matches in every exported string are replaced by REDACTED.'),
    resources: z.array(resource).describe('Custom resources to watch (at least one; may be [] when ksmConfig is set): concrete kinds, or wildcard entries such as {group: "*"}.'),
    discovery,
    traces: traces.default(() => ({ ...TRACES_DEFAULTS })),
    healthCheckExprs: z
      .union([
        z.string().min(1),
        z.array(fluxHealthCheckSchema.superRefine((e, ctx) => {
          for (const p of checkFluxExpressions(e)) problem(ctx, p.path as PropertyKey[], p.expected, p.got, p.offset);
        })),
      ])
      .optional()
      .describe('Flux healthCheckExprs (apiVersion, kind, current, inProgress, failed), inline or the path of a YAML file holding them (a list, or a Kustomization with spec.healthCheckExprs); relative to this file.'),
    ksmConfig: z.string().min(1).optional()
      .describe('Path of a kube-state-metrics CustomResourceStateMetrics file (v2.20) whose metrics crotel serves too, unchanged; relative to this file.'),
  })
  .superRefine((c, ctx) => {
    if (c.ksmConfig === undefined && c.resources.length === 0) problem(ctx, ['resources'], 'at least 1 item(s)', 'a list');
  })
  .transform((c) => {
    const select = c.resources.flatMap((e) => (e.type === 'selection' ? [e.selection] : []));
    return {
      ...(c.port !== undefined ? { port: c.port } : {}),
      limits: c.limits,
      redact: c.redact,
      resources: c.resources.flatMap((e) => (e.type === 'concrete' ? [e.resource] : [])),
      ...(select.length > 0 ? { discovery: { select, exclude: c.discovery.exclude, defaultExclusions: c.discovery.defaultExclusions } } : {}),
      traces: c.traces,
      ...(c.ksmConfig !== undefined ? { ksmConfig: c.ksmConfig } : {}),
      ...(Array.isArray(c.healthCheckExprs) ? { healthChecks: c.healthCheckExprs } : {}),
      ...(typeof c.healthCheckExprs === 'string' ? { healthCheckExprsFile: c.healthCheckExprs } : {}),
    };
  })
  .describe('crotel configuration: which custom resources to watch and which metrics to export.');

/** The validated, normalized config: defaults applied, paths parsed. */
export type Config = Frozen<z.output<typeof configSchema>>;
export type Limits = Config['limits'];
/** Lifecycle traces: one trace per reconcile episode of an object. */
export type TracesConfig = Config['traces'];
export const DEFAULT_TRACES: TracesConfig = TRACES_DEFAULTS;
/** Wildcard entries of `resources` and the exclusions: kinds found in the cluster's CRDs. */
export type DiscoveryConfig = NonNullable<Config['discovery']>;
/** A group/kind pattern: `*` any characters, `?` one. */
export type KindPatternConfig = DiscoveryConfig['exclude'][number];
type ResourceEntry = Frozen<z.output<typeof resource>>;
/** A concrete `resources` entry (group, version, kind); `generic` resolved at load. */
export type ResourceConfig = Extract<ResourceEntry, { type: 'concrete' }>['resource'];
/** A wildcard `resources` entry: every served custom resource kind it matches. */
export type SelectionConfig = Extract<ResourceEntry, { type: 'selection' }>['selection'];
export type HealthConfig = ResourceConfig['health'];
export type MetricConfig = ResourceConfig['metrics'][number];
export type { MetricSource } from '../extract/kinds/index.ts';
export type { LabelConfig } from './fields.ts';

/** JSON Schema (draft 2020-12) of the config file as users write it, for editors. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
