// `crotel convert-ksm`: a kube-state-metrics config → the equivalent native crotel config, for
// users moving on to what only crotel has. Everything expressible is converted; what is not
// (per-element iteration, constant labels, `*` label maps, labelFromKey, wildcards…) is listed
// as notes, printed as comments above the YAML and returned for callers.

import { stringify } from 'yaml';
import { ksmMetricName } from './compile.ts';
import { isWildcard, type KsmConfig, type KsmMetric, type KsmResource } from './config.ts';
import { sanitizeLabelName } from './compile.ts';

export interface Conversion {
  readonly yaml: string;
  readonly notes: readonly string[];
}

const PLAIN_FIELD = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** KSM segments → crotel path text, or why not. */
export function nativePath(segments: readonly string[]): string | { readonly error: string } {
  if (segments.length === 0) return { error: 'an empty path (the element itself)' };
  let out = '';
  for (const s of segments) {
    if (s.startsWith('[') && s.endsWith(']')) {
      const inner = s.slice(1, -1);
      const eq = inner.indexOf('=');
      const key = inner.slice(0, eq);
      const value = inner.slice(eq + 1);
      if (out === '' || !PLAIN_FIELD.test(key)) return { error: `list lookup ${s}` };
      out += /^[^\s[\]'"]+$/.test(value) ? `[${key}=${value}]` : `[${key}=${JSON.stringify(value)}]`;
    } else if (/^\d+$/.test(s)) {
      if (out === '') return { error: `index ${s} at the start` };
      out += `[${s}]`;
    } else if (/^[+-]/.test(s) && /^[+-]\d+$/.test(s)) {
      return { error: `signed index ${s}` };
    } else if (s.split('=').length === 2) {
      return { error: `map value match ${s}` };
    } else if (PLAIN_FIELD.test(s)) {
      out += out === '' ? s : `.${s}`;
    } else {
      out += `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}

export function convertKsmConfig(config: KsmConfig): Conversion {
  const notes: string[] = [];
  const resources: Record<string, unknown>[] = [];
  // Native names are unique across the config; KSM may reuse one for several kinds.
  const used = new Set<string>();
  config.resources.forEach((r, i) => {
    const where = `spec.resources[${i}]`;
    const g = r.groupVersionKind;
    if (isWildcard(g)) {
      notes.push(`${where}: wildcard ${g.group}/${g.version || '*'}/${g.kind || '*'} has no native form: list each kind (crotel run --ksm-config resolves it against the cluster)`);
      return;
    }
    const labels: Record<string, string> = {};
    addLabels(r.labelsFromPath, labels, `${where}.labelsFromPath`, notes);
    if (r.commonLabels.size > 0) notes.push(`${where}.commonLabels: constant labels have no native form (add them in Prometheus relabelling or as OTEL_RESOURCE_ATTRIBUTES)`);
    const metrics: Record<string, unknown>[] = [];
    r.metrics.forEach((m, j) => {
      const at = `${where}.metrics[${j}]`;
      const converted = convertMetric(r, m, at, notes);
      if (!converted) return;
      let name = converted.name as string;
      if (used.has(name)) {
        const renamed = `${name}_${g.kind.toLowerCase()}`;
        notes.push(`${at}: ${name} is already used by another resource; renamed ${renamed} (native names are unique)`);
        name = renamed;
      }
      used.add(name);
      const own = converted.labels as Record<string, string> | undefined;
      for (const key of Object.keys(own ?? {})) {
        if (key in labels) {
          notes.push(`${at}.labelsFromPath.${key}: overrides the resource's label of that name, which native config does not allow; the resource's is kept`);
          delete own![key];
        }
      }
      if (own && Object.keys(own).length === 0) delete converted.labels;
      metrics.push({ ...converted, name });
    });
    resources.push({
      group: g.group, version: g.version, kind: g.kind, generic: false,
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
      metrics,
    });
  });
  notes.push('customresource_group/version/kind labels are not added by native metrics (the generic k8s.object.* families carry k8s.object.kind and k8s.object.group)');
  const header = [
    `# crotel config converted from the kube-state-metrics config ${config.file}.`,
    '# Not converted:',
    ...notes.map((n) => `#   - ${n}`),
  ].join('\n');
  return { yaml: `${header}\n${stringify({ resources }, { lineWidth: 0 })}`, notes };
}

function addLabels(paths: ReadonlyMap<string, readonly string[]>, out: Record<string, string>, where: string, notes: string[]): void {
  for (const [key, segments] of paths) {
    if (key.startsWith('*') || key.endsWith('*')) {
      notes.push(`${where}[${JSON.stringify(key)}]: copying a whole map into labels has no native form`);
      continue;
    }
    const p = nativePath(segments);
    if (typeof p !== 'string') notes.push(`${where}.${key}: ${p.error} has no native form`);
    else out[sanitizeLabelName(key)] = p;
  }
}

function convertMetric(r: KsmResource, m: KsmMetric, where: string, notes: string[]): Record<string, unknown> | undefined {
  const name = ksmMetricName(r, m);
  const each = m.each;
  const labels: Record<string, string> = {};
  addLabels(m.labelsFromPath, labels, `${where}.labelsFromPath`, notes);
  if (m.commonLabels.size > 0) notes.push(`${where}.commonLabels: constant labels have no native form`);
  if (each.labelFromKey !== '') notes.push(`${where}: labelFromKey (one series per map key) has no native form`);
  const base = { name, ...(m.help !== '' ? { description: m.help } : {}) };
  const full = [...each.path, ...each.valueFrom];
  switch (each.type) {
    case 'gauge': {
      // The Kubernetes conditions pattern: one series per condition, typed by its `type`.
      const own = [...each.labelsFromPath];
      const typeLabel = own.find(([, path]) => path.length === 1 && path[0] === 'type');
      if (typeLabel && each.valueFrom.join() === 'status' && each.path.length > 0) {
        const p = nativePath(each.path);
        if (typeof p === 'string') {
          const dropped = own.filter((l) => l !== typeLabel).map(([k]) => k);
          notes.push(`${where}: converted to a native conditions metric; it adds a condition_status label next to ${typeLabel[0]}${dropped.length ? ` and drops ${dropped.join(', ')}` : ''}`);
          return { ...base, ...(Object.keys(labels).length ? { labels } : {}), conditions: { path: p, typeLabel: sanitizeLabelName(typeLabel[0]), statusLabel: 'condition_status' } };
        }
      }
      if (each.labelsFromPath.size > 0) {
        notes.push(`${where}: one series per element with labels read from each (each.gauge.labelsFromPath) has no native form; metric skipped`);
        return undefined;
      }
      const p = nativePath(full);
      if (typeof p !== 'string') {
        notes.push(`${where}: gauge path ${p.error} has no native form; metric skipped`);
        return undefined;
      }
      return { ...base, ...(Object.keys(labels).length ? { labels } : {}), gauge: { path: p, ...(each.nilIsZero ? { nilIsZero: true } : {}) } };
    }
    case 'stateset': {
      const p = nativePath(full);
      if (typeof p !== 'string') {
        notes.push(`${where}: stateSet path ${p.error} has no native form; metric skipped`);
        return undefined;
      }
      if (each.labelsFromPath.size > 0) addLabels(each.labelsFromPath, labels, `${where}.each.stateSet.labelsFromPath`, notes);
      return { ...base, ...(Object.keys(labels).length ? { labels } : {}), stateSet: { path: p, label: sanitizeLabelName(each.labelName), list: each.list } };
    }
    case 'info': {
      const infoLabels: Record<string, string> = {};
      if (each.path.length > 0) {
        const prefix = nativePath(each.path);
        if (typeof prefix !== 'string') {
          notes.push(`${where}: info over ${prefix.error} has no native form; metric skipped`);
          return undefined;
        }
        notes.push(`${where}: info over ${prefix} is converted for a single object at that path (not one series per list element)`);
        const rel = new Map([...each.labelsFromPath].map(([k, v]) => [k, [...each.path, ...v]] as const));
        addLabels(rel, infoLabels, `${where}.each.info.labelsFromPath`, notes);
      } else {
        addLabels(each.labelsFromPath, infoLabels, `${where}.each.info.labelsFromPath`, notes);
      }
      return { ...base, ...(Object.keys(labels).length ? { labels } : {}), info: { labels: infoLabels } };
    }
  }
}
