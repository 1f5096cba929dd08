// Two kinds sharing the generic families, one with a configured metric: the stores the exposition
// and store tests fill.
import { parseConfigText } from '../../src/config/index.ts';
import { compileConfig } from '../../src/extract/index.ts';
import { SeriesBudget } from '../../src/state/budget.ts';
import { ResourceStore } from '../../src/state/store.ts';

const CONFIG = `
resources:
  - {group: a.example.com, version: v1, kind: Alpha}
  - {group: b.example.com, version: v1, kind: Beta, metrics: [{name: beta.size, unit: By, labels: {note: spec.note}, gauge: {path: spec.size}}], generic: true}
`;

export function object(kind: string, name: string, extra: Record<string, unknown> = {}) {
  return { apiVersion: 'x/v1', kind, metadata: { name, namespace: 'ns', uid: `${kind}-${name}`, resourceVersion: '1' }, ...extra };
}

export function stores(limitDrops: string[] = []): ResourceStore[] {
  const budget = new SeriesBudget((f, n) => limitDrops.push(`${f.name}:${n}`));
  return compileConfig(parseConfigText(CONFIG, 'test.yaml')).map((r) => new ResourceStore(r, budget, {}));
}
