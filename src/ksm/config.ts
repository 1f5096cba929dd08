// Reads a kube-state-metrics v2.20 CustomResourceStateMetrics file as kube-state-metrics does
// (goyaml.v3 into its Go structs, non-strict): any scalar is accepted where a string is expected
// (its text as written, so `version: 1.10` stays "1.10"), unknown keys are ignored (reported as
// warnings), `Gauge`/`gauge` both work. What kube-state-metrics rejects — wrong shapes, unknown
// metric types, a missing type block, `[lookup]` segments without `=`, a group that is empty or
// `*` — is rejected here with the file, the path inside it and the line.

import { LineCounter, isMap, isScalar, isSeq, isAlias, parseAllDocuments, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { ConfigError, exportLabelNameProblem, formatConfigPath, positionOf, readYamlFile, reservedMetricNameProblem, sortProblems, yamlSyntaxProblems, type ConfigProblem } from '../config/index.ts';
import { compileKsmPath } from './path.ts';

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

type Path = readonly (string | number)[];

const formatPath = formatConfigPath;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** kube-state-metrics' store.SanitizeLabelName (per code point, as Go's regexp matches runes). */
export function sanitizeKsmLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/gu, '_');
}

export function parseKsmConfig(text: string, file: string): KsmConfig {
  const lineCounter = new LineCounter();
  // kube-state-metrics' decoder reads the first document only.
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  const at = (node: Node | null | undefined) => positionOf(lineCounter, node?.range?.[0]);
  const problem = (path: Path, node: Node | null | undefined, expected: string, got: string): void => {
    problems.push({ file, path: formatPath(path), ...at(node), expected, got });
  };
  const doc = Array.isArray(docs) ? docs[0] : docs;
  if (!doc || doc.contents === null) {
    throw new ConfigError(file, [{ file, path: '(root)', expected: 'a CustomResourceStateMetrics document', got: 'an empty file' }]);
  }
  if (doc.errors.length > 0) {
    throw new ConfigError(file, yamlSyntaxProblems(file, doc.errors, lineCounter));
  }

  const describe = (n: Node | null | undefined): string => {
    if (n === null || n === undefined) return 'nothing';
    if (isMap(n)) return 'a mapping';
    if (isSeq(n)) return 'a list';
    if (isAlias(n)) return 'an alias';
    return `${JSON.stringify((n as Scalar).source ?? (n as Scalar).value)}`;
  };
  const resolve = (n: unknown): Node | null => {
    const node = (isAlias(n) ? n.resolve(doc) : n) as Node | null | undefined;
    return node ?? null;
  };
  const isNull = (n: Node | null): boolean => n === null || (isScalar(n) && n.value === null && (n.type === 'PLAIN' || n.type === undefined));
  const str = (n: Node | null, path: Path): string | undefined => {
    if (isNull(n)) return '';
    if (isScalar(n)) return n.source ?? String(n.value);
    problem(path, n, 'a string', describe(n));
    return undefined;
  };
  const strList = (n: Node | null, path: Path): string[] | undefined => {
    if (isNull(n)) return [];
    if (!isSeq(n)) {
      problem(path, n, 'a list of strings, e.g. [status, phase]', describe(n));
      return undefined;
    }
    const out: string[] = [];
    n.items.forEach((item, i) => {
      const s = str(resolve(item), [...path, i]);
      if (s !== undefined) out.push(s);
    });
    return out.length === n.items.length ? out : undefined;
  };
  const bool = (n: Node | null, path: Path): boolean => {
    if (isNull(n)) return false;
    if (isScalar(n)) {
      if (typeof n.value === 'boolean') return n.value;
      const s = n.source ?? String(n.value);
      if (['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON'].includes(s)) return true;
      if (['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF'].includes(s)) return false;
    }
    problem(path, n, 'a boolean (true or false)', describe(n));
    return false;
  };
  const int = (n: Node | null, path: Path): void => {
    if (isNull(n)) return;
    if (isScalar(n) && typeof n.value === 'number' && Number.isInteger(n.value)) return;
    problem(path, n, 'an integer', describe(n));
  };
  // Fields of a mapping by name; unknown keys become warnings, as kube-state-metrics ignores them.
  const fields = (n: Node | null, path: Path, known: readonly string[], what: string): Map<string, Node | null> | undefined => {
    if (isNull(n)) return new Map();
    if (!isMap(n)) {
      problem(path, n, what, describe(n));
      return undefined;
    }
    const out = new Map<string, Node | null>();
    for (const pair of (n as YAMLMap).items as Pair[]) {
      const keyNode = resolve(pair.key);
      const key = isScalar(keyNode) ? (keyNode.source ?? String(keyNode.value)) : undefined;
      if (key === undefined) {
        problem(path, keyNode, 'string keys', describe(keyNode));
        continue;
      }
      if (!known.includes(key)) {
        warnings.push(`${file}:${at(keyNode).line ?? '?'}: ${formatPath([...path, key])}: unknown key ${JSON.stringify(key)} is ignored (as kube-state-metrics does); known: ${known.join(', ')}`);
        continue;
      }
      out.set(key, resolve(pair.value));
    }
    return out;
  };
  /** A mapping with string keys, each value read by `read` (undefined = skip, already reported). */
  const mapOf = <T>(n: Node | null, path: Path, expected: string, read: (value: Node | null, at: Path) => T | undefined, keyCheck?: (key: string, keyNode: Node | null) => void): Map<string, T> => {
    const out = new Map<string, T>();
    if (isNull(n)) return out;
    if (!isMap(n)) {
      problem(path, n, expected, describe(n));
      return out;
    }
    for (const pair of n.items as Pair[]) {
      const keyNode = resolve(pair.key);
      const key = isScalar(keyNode) ? (keyNode.source ?? String(keyNode.value)) : undefined;
      if (key === undefined) {
        problem(path, keyNode, 'string keys', describe(keyNode));
        continue;
      }
      keyCheck?.(key, keyNode);
      const v = read(resolve(pair.value), [...path, key]);
      if (v !== undefined) out.set(key, v);
    }
    return out;
  };
  // Label names end up in the exposition: commonLabels keys as written, labelsFromPath keys
  // sanitized (a `*` key's prefix too); either way they must be valid and unique there.
  const labelKey = (path: Path, key: string, keyNode: Node | null, name: string): void => {
    const p = exportLabelNameProblem(name);
    if (p !== undefined) problem([...path, key], keyNode, name === key ? p : `${p} after sanitizing (kube-state-metrics turns other characters into _)`, JSON.stringify(name));
  };
  const stringMap = (n: Node | null, path: Path): Map<string, string> =>
    mapOf(n, path, 'a mapping of label name to value', str, (key, keyNode) => labelKey(path, key, keyNode, key));
  const pathMap = (n: Node | null, path: Path): Map<string, string[]> => {
    const sanitizedFrom = new Map<string, string>();
    return mapOf(n, path, 'a mapping of label name to path, e.g. name: [metadata, name]', (valueNode, at) => {
      const segments = strList(valueNode, at);
      if (segments !== undefined) checkPath(segments, at, valueNode);
      return segments;
    }, (key, keyNode) => {
      if (key.startsWith('*') || key.endsWith('*')) {
        // Each map key is checked per object; a prefix that can never start a valid name is refused now.
        const prefix = key.endsWith('*') ? sanitizeKsmLabelName(key.slice(0, -1)) : '';
        if (prefix !== '' && exportLabelNameProblem(`${prefix}x`) !== undefined) labelKey(path, key, keyNode, `${prefix}x`);
        return;
      }
      const name = sanitizeKsmLabelName(key);
      labelKey(path, key, keyNode, name);
      const first = sanitizedFrom.get(name);
      if (first !== undefined) problem([...path, key], keyNode, 'label names unique after sanitizing', `${JSON.stringify(key)} and ${JSON.stringify(first)} both give ${JSON.stringify(name)}`);
      else sanitizedFrom.set(name, key);
    });
  };
  const namedLabel = (m: Map<string, Node | null>, key: string, path: Path, required: boolean): string => {
    const node = m.get(key) ?? null;
    const name = str(node, [...path, key]) ?? '';
    if (name === '' && !required) return name;
    const p = exportLabelNameProblem(name);
    if (p !== undefined) problem([...path, key], node, p, JSON.stringify(name));
    return name;
  };
  const checkPath = (segments: readonly string[], path: Path, node: Node | null): void => {
    const r = compileKsmPath(segments);
    if (!r.ok) problem(path, node, 'a valid path', r.error);
  };
  const pathField = (m: Map<string, Node | null>, key: string, path: Path): string[] => {
    const node = m.get(key) ?? null;
    const segments = strList(node, [...path, key]) ?? [];
    checkPath(segments, [...path, key], node);
    return segments;
  };

  const RESOURCE_KEYS = ['groupVersionKind', 'metricNamePrefix', 'resourcePlural', 'commonLabels', 'labelsFromPath', 'metrics', 'errorLogV'];
  const METRIC_KEYS = ['name', 'help', 'each', 'commonLabels', 'labelsFromPath', 'errorLogV'];
  const EACH_KEYS = ['type', 'gauge', 'stateSet', 'info'];
  const GAUGE_KEYS = ['path', 'labelsFromPath', 'valueFrom', 'nilIsZero', 'labelFromKey'];
  const STATESET_KEYS = ['path', 'labelsFromPath', 'valueFrom', 'list', 'labelName'];
  const INFO_KEYS = ['path', 'labelsFromPath', 'labelFromKey'];

  const parseEach = (n: Node | null, path: Path): KsmEach | undefined => {
    const f = fields(n, path, EACH_KEYS, 'a mapping with type and one of gauge, stateSet, info');
    if (!f) return undefined;
    const typeText = str(f.get('type') ?? null, [...path, 'type']);
    if (typeText === undefined) return undefined;
    const type = typeText.toLowerCase();
    const block = type === 'gauge' ? 'gauge' : type === 'stateset' ? 'stateSet' : type === 'info' ? 'info' : undefined;
    if (block === undefined) {
      problem([...path, 'type'], f.get('type') ?? n, 'a metric type: Gauge, StateSet or Info', typeText === '' ? 'nothing' : JSON.stringify(typeText));
      return undefined;
    }
    const blockNode = f.get(block) ?? null;
    if (isNull(blockNode)) {
      problem([...path, block], blockNode ?? n, `each.${block} for type ${typeText}`, 'nothing');
      return undefined;
    }
    const bp = [...path, block];
    const keys = block === 'gauge' ? GAUGE_KEYS : block === 'stateSet' ? STATESET_KEYS : INFO_KEYS;
    const b = fields(blockNode, bp, keys, 'a mapping');
    if (!b) return undefined;
    const labelName = block === 'stateSet' ? namedLabel(b, 'labelName', bp, true) : '';
    const list = block === 'stateSet' ? (strList(b.get('list') ?? null, [...bp, 'list']) ?? []) : [];
    return {
      type: type as KsmMetricType,
      path: pathField(b, 'path', bp),
      labelsFromPath: pathMap(b.get('labelsFromPath') ?? null, [...bp, 'labelsFromPath']),
      valueFrom: block === 'info' ? [] : pathField(b, 'valueFrom', bp),
      labelFromKey: block === 'stateSet' ? '' : namedLabel(b, 'labelFromKey', bp, false),
      nilIsZero: block === 'gauge' ? bool(b.get('nilIsZero') ?? null, [...bp, 'nilIsZero']) : false,
      labelName,
      list,
    };
  };

  const resources: KsmResource[] = [];
  const root = fields(resolve(doc.contents), [], ['spec', 'kind', 'apiVersion', 'metadata'], 'a CustomResourceStateMetrics mapping with spec.resources');
  const spec = root ? fields(root.get('spec') ?? null, ['spec'], ['resources'], 'a mapping with resources') : undefined;
  const list = spec?.get('resources') ?? null;
  if (spec && !isNull(list) && !isSeq(list)) problem(['spec', 'resources'], list, 'a list of resources', describe(list));
  if (isSeq(list)) {
    list.items.forEach((item, i) => {
      const rp: Path = ['spec', 'resources', i];
      const r = fields(resolve(item), rp, RESOURCE_KEYS, 'a resource mapping with groupVersionKind and metrics');
      if (!r) return;
      const g = fields(r.get('groupVersionKind') ?? null, [...rp, 'groupVersionKind'], ['group', 'version', 'kind'], 'a mapping with group, version, kind');
      const gvk: KsmGvk = {
        group: str(g?.get('group') ?? null, [...rp, 'groupVersionKind', 'group']) ?? '',
        version: str(g?.get('version') ?? null, [...rp, 'groupVersionKind', 'version']) ?? '',
        kind: str(g?.get('kind') ?? null, [...rp, 'groupVersionKind', 'kind']) ?? '',
      };
      // They become label values of crotel's own series: only characters Kubernetes names use
      // (kube-state-metrics reads scalars as text, so `version: 1.10` stays valid).
      const NAME_CHARS = /^[A-Za-z0-9._-]+$/;
      if (g && gvk.group !== '' && gvk.group !== '*' && !NAME_CHARS.test(gvk.group)) problem([...rp, 'groupVersionKind', 'group'], g.get('group') ?? null, 'an API group (a DNS subdomain)', JSON.stringify(gvk.group));
      if (g && gvk.version !== '' && gvk.version !== '*' && !NAME_CHARS.test(gvk.version)) problem([...rp, 'groupVersionKind', 'version'], g.get('version') ?? null, 'an API version such as v1, or *', JSON.stringify(gvk.version));
      if (g && gvk.kind !== '' && gvk.kind !== '*' && !/^[A-Za-z][A-Za-z0-9]*$/.test(gvk.kind)) problem([...rp, 'groupVersionKind', 'kind'], g.get('kind') ?? null, 'a Kind such as DatabaseInstance, or *', JSON.stringify(gvk.kind));
      if (g && (gvk.group === '' || gvk.group === '*')) {
        problem([...rp, 'groupVersionKind', 'group'], r.get('groupVersionKind') ?? null, 'an API group (kube-state-metrics requires one; core resources are not supported)', gvk.group === '' ? 'nothing' : '"*"');
      }
      const prefixNode = r.get('metricNamePrefix') ?? null;
      const prefix = isNull(prefixNode) ? undefined : str(prefixNode, [...rp, 'metricNamePrefix']);
      int(r.get('errorLogV') ?? null, [...rp, 'errorLogV']);
      const metricsNode = r.get('metrics') ?? null;
      const metrics: KsmMetric[] = [];
      if (!isNull(metricsNode) && !isSeq(metricsNode)) problem([...rp, 'metrics'], metricsNode, 'a list of metrics', describe(metricsNode));
      if (isSeq(metricsNode)) {
        metricsNode.items.forEach((mi, j) => {
          const mp: Path = [...rp, 'metrics', j];
          const m = fields(resolve(mi), mp, METRIC_KEYS, 'a metric mapping with name, help and each');
          if (!m) return;
          const name = str(m.get('name') ?? null, [...mp, 'name']) ?? '';
          const full = [prefix ?? DEFAULT_METRIC_NAME_PREFIX, name].filter((p) => p !== '').join('_');
          // kube-state-metrics would serve an unparseable exposition; refuse instead.
          if (!METRIC_NAME.test(full)) problem([...mp, 'name'], m.get('name') ?? mi as Node, 'a metric name giving a valid Prometheus name [a-zA-Z_:][a-zA-Z0-9_:]*', JSON.stringify(full));
          else {
            const reserved = reservedMetricNameProblem(full);
            if (reserved !== undefined) problem([...mp, 'name'], m.get('name') ?? mi as Node, reserved, JSON.stringify(full));
          }
          int(m.get('errorLogV') ?? null, [...mp, 'errorLogV']);
          const each = parseEach(m.get('each') ?? null, [...mp, 'each']);
          const metric = {
            name,
            at: { path: formatPath([...mp, 'name']), ...at(m.get('name') ?? null) },
            help: str(m.get('help') ?? null, [...mp, 'help']) ?? '',
            commonLabels: stringMap(m.get('commonLabels') ?? null, [...mp, 'commonLabels']),
            labelsFromPath: pathMap(m.get('labelsFromPath') ?? null, [...mp, 'labelsFromPath']),
          };
          if (each) metrics.push({ ...metric, each });
        });
      }
      resources.push({
        groupVersionKind: gvk,
        ...(prefix !== undefined ? { metricNamePrefix: prefix } : {}),
        resourcePlural: str(r.get('resourcePlural') ?? null, [...rp, 'resourcePlural']) ?? '',
        commonLabels: stringMap(r.get('commonLabels') ?? null, [...rp, 'commonLabels']),
        labelsFromPath: pathMap(r.get('labelsFromPath') ?? null, [...rp, 'labelsFromPath']),
        metrics,
      });
    });
  }
  if (problems.length > 0) {
    sortProblems(problems);
    throw new ConfigError(file, problems);
  }
  if (resources.length === 0) warnings.push(`${file}: spec.resources is empty: nothing to watch`);
  return { file, resources, warnings };
}
