// `crotel <command> --help`: each command's own usage, so a user never has to scan the global
// help for the flags of one command.
const KUBE = `  --kubeconfig FILE      kubeconfig (default: $KUBECONFIG, ~/.kube/config, then in-cluster)
  --context NAME         kubeconfig context to use instead of its current-context
  --master URL           override the API server URL`;

export const COMMAND_HELP: Readonly<Record<string, string>> = {
  run: `Usage: crotel run --config crotel.yaml [--ksm-config crs.yaml] [options]

Watches the configured custom resources and serves their state on /metrics (Prometheus text
0.0.4, OpenMetrics 1.0 on request, gzip when asked), /healthz and /readyz; pushes metrics and
lifecycle traces over OTLP when an OTEL_EXPORTER_OTLP_*ENDPOINT is set (see "crotel help env").

Options:
${KUBE}
  --port PORT            /metrics port (default: the config's port, else 8080)
  --host ADDR            listen address (default 0.0.0.0)
  --log-level LEVEL      trace|debug|info|warn|error|fatal (default $CROTEL_LOG_LEVEL, else info)
  --leader-elect         several replicas: only the Lease holder emits spans and lifecycle metrics
  --leader-elect-namespace NS, --leader-elect-name NAME, --lease-duration SECONDS (default 15)
  --shard I --total-shards N   serve only objects whose uid hashes to shard I of N
  --shutdown-timeout SECONDS   bound on the graceful stop after SIGTERM (default 10)
  --crd-poll-interval SECONDS  CRD discovery for kube-state-metrics wildcard kinds (default 30)
  --watch-coalesce SECONDS     batch watch events this close together (default 0.1; 0 = each at once)
`,
  validate: `Usage: crotel validate --config crotel.yaml | --ksm-config crs.yaml

Checks a config without a cluster; errors name the file, line and path. Exit 1 when invalid.
`,
  render: `Usage: crotel render --config crotel.yaml -f objects.yaml [-f more.yaml …]

Prints the /metrics exposition the objects in the files would produce, with no cluster.
`,
  rbac: `Usage: crotel rbac --config crotel.yaml|--ksm-config crs.yaml [--service-account crotel] [--namespace monitoring]
                   [--leader-elect [--leader-elect-namespace NS] [--leader-elect-name crotel]] [--kubeconfig FILE] [--context NAME]

Prints the ServiceAccount, ClusterRole and binding crotel needs for the config (YAML).
`,
  'convert-ksm': `Usage: crotel convert-ksm crs.yaml

Prints the native crotel config equivalent to a kube-state-metrics CustomResourceStateMetrics file.
`,
  schema: `Usage: crotel schema

Prints the config file's JSON Schema (draft 2020-12), for editors. The same schema is committed as
schema/crotel.schema.json; a config can point at it with a first line such as
  # yaml-language-server: $schema=https://raw.githubusercontent.com/…/schema/crotel.schema.json
`,
  env: `OpenTelemetry environment variables crotel honours (by the SDK specification's rules: an
empty value is unset, a value that does not parse is warned about and ignored, enum values are
case-insensitive):

  OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_{METRICS,TRACES}_ENDPOINT   turn OTLP push on
  OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_EXPORTER_OTLP_{METRICS,TRACES}_PROTOCOL   grpc | http/protobuf (default) | http/json
  OTEL_EXPORTER_OTLP_[SIGNAL_]HEADERS, _TIMEOUT, _COMPRESSION (gzip|none)
  OTEL_EXPORTER_OTLP_CERTIFICATE            CA file (PEM) to verify the Collector's certificate
  OTEL_EXPORTER_OTLP_CLIENT_KEY, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE   mTLS client key and chain
  OTEL_EXPORTER_OTLP_INSECURE               grpc without TLS for an endpoint with no scheme
  (each also per signal: OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE, …_TRACES_CLIENT_KEY, …)
  OTEL_METRICS_EXPORTER                     list of otlp, console, prometheus (/metrics, always on), none
  OTEL_TRACES_EXPORTER                      list of otlp, console, none
  OTEL_SDK_DISABLED                         true: no push at all (/metrics stays)
  OTEL_METRIC_EXPORT_INTERVAL, OTEL_METRIC_EXPORT_TIMEOUT   ms (default 60000, 30000)
  OTEL_BSP_SCHEDULE_DELAY (200), OTEL_BSP_MAX_QUEUE_SIZE (config), OTEL_BSP_MAX_EXPORT_BATCH_SIZE (512),
  OTEL_BSP_EXPORT_TIMEOUT (30000)
  OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES   override the resource
  OTEL_LOG_LEVEL                            the SDK's diagnostics in crotel's log (default info)
  K8S_POD_NAME, K8S_POD_UID, K8S_NAMESPACE_NAME, K8S_NODE_NAME   pod identity (Downward API)
`,
};
