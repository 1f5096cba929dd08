// Reads a kube-state-metrics v2.20 CustomResourceStateMetrics file as kube-state-metrics does
// (goyaml.v3 into its Go structs, non-strict): any scalar is accepted where a string is expected
// (its text as written, so `version: 1.10` stays "1.10"), unknown keys are ignored (reported as
// warnings), `Gauge`/`gauge` both work. What kube-state-metrics rejects — wrong shapes, unknown
// metric types, a missing type block, `[lookup]` segments without `=`, a group that is empty or
// `*` — is rejected here with the file, the path inside it and the line.

import { isSeq, type Node } from 'yaml';
import { exportLabelNameProblem, formatConfigPath, readYamlFile, reservedMetricNameProblem } from '../config/index.ts';
import { compileKsmPath } from './path.ts';
import { KsmYamlReader, describeNode, firstDocument, isNull, type Path } from './yaml-reader.ts';

export type KsmMetricType = 'gauge' | 'stateset' | 'info';

export interface KsmLabels {
  /** Keys as written (kube-state-metrics does not sanitize them). */
  readonly commonLabels: ReadonlyMap<string, string>;
  readonly labelsFromPath: ReadonlyMap<string, readonly string[]>;
}

export interface KsmEach {
  readonly type: KsmMetricType;
  readonly path: readonly string[];
  readonly labelsFromPath: ReadonlyMap<string, readonly string[]>;
  readonly valueFrom: readonly string[];
  readonly labelFromKey: string;
  readonly nilIsZero: boolean;
  readonly labelName: string;
  readonly list: readonly string[];
}

export interface KsmMetric extends KsmLabels {
  readonly name: string;
  /** Where the name is written, for problems found after parsing (name collisions). */
  readonly at?: { readonly path: string; readonly line?: number; readonly column?: number };
  readonly help: string;
  readonly each: KsmEach;
}

export interface KsmGvk {
  /** `*` or '' in version/kind means every served one (resolved against the cluster's CRDs). */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface KsmResource extends KsmLabels {
  readonly groupVersionKind: KsmGvk;
  /** undefined = the default `kube_customresource`; '' = no prefix. */
  readonly metricNamePrefix?: string;
  readonly resourcePlural: string;
  readonly metrics: readonly KsmMetric[];
}

export interface KsmConfig {
  readonly file: string;
  readonly resources: readonly KsmResource[];
  /** Keys kube-state-metrics ignores (often typos), as `path: message`. */
  readonly warnings: readonly string[];
}

export const DEFAULT_METRIC_NAME_PREFIX = 'kube_customresource';

export function metricNamePrefix(r: KsmResource): string {
  return r.metricNamePrefix ?? DEFAULT_METRIC_NAME_PREFIX;
}

export function isWildcard(gvk: KsmGvk): boolean {
  return gvk.version === '' || gvk.version === '*' || gvk.kind === '' || gvk.kind === '*';
}

export function loadKsmConfigFile(file: string): KsmConfig {
  return parseKsmConfig(readYamlFile(file, 'a readable file'), file);
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
// Group, version and kind become label values of crotel's own series: only characters Kubernetes
// names use (kube-state-metrics reads scalars as text, so `version: 1.10` stays valid).
const NAME_CHARS = /^[A-Za-z0-9._-]+$/;
const KIND_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/** kube-state-metrics' store.SanitizeLabelName (per code point, as Go's regexp matches runes). */
export function sanitizeKsmLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/gu, '_');
}

export function parseKsmConfig(text: string, file: string): KsmConfig {
  const { doc, lineCounter } = firstDocument(text, file, 'a CustomResourceStateMetrics document');
  const y = new KsmYamlReader(file, doc, lineCounter);
  const resources = readResources(y);
  y.throwProblems();
  const warnings = [...y.warnings];
  if (resources.length === 0) warnings.push(`${file}: spec.resources is empty: nothing to watch`);
  return { file, resources, warnings };
}

// The keys of each struct kube-state-metrics decodes into; any other key is ignored (a warning).
const ROOT_KEYS = ['spec', 'kind', 'apiVersion', 'metadata'];
const RESOURCE_KEYS = ['groupVersionKind', 'metricNamePrefix', 'resourcePlural', 'commonLabels', 'labelsFromPath', 'metrics', 'errorLogV'];
const GVK_KEYS = ['group', 'version', 'kind'];
const METRIC_KEYS = ['name', 'help', 'each', 'commonLabels', 'labelsFromPath', 'errorLogV'];

/** `spec.resources`, each entry read on its own (one bad entry does not hide the others' problems). */
function readResources(y: KsmYamlReader): KsmResource[] {
  const root = y.fields(y.root(), [], ROOT_KEYS, 'a CustomResourceStateMetrics mapping with spec.resources');
  const spec = root ? y.fields(root.get('spec') ?? null, ['spec'], ['resources'], 'a mapping with resources') : undefined;
  const list = spec?.get('resources') ?? null;
  if (spec && !isNull(list) && !isSeq(list)) y.problem(['spec', 'resources'], list, 'a list of resources', describeNode(list));
  if (!isSeq(list)) return [];
  return list.items.flatMap((item, i) => readResource(y, y.resolve(item), ['spec', 'resources', i]) ?? []);
}

function readResource(y: KsmYamlReader, node: Node | null, rp: Path): KsmResource | undefined {
  const r = y.fields(node, rp, RESOURCE_KEYS, 'a resource mapping with groupVersionKind and metrics');
  if (!r) return undefined;
  const gvk = readGroupVersionKind(y, r.get('groupVersionKind') ?? null, [...rp, 'groupVersionKind']);
  const prefixNode = r.get('metricNamePrefix') ?? null;
  const prefix = isNull(prefixNode) ? undefined : y.str(prefixNode, [...rp, 'metricNamePrefix']);
  y.int(r.get('errorLogV') ?? null, [...rp, 'errorLogV']);
  const metrics = readMetrics(y, r.get('metrics') ?? null, [...rp, 'metrics'], prefix ?? DEFAULT_METRIC_NAME_PREFIX);
  return {
    groupVersionKind: gvk,
    ...(prefix !== undefined ? { metricNamePrefix: prefix } : {}),
    resourcePlural: y.str(r.get('resourcePlural') ?? null, [...rp, 'resourcePlural']) ?? '',
    commonLabels: readCommonLabels(y, r.get('commonLabels') ?? null, [...rp, 'commonLabels']),
    labelsFromPath: readLabelPaths(y, r.get('labelsFromPath') ?? null, [...rp, 'labelsFromPath']),
    metrics,
  };
}

function readGroupVersionKind(y: KsmYamlReader, node: Node | null, gp: Path): KsmGvk {
  const g = y.fields(node, gp, GVK_KEYS, 'a mapping with group, version, kind');
  const gvk: KsmGvk = {
    group: y.str(g?.get('group') ?? null, [...gp, 'group']) ?? '',
    version: y.str(g?.get('version') ?? null, [...gp, 'version']) ?? '',
    kind: y.str(g?.get('kind') ?? null, [...gp, 'kind']) ?? '',
  };
  if (!g) return gvk;
  const named = (v: string): boolean => v !== '' && v !== '*';
  if (named(gvk.group) && !NAME_CHARS.test(gvk.group)) y.problem([...gp, 'group'], g.get('group') ?? null, 'an API group (a DNS subdomain)', JSON.stringify(gvk.group));
  if (named(gvk.version) && !NAME_CHARS.test(gvk.version)) y.problem([...gp, 'version'], g.get('version') ?? null, 'an API version such as v1, or *', JSON.stringify(gvk.version));
  if (named(gvk.kind) && !KIND_NAME.test(gvk.kind)) y.problem([...gp, 'kind'], g.get('kind') ?? null, 'a Kind such as DatabaseInstance, or *', JSON.stringify(gvk.kind));
  if (!named(gvk.group)) {
    y.problem([...gp, 'group'], node, 'an API group (kube-state-metrics requires one; core resources are not supported)', gvk.group === '' ? 'nothing' : '"*"');
  }
  return gvk;
}

function readMetrics(y: KsmYamlReader, node: Node | null, path: Path, prefix: string): KsmMetric[] {
  if (!isNull(node) && !isSeq(node)) y.problem(path, node, 'a list of metrics', describeNode(node));
  if (!isSeq(node)) return [];
  return node.items.flatMap((item, j) => readMetric(y, y.resolve(item), [...path, j], prefix) ?? []);
}

function readMetric(y: KsmYamlReader, node: Node | null, mp: Path, prefix: string): KsmMetric | undefined {
  const m = y.fields(node, mp, METRIC_KEYS, 'a metric mapping with name, help and each');
  if (!m) return undefined;
  const nameNode = m.get('name') ?? null;
  const name = y.str(nameNode, [...mp, 'name']) ?? '';
  checkMetricName(y, [prefix, name].filter((p) => p !== '').join('_'), [...mp, 'name'], nameNode ?? node);
  y.int(m.get('errorLogV') ?? null, [...mp, 'errorLogV']);
  const each = readEach(y, m.get('each') ?? null, [...mp, 'each']);
  const metric = {
    name,
    at: { path: formatConfigPath([...mp, 'name']), ...y.at(nameNode) },
    help: y.str(m.get('help') ?? null, [...mp, 'help']) ?? '',
    commonLabels: readCommonLabels(y, m.get('commonLabels') ?? null, [...mp, 'commonLabels']),
    labelsFromPath: readLabelPaths(y, m.get('labelsFromPath') ?? null, [...mp, 'labelsFromPath']),
  };
  return each ? { ...metric, each } : undefined;
}

/** The full Prometheus name: kube-state-metrics would serve an unparseable exposition; refuse instead. */
function checkMetricName(y: KsmYamlReader, full: string, path: Path, node: Node | null): void {
  if (!METRIC_NAME.test(full)) {
    y.problem(path, node, 'a metric name giving a valid Prometheus name [a-zA-Z_:][a-zA-Z0-9_:]*', JSON.stringify(full));
    return;
  }
  const reserved = reservedMetricNameProblem(full);
  if (reserved !== undefined) y.problem(path, node, reserved, JSON.stringify(full));
}

/** The block of one metric type: its key under `each`, its fields, and how to read them. */
interface EachBlock {
  readonly key: 'gauge' | 'stateSet' | 'info';
  readonly keys: readonly string[];
  read(y: KsmYamlReader, b: Map<string, Node | null>, bp: Path): Omit<KsmEach, 'type'>;
}

const EACH_BLOCKS: { readonly [T in KsmMetricType]: EachBlock } = {
  gauge: {
    key: 'gauge',
    keys: ['path', 'labelsFromPath', 'valueFrom', 'nilIsZero', 'labelFromKey'],
    read: (y, b, bp) => ({
      path: readPathField(y, b, 'path', bp),
      labelsFromPath: readLabelPaths(y, b.get('labelsFromPath') ?? null, [...bp, 'labelsFromPath']),
      valueFrom: readPathField(y, b, 'valueFrom', bp),
      labelFromKey: readLabelName(y, b, 'labelFromKey', bp, false),
      nilIsZero: y.bool(b.get('nilIsZero') ?? null, [...bp, 'nilIsZero']),
      labelName: '',
      list: [],
    }),
  },
  stateset: {
    key: 'stateSet',
    keys: ['path', 'labelsFromPath', 'valueFrom', 'list', 'labelName'],
    read: (y, b, bp) => {
      const labelName = readLabelName(y, b, 'labelName', bp, true);
      const list = y.strList(b.get('list') ?? null, [...bp, 'list']) ?? [];
      return {
        path: readPathField(y, b, 'path', bp),
        labelsFromPath: readLabelPaths(y, b.get('labelsFromPath') ?? null, [...bp, 'labelsFromPath']),
        valueFrom: readPathField(y, b, 'valueFrom', bp),
        labelFromKey: '',
        nilIsZero: false,
        labelName,
        list,
      };
    },
  },
  info: {
    key: 'info',
    keys: ['path', 'labelsFromPath', 'labelFromKey'],
    read: (y, b, bp) => ({
      path: readPathField(y, b, 'path', bp),
      labelsFromPath: readLabelPaths(y, b.get('labelsFromPath') ?? null, [...bp, 'labelsFromPath']),
      valueFrom: [],
      labelFromKey: readLabelName(y, b, 'labelFromKey', bp, false),
      nilIsZero: false,
      labelName: '',
      list: [],
    }),
  },
};

const EACH_KEYS = ['type', ...Object.values(EACH_BLOCKS).map((b) => b.key)];

/** `each`: the metric type (any case, as kube-state-metrics compares it) and its block. */
function readEach(y: KsmYamlReader, n: Node | null, path: Path): KsmEach | undefined {
  const f = y.fields(n, path, EACH_KEYS, 'a mapping with type and one of gauge, stateSet, info');
  if (!f) return undefined;
  const typeNode = f.get('type') ?? null;
  const typeText = y.str(typeNode, [...path, 'type']);
  if (typeText === undefined) return undefined;
  const type = typeText.toLowerCase();
  if (!Object.hasOwn(EACH_BLOCKS, type)) {
    y.problem([...path, 'type'], typeNode ?? n, 'a metric type: Gauge, StateSet or Info', typeText === '' ? 'nothing' : JSON.stringify(typeText));
    return undefined;
  }
  const block = EACH_BLOCKS[type as KsmMetricType];
  const blockNode = f.get(block.key) ?? null;
  const bp = [...path, block.key];
  if (isNull(blockNode)) {
    y.problem(bp, blockNode ?? n, `each.${block.key} for type ${typeText}`, 'nothing');
    return undefined;
  }
  const b = y.fields(blockNode, bp, block.keys, 'a mapping');
  if (!b) return undefined;
  return { type: type as KsmMetricType, ...block.read(y, b, bp) };
}

/** A path field (`path`, `valueFrom`): a list of segments kube-state-metrics can compile. */
function readPathField(y: KsmYamlReader, m: Map<string, Node | null>, key: string, path: Path): string[] {
  const node = m.get(key) ?? null;
  const segments = y.strList(node, [...path, key]) ?? [];
  checkPath(y, segments, [...path, key], node);
  return segments;
}

function checkPath(y: KsmYamlReader, segments: readonly string[], path: Path, node: Node | null): void {
  const r = compileKsmPath(segments);
  if (!r.ok) y.problem(path, node, 'a valid path', r.error);
}

/** `labelName`, `labelFromKey`: a label name served as written. */
function readLabelName(y: KsmYamlReader, m: Map<string, Node | null>, key: string, path: Path, required: boolean): string {
  const node = m.get(key) ?? null;
  const name = y.str(node, [...path, key]) ?? '';
  if (name === '' && !required) return name;
  const p = exportLabelNameProblem(name);
  if (p !== undefined) y.problem([...path, key], node, p, JSON.stringify(name));
  return name;
}

// Label names end up in the exposition: commonLabels keys as written, labelsFromPath keys
// sanitized (a `*` key's prefix too); either way they must be valid and unique there.
function checkLabelKey(y: KsmYamlReader, path: Path, key: string, keyNode: Node | null, name: string): void {
  const p = exportLabelNameProblem(name);
  if (p !== undefined) y.problem([...path, key], keyNode, name === key ? p : `${p} after sanitizing (kube-state-metrics turns other characters into _)`, JSON.stringify(name));
}

/** `commonLabels`: constant label values, keys as written. */
function readCommonLabels(y: KsmYamlReader, n: Node | null, path: Path): Map<string, string> {
  return y.mapOf(n, path, 'a mapping of label name to value', (v, at) => y.str(v, at), (key, keyNode) => checkLabelKey(y, path, key, keyNode, key));
}

/** `labelsFromPath`: label name (or `*` map key) → path; names unique after sanitizing. */
function readLabelPaths(y: KsmYamlReader, n: Node | null, path: Path): Map<string, string[]> {
  const sanitizedFrom = new Map<string, string>();
  return y.mapOf(n, path, 'a mapping of label name to path, e.g. name: [metadata, name]', (valueNode, at) => {
    const segments = y.strList(valueNode, at);
    if (segments !== undefined) checkPath(y, segments, at, valueNode);
    return segments;
  }, (key, keyNode) => {
    if (key.startsWith('*') || key.endsWith('*')) {
      // Each map key is checked per object; a prefix that can never start a valid name is refused now.
      const prefix = key.endsWith('*') ? sanitizeKsmLabelName(key.slice(0, -1)) : '';
      if (prefix !== '' && exportLabelNameProblem(`${prefix}x`) !== undefined) checkLabelKey(y, path, key, keyNode, `${prefix}x`);
      return;
    }
    const name = sanitizeKsmLabelName(key);
    checkLabelKey(y, path, key, keyNode, name);
    const first = sanitizedFrom.get(name);
    if (first !== undefined) y.problem([...path, key], keyNode, 'label names unique after sanitizing', `${JSON.stringify(key)} and ${JSON.stringify(first)} both give ${JSON.stringify(name)}`);
    else sanitizedFrom.set(name, key);
  });
}
