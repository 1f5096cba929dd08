// `npm run demo:local`: crotel's whole stack without Docker (see stack.ts) — kube-apiserver,
// the DatabaseInstance simulator, crotel, the Collector, Prometheus with the shipped rules, and
// Jaeger v2 — on free loopback ports, until Ctrl-C. Needs the test binaries:
//   scripts/build-test-bins.sh etcd kube-apiserver kubectl otelcol prometheus jaeger
//   npm run demo:local -- [--instances 12] [--speed 1]
import { parseArgs } from 'node:util';
import { startStack } from './stack.ts';

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: '12' },
    speed: { type: 'string', default: '1' },
    'failure-rate': { type: 'string', default: '0.1' },
  },
});

const started = Date.now();
const stack = await startStack({
  instances: Number(values.instances),
  speed: Number(values.speed),
  failureRate: Number(values['failure-rate']),
  seed: started % 2 ** 31,
  log: (message) => console.error(`… ${message}`),
});

const query = (expr: string): string => `${stack.prometheusUrl}/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=0`;
console.log(`
crotel demo stack is up (${((Date.now() - started) / 1000).toFixed(1)} s). Ctrl-C stops everything.

  crotel /metrics        ${stack.crotel.url}/metrics   (/readyz, /healthz)
  Prometheus             ${stack.prometheusUrl}
    objects by health    ${query('sum by (k8s_object_health) (k8s_object_health{job="crotel"})')}
    alerts               ${stack.prometheusUrl}/alerts
  Jaeger (traces) UI/API ${stack.jaegerUrl}   e.g. ${stack.jaegerUrl}/api/v3/services
  Collector OTLP/HTTP    ${stack.collectorOtlpHttp}   (its own metrics: ${stack.collectorMetricsUrl})
  kubeconfig             ${stack.cp.kubeconfigPath}
    kubectl --kubeconfig ${stack.cp.kubeconfigPath} get databaseinstances -A
  logs                   ${stack.logDir}

Grafana is not part of the native stack (docker compose up has it); the dashboards' queries
run as they are in Prometheus's UI with $job=crotel and the other variables as .*.
`);

// Ctrl-C: the harness's exit hooks stop every process and remove the temp dirs.
setInterval(() => {
  const s = stack.simulator.stats;
  console.error(`… simulator: ${s.created} created, ${s.transitions} transitions, ${s.specChanges} spec changes, ${s.backups} backups, ${s.failures} failures, ${s.deletions} deletions`);
}, 60_000);
