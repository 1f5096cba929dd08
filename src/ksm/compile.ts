// A kube-state-metrics resource entry → crotel CompiledResource, so KSM configs run on the same
// store, /metrics and OTLP pipeline as native ones. Per metric, everything that depends only on
// config (merged labels, compiled paths, names) is fixed here; `extract` walks paths and pushes
// samples with kube-state-metrics' semantics (see the comments on each type below).
//
// kube-state-metrics' label sets depend on the objects: a label whose path is missing is left
// out, and `*` labels copy whole maps. crotel families have fixed attribute keys, so each
// distinct sorted key set of a metric is one family (all sharing the metric's name, HELP and
// budget; see LabelSetFamilies); the exposition groups them under one name, and label order is
// sorted as kube-state-metrics does.

import type { CompiledResource, ExtractionError, MetricFamily, ResourceRef, Sample, Snapshot } from '../model.ts';
import { compileResource, createRedactor, dedupeErrors, guarded, isPlainObject, redact, resourceId, type Redactor } from '../extract/index.ts';
import { rejection, wellFormed, type SeriesRejection } from '../extract/guard.ts';
import { exportText } from '../extract/redact.ts';
import { DEFAULT_SERIES_PER_METRIC, exportLabelNameProblem } from '../config/index.ts';
import { metricNamePrefix, sanitizeKsmLabelName, type KsmEach, type KsmMetric, type KsmMetricType, type KsmResource } from './config.ts';
import { mustCompileKsmPath, type KsmPath } from './path.ts';
import { goString, ksmFloat } from './values.ts';

export interface KsmCompileOptions {
  /** Series allowed per metric across all objects (crotel's limits.seriesPerMetric). */
  readonly seriesPerMetric?: number;
  readonly redactor?: Redactor;
}

/** Longest label value served (after redaction); kube-state-metrics itself keeps them whole. */
export const MAX_KSM_LABEL_VALUE = 8192;

/** A kube-state-metrics label value as crotel serves it: redacted, then capped, well-formed. */
export function ksmLabelValue(v: string, redactor: Redactor = redact): string {
  return v === '' ? v : wellFormed(exportText(v, redactor, MAX_KSM_LABEL_VALUE));
}

/** Distinct label-key sets per metric beyond which samples are dropped and reported. */
export const MAX_LABEL_SETS_PER_METRIC = 256;

const CR = 'customresource';

interface CompiledLabels {
  /** `*`-keys, sorted: copy a map's entries, keys prefixed by what precedes a trailing `*`. */
  readonly stars: readonly { readonly prefix: string; readonly path: KsmPath }[];
  readonly plain: readonly { readonly name: string; readonly path: KsmPath }[];
}

type Labels = Map<string, string>;
interface EachValue {
  readonly labels: Labels;
  readonly value: number;
}
type Values = (v: unknown, errors: ExtractionError[]) => EachValue[];

export { sanitizeKsmLabelName as sanitizeLabelName };

function compileLabels(paths: ReadonlyMap<string, readonly string[]>): CompiledLabels {
  const stars: { key: string; prefix: string; path: KsmPath }[] = [];
  const plain: { name: string; path: KsmPath }[] = [];
  for (const [key, segments] of paths) {
    const path = mustCompileKsmPath(segments);
    if (key.startsWith('*') || key.endsWith('*')) stars.push({ key, prefix: key.endsWith('*') ? key.slice(0, -1) : '', path });
    else plain.push({ name: sanitizeKsmLabelName(key), path });
  }
  stars.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { stars, plain };
}

// Set in a label map (under a key no sanitized name can equal) when a `*` map gave a label name
// that cannot be exported: the series is dropped and counted with this reason.
const REJECTED = '\u0000rejected';

/** addPathLabels: star maps first (so named labels override them), then named paths; nil skipped. */
function addPathLabels(obj: unknown, labels: CompiledLabels, out: Labels): void {
  let fromStars: Set<string> | undefined;
  for (const s of labels.stars) {
    const m = s.path.get(obj);
    if (!isPlainObject(m)) continue;
    for (const k of Object.keys(m)) {
      const name = sanitizeKsmLabelName(s.prefix + k);
      // `1password.com/item`, '' or `__x` give no valid name; `a.b` and `a/b` give the same one.
      if (exportLabelNameProblem(name) !== undefined) {
        out.set(REJECTED, 'invalid_label_name');
        continue;
      }
      fromStars ??= new Set();
      if (fromStars.has(name)) out.set(REJECTED, 'duplicate_label_name');
      fromStars.add(name);
      out.set(name, goString(m[k]));
    }
  }
  for (const p of labels.plain) {
    const v = p.path.get(obj);
    if (v === undefined || v === null) continue;
    out.set(p.name, goString(v));
  }
}

function isNil(v: unknown): boolean {
  return v === undefined || v === null;
}

function gaugeValues(each: KsmEach, own: CompiledLabels, at: string): Values {
  const valueFrom = mustCompileKsmPath(each.valueFrom);
  const { nilIsZero, labelFromKey } = each;
  // kube-state-metrics matches a one-segment valueFrom against the keys of a map directly.
  const only = each.valueFrom.length === 1 && each.valueFrom[0] !== '' && !each.valueFrom[0]!.includes(',') ? each.valueFrom[0] : undefined;
  const valueOf = (it: unknown, errors: ExtractionError[]): EachValue | undefined => {
    const got = valueFrom.get(it);
    if (isNil(got)) return nilIsZero ? { labels: new Map(), value: 0 } : undefined; // missing: no series, not an error
    const r = ksmFloat(got, nilIsZero);
    if (!r.ok) {
      errors.push({ path: at, reason: r.reason });
      return undefined;
    }
    return { labels: new Map(), value: r.value };
  };
  return (v, errors) => {
    const out: EachValue[] = [];
    if (isPlainObject(v)) {
      for (const key of Object.keys(v)) {
        const it = v[key];
        let ev: EachValue | undefined;
        if (only !== undefined && key === only) {
          const r = ksmFloat(it, nilIsZero);
          if (!r.ok) {
            errors.push({ path: at, reason: r.reason });
            continue;
          }
          ev = { labels: new Map(), value: r.value };
        } else {
          ev = valueOf(it, errors);
          if (!ev) continue;
        }
        if (key !== '' && labelFromKey !== '') ev.labels.set(labelFromKey, key);
        addPathLabels(it, own, ev.labels);
        // Paths are also read from the map itself, and win over the element's.
        addPathLabels(v, own, ev.labels);
        out.push(ev);
      }
    } else if (Array.isArray(v)) {
      for (const it of v) {
        const ev = valueOf(it, errors);
        if (!ev) continue;
        addPathLabels(it, own, ev.labels);
        out.push(ev);
      }
    } else {
      const ev = valueOf(v, errors);
      if (ev) {
        addPathLabels(v, own, ev.labels);
        out.push(ev);
      }
    }
    return out;
  };
}

function infoValues(each: KsmEach, own: CompiledLabels): Values {
  const { labelFromKey } = each;
  const one = (x: unknown, out: EachValue[]): void => {
    if (isNil(x)) return;
    const labels: Labels = new Map();
    addPathLabels(x, own, labels);
    if (labels.size > 0) out.push({ labels, value: 1 });
  };
  return (v) => {
    const out: EachValue[] = [];
    if (Array.isArray(v)) {
      for (const x of v) one(x, out);
    } else if (isPlainObject(v)) {
      // One series per entry (key label, labels read from the entry), then one for the map itself.
      for (const key of Object.keys(v)) {
        const labels: Labels = new Map();
        if (key !== '' && labelFromKey !== '') labels.set(labelFromKey, key);
        addPathLabels(v[key], own, labels);
        if (labels.size > 0) out.push({ labels, value: 1 });
      }
      one(v, out);
    } else {
      one(v, out);
    }
    return out;
  };
}

function stateSetValues(each: KsmEach, own: CompiledLabels, at: string): Values {
  const valueFrom = mustCompileKsmPath(each.valueFrom);
  const one = (x: unknown, out: EachValue[], errors: ExtractionError[]): void => {
    const current = valueFrom.get(x);
    if (isNil(current)) return; // not populated yet: no series, no error
    if (typeof current !== 'string') {
      errors.push({ path: at, reason: `expected a string state, got ${Array.isArray(current) ? 'a list' : typeof current === 'object' ? 'an object' : typeof current}` });
      return;
    }
    for (const entry of each.list) {
      const labels: Labels = new Map([[each.labelName, entry]]);
      addPathLabels(x, own, labels);
      out.push({ labels, value: entry === current ? 1 : 0 });
    }
  };
  return (v, errors) => {
    const out: EachValue[] = [];
    if (Array.isArray(v)) for (const x of v) one(x, out, errors);
    else one(v, out, errors);
    return out;
  };
}

/** How each metric type reads the value at its path into labelled values. */
const VALUES: { readonly [T in KsmMetricType]: (each: KsmEach, own: CompiledLabels, at: string) => Values } = {
  gauge: gaugeValues,
  stateset: stateSetValues,
  info: infoValues,
};

interface CompiledMetric {
  readonly name: string;
  readonly help: string;
  readonly common: ReadonlyMap<string, string>;
  readonly familyLabels: CompiledLabels;
  readonly path: KsmPath;
  readonly values: Values;
  /** Its families, one per label-key set. */
  readonly labelSets: LabelSetFamilies;
}

/**
 * The families of one kube-state-metrics metric, one per sorted label-key set. The key sets
 * depend on the objects (missing paths drop labels, `*` maps copy keys; 2^n subsets of n
 * optional labels, and any map's keys), so they cannot all be known from the config: the set
 * every series has when each path resolves is made at compile time, and any other the first
 * time an object gives it. Families are appended to the resource's list (indexes stay valid)
 * and never removed (one without series is not exported); at most MAX_LABEL_SETS_PER_METRIC per
 * metric, beyond which the series is dropped and counted. See model.ts MetricFamily.
 */
class LabelSetFamilies {
  private readonly byKeys = new Map<string, number>();
  private readonly families: MetricFamily[];
  private readonly template: Omit<MetricFamily, 'attributeKeys'>;

  constructor(families: MetricFamily[], template: Omit<MetricFamily, 'attributeKeys'>) {
    this.families = families;
    this.template = template;
  }

  /** The family index for these sorted keys (`id`: them joined by NUL), or undefined past the cap. */
  indexOf(keys: readonly string[], id = keys.join('\u0000')): number | undefined {
    let index = this.byKeys.get(id);
    if (index === undefined) {
      if (this.byKeys.size >= MAX_LABEL_SETS_PER_METRIC) return undefined;
      index = this.families.length;
      this.families.push({ ...this.template, attributeKeys: keys });
      this.byKeys.set(id, index);
    }
    return index;
  }
}

/** The full Prometheus name kube-state-metrics gives a metric: `<prefix>_<name>`, or `<name>`. */
export function ksmMetricName(resource: KsmResource, metric: KsmMetric): string {
  const prefix = metricNamePrefix(resource);
  return prefix === '' ? metric.name : `${prefix}_${metric.name}`;
}

function mergeMaps<V>(a: ReadonlyMap<string, V>, b: ReadonlyMap<string, V>): Map<string, V> {
  const out = new Map(a);
  for (const [k, v] of b) out.set(k, v);
  return out;
}

/**
 * Compiles one entry of a kube-state-metrics config for one concrete group/version/kind
 * (a wildcard entry is compiled once per kind it resolves to; see resolve.ts).
 */
export function compileKsmResource(resource: KsmResource, ref: ResourceRef, options: KsmCompileOptions = {}): CompiledResource {
  const redactor = options.redactor ?? createRedactor([]);
  const limit = options.seriesPerMetric ?? DEFAULT_SERIES_PER_METRIC;
  // Lifecycle facts (identity, conditions, health) for traces come from crotel's own extractor.
  const facts = compileResource({
    group: ref.group, version: ref.version, kind: ref.kind, namespaces: [], generic: false,
    labels: [], health: { successPhases: [], failurePhases: [] }, metrics: [],
  }, { seriesPerMetric: limit, redactor });
  // The GVK labels overwrite the resource's own commonLabels; a metric's commonLabels still win.
  const resourceCommon = mergeMaps(resource.commonLabels, new Map([
    [`${CR}_group`, ref.group], [`${CR}_version`, ref.version], [`${CR}_kind`, ref.kind],
  ]));
  const families: MetricFamily[] = [];

  const metrics: CompiledMetric[] = resource.metrics.map((metric) => {
    const each = metric.each;
    const own = compileLabels(each.labelsFromPath);
    const name = ksmMetricName(resource, metric);
    const at = `${name} ${mustCompileKsmPath([...each.path, ...each.valueFrom]).text}`;
    const values = VALUES[each.type](each, own, at);
    const familyLabels = compileLabels(mergeMaps(resource.labelsFromPath, metric.labelsFromPath));
    // An identity label only identifies when nothing per element can overwrite it (the state
    // label, labelFromKey, the element's own labels): element labels win over the object's.
    const shadowed = new Set([each.labelName, each.labelFromKey, ...own.plain.map((p) => p.name)]);
    const once = (n: string): boolean => familyLabels.plain.filter((l) => l.name === n).length === 1;
    const reads = (p: string): boolean => own.stars.length === 0 && familyLabels.plain.some((l) => l.path.text === p && !shadowed.has(l.name) && once(l.name));
    const identifiesObject = reads('[metadata,uid]') || (reads('[metadata,name]') && reads('[metadata,namespace]'));
    const compiled: CompiledMetric = {
      name,
      help: metric.help,
      common: mergeMaps(resourceCommon, metric.commonLabels),
      familyLabels,
      path: mustCompileKsmPath(each.path),
      values,
      labelSets: new LabelSetFamilies(families, {
        name, prometheusName: name, description: metric.help, unit: '', instrument: 'gauge', cardinalityLimit: limit,
        ...(identifiesObject ? {} : { seriesMayRepeat: true }),
      }),
    };
    // The label set every series has when all paths resolve: the metric's first family.
    const keys = new Set([...compiled.common.keys(), ...compiled.familyLabels.plain.map((p) => p.name), ...own.plain.map((p) => p.name)]);
    if (each.labelFromKey !== '') keys.add(each.labelFromKey);
    if (each.type === 'stateset') keys.add(each.labelName);
    compiled.labelSets.indexOf([...keys].sort());
    return compiled;
  });

  // Label values are redacted (credentials, config patterns) as everywhere in crotel, but not cut
  // to crotel's native 256 characters: kube-state-metrics keeps them whole. They are capped at
  // MAX_KSM_LABEL_VALUE after redaction (a cut value cannot leak what redaction removed), and
  // made well-formed Unicode; two series equal after that are served once (see `seen`).
  const clean = (v: string): string => ksmLabelValue(v, redactor);

  const extract = (object: unknown): Snapshot | { readonly invalid: string } => {
    const base = facts.extract(object);
    if ('invalid' in base) return base;
    const samples: Sample[] = [];
    const errors: ExtractionError[] = [];
    const seen = new Set<string>();
    for (const m of metrics) {
      const baseLabels: Labels = new Map(m.common);
      addPathLabels(object, m.familyLabels, baseLabels);
      for (const ev of m.values(m.path.get(object), errors)) {
        for (const [k, v] of baseLabels) if (!ev.labels.has(k)) ev.labels.set(k, v);
        const rejected = ev.labels.get(REJECTED) as SeriesRejection | undefined;
        if (rejected !== undefined) {
          errors.push(rejection(m.name, rejected));
          continue;
        }
        const keys = [...ev.labels.keys()].sort();
        const attributeValues = keys.map((k) => clean(ev.labels.get(k)!));
        // One object can yield the same series twice (e.g. an Info over a map); keep the first.
        const keyId = keys.join('\u0000');
        const id = `${m.name}\u0001${keyId}\u0001${attributeValues.join('\u0000')}`;
        if (seen.has(id)) continue;
        seen.add(id);
        const family = m.labelSets.indexOf(keys, keyId);
        if (family === undefined) {
          errors.push({ path: m.name, reason: `more than ${MAX_LABEL_SETS_PER_METRIC} distinct label sets; series dropped` });
          continue;
        }
        samples.push({ family, attributeValues, value: ev.value });
      }
    }
    return { ...base, samples, errors: dedupeErrors(errors) };
  };

  return {
    ref,
    id: resourceId(ref),
    namespaces: [],
    families,
    extract: guarded(extract),
  };
}

