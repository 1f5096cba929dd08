// Names shared by a kube-state-metrics config and crotel's own config would give two families
// (two HELP/TYPE blocks on /metrics, two instruments over OTLP) one Prometheus name: refused,
// with the place in the kube-state-metrics file. Reserved names (crotel_*, …) are refused by
// the KSM parser itself.

import { GENERIC_FAMILY_NAMES, prometheusMetricName, type Config, type ConfigProblem } from '../config/index.ts';
import { ksmMetricName } from './compile.ts';
import type { KsmConfig } from './config.ts';

export function ksmNameConflicts(ksm: KsmConfig, config: Config | undefined): ConfigProblem[] {
  if (!config) return [];
  const native = new Map<string, string>();
  config.resources.forEach((r, ri) => {
    // A kube-state-metrics family has one name on both paths; a native one may differ (unit
    // suffix): either of its names taken by KSM would make two families or two instruments.
    r.metrics.forEach((m, mi) => {
      native.set(prometheusMetricName(m.name, m.unit), `resources[${ri}].metrics[${mi}] (${m.name})`);
      native.set(m.name, `resources[${ri}].metrics[${mi}] (${m.name})`);
    });
    if (r.generic) for (const g of GENERIC_FAMILY_NAMES) native.set(prometheusMetricName(g, ''), `the generic family ${g}`);
  });
  const problems: ConfigProblem[] = [];
  for (const r of ksm.resources) {
    for (const m of r.metrics) {
      const name = ksmMetricName(r, m);
      const other = native.get(name);
      if (other === undefined) continue;
      problems.push({
        file: ksm.file, path: m.at?.path ?? name,
        ...(m.at?.line !== undefined ? { line: m.at.line, column: m.at.column ?? 1 } : {}),
        expected: 'a metric name not used by the crotel config (one Prometheus name, one family)',
        got: `${JSON.stringify(name)}, also ${other}`,
      });
    }
  }
  return problems;
}
