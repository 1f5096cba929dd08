// The mixin's parameters (the monitoring-mixin `_config` idea): which series are crotel's, which
// label names the cluster, which namespaces the object alerts cover. One set of values generates
// prometheus/rules, the PrometheusRule object and grafana/dashboards (mixin/generate.ts).

export interface MixinConfig {
  /** Label matchers selecting crotel's series in the rules (no braces), e.g. `job="crotel"`. */
  readonly crotelSelector: string;
  /** Extra matchers on the watched objects' series in the object alerts, e.g. `k8s_namespace_name=~"prod-.*"`. */
  readonly namespaceSelector: string;
  /** The label naming the cluster (promoted from k8s.cluster.name over OTLP). */
  readonly clusterLabel: string;
  /** Label matchers selecting the OpenTelemetry Collector's own metrics in the dashboards. */
  readonly collectorSelector: string;
  /** Label matchers selecting Tempo's span metrics of crotel's spans. */
  readonly spanMetricsSelector: string;
  /** The dashboards' default $job. */
  readonly defaultJob: string;
  /** Where the runbooks live: each alert links `${runbookUrl}#<alert name in lower case>`. */
  readonly runbookUrl: string;
  /** Labels on instance-level series that differ between replicas/scrapes of the same object. */
  readonly replicaLabels: readonly string[];
  readonly dashboardTags: readonly string[];
}

export const DEFAULT_CONFIG: MixinConfig = {
  // The OTLP push's job is service.name ("crotel", no service.namespace); the chart's
  // ServiceMonitor/PodMonitor take the same job from the app.kubernetes.io/name label.
  crotelSelector: 'job="crotel"',
  namespaceSelector: '',
  clusterLabel: 'k8s_cluster_name',
  collectorSelector: 'job="otelcol"',
  spanMetricsSelector: 'service="crotel"',
  defaultJob: 'crotel',
  runbookUrl: 'https://github.com/crotel/crotel/blob/main/docs/runbooks.md',
  replicaLabels: ['instance', 'pod', 'container', 'endpoint', 'service'],
  dashboardTags: ['crotel', 'kubernetes'],
};

/** Matchers joined for a selector body: `a, b` without empty parts. */
export function matchers(...parts: readonly string[]): string {
  return parts.map((p) => p.trim()).filter((p) => p.length > 0).join(', ');
}
