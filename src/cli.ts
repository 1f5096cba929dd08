// crotel's command line: run | validate | render. Parses flags, loads config, and hands off;
// exit codes: 0 ok, 1 bad input (config, objects, flags), 2 usage.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, configJsonSchema, loadConfigFile, parseConfigText, ZERO_CONFIG_TEXT } from './config/index.ts';
import { readCrd, type CrdKind } from './discovery/crds.ts';
import { exclusionsOf } from './discovery/kinds.ts';
import { selectedFromObjects } from './discovery/offline.ts';
import { listCustomResourceDefinitions } from './kube/discovery.ts';
import { COMMAND_HELP } from './cli-help.ts';
import { loadKubeConfig } from './kube/kubeconfig.ts';
import { rbacFor, rbacNotes, toYaml } from './rbac.ts';
import { readObjectFiles } from './objects-file.ts';
import { renderObjects } from './render.ts';
import { compileConfig, compileResource, createRedactor } from './extract/index.ts';
import { createLogger } from './log.ts';
import { startRuntime, stopOnSignals } from './runtime.ts';
import { EnvError, readSettings } from './pipeline/index.ts';
import { convertKsmFile, followWildcardKinds, ksmResourcesAtStart, ksmResourcesFromFiles, ksmSourceFor, needsDiscovery } from './ksm/cli-support.ts';
import { DEFAULT_OBJECT_LIMIT, DEFAULT_OBJECTS_PER_KIND, DEFAULT_TRACES, type Config, type ResourceConfig } from './config/index.ts';
import type { CompiledResource } from './model.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const USAGE = `crotel ${VERSION} — Kubernetes custom resources as OpenTelemetry metrics

Usage:
  crotel run [--config crotel.yaml] [--kubeconfig FILE] [--master URL] [--port 8080] [--host 0.0.0.0]
  crotel validate [--config crotel.yaml]
  crotel render [--config crotel.yaml] -f objects.yaml [--explain]
      without --config (nor --ksm-config): zero config, every custom resource kind in the cluster
      (the config \`resources: [{group: "*"}]\`); offline, every custom resource among the objects
  crotel run|validate|render --ksm-config crs.yaml …   kube-state-metrics CustomResourceStateMetrics
  crotel convert-ksm crs.yaml                            print the equivalent native crotel config
  crotel rbac [--config crotel.yaml|--ksm-config crs.yaml] [--service-account crotel] [--namespace monitoring]
              [--leader-elect [--leader-elect-namespace NS] [--leader-elect-name crotel]] [--kubeconfig FILE]
              [--from-cluster]   wildcard entries: list the kinds they match now instead of whole groups
  crotel schema                                          print the config's JSON Schema (for editors)
  crotel COMMAND --help | crotel help env                one command's options | the OTEL_* variables
  (run and rbac also take --context NAME: a kubeconfig context other than the current one)

Run options:
  --leader-elect                   several replicas: only the Lease holder emits spans and lifecycle metrics
  --leader-elect-namespace NS      Lease namespace (default: $POD_NAMESPACE, else default)
  --leader-elect-name NAME         Lease name (default crotel, or crotel-shard-I when sharded)
  --lease-duration SECONDS         (default 15)
  --shard I --total-shards N       serve only objects whose uid hashes to shard I of N
  --shutdown-timeout SECONDS       bound on the graceful stop after SIGTERM (default 10)
  --crd-poll-interval SECONDS      how often to look for CRDs matching kube-state-metrics wildcard kinds (default 30)
  --watch-coalesce SECONDS         watch events arriving within this long of the last batch are handled
                                   together, saving CPU under steady change (default 0.1; 0 = each at once)

OTLP push (metrics, and lifecycle traces unless traces.enabled is false) is on when
OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_METRICS_ENDPOINT / _TRACES_ENDPOINT) is set;
the other standard OTEL_* variables apply (protocol grpc, http/protobuf or http/json; headers,
TLS, exporters, intervals, resource): \`crotel help env\` lists them.
`;

class UsageError extends Error {}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      'ksm-config': { type: 'string' },
      'crd-poll-interval': { type: 'string' },
      'watch-coalesce': { type: 'string' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      master: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      file: { type: 'string', short: 'f', multiple: true },
      'log-level': { type: 'string' },
      'shutdown-timeout': { type: 'string' },
      'leader-elect': { type: 'boolean' },
      'leader-elect-namespace': { type: 'string' },
      'leader-elect-name': { type: 'string' },
      'lease-duration': { type: 'string' },
      shard: { type: 'string' },
      'total-shards': { type: 'string' },
      'service-account': { type: 'string' },
      'from-cluster': { type: 'boolean' },
      namespace: { type: 'string' },
      explain: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
  return { values, command: positionals[0], extra: positionals.slice(1) };
}

/** --config, else (without --ksm-config) zero config: every custom resource kind. */
function configOf(values: { config?: string; 'ksm-config'?: string }): Config | undefined {
  if (values.config !== undefined) return loadConfigFile(values.config);
  if (values['ksm-config'] !== undefined) return undefined;
  return parseConfigText(ZERO_CONFIG_TEXT, '(zero config)');
}

/** Compiles one discovered kind's plain entry with the config's limits and redaction. */
function kindCompiler(config: Config): (entry: ResourceConfig) => CompiledResource {
  const redactor = createRedactor(config.redact);
  return (entry) => compileResource(entry, { seriesPerMetric: config.limits.seriesPerMetric, redactor });
}

function portOf(flag: string | undefined, fallback: number): number {
  if (flag === undefined) return fallback;
  const port = Number(flag);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${flag}: expected an integer 0-65535`);
  return port;
}

/** Seconds > 0 (or ≥ 0 when `zero` is allowed), at most `max`. */
function secondsOf(flag: string, value: string | undefined, fallback: number, range: { zero?: boolean; max?: number } = {}): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  const { zero = false, max = Infinity } = range;
  if (!((zero ? n >= 0 : n > 0) && n <= max)) {
    throw new UsageError(`${flag} ${value}: expected seconds ${zero ? '≥ 0' : '> 0'}${max < Infinity ? ` and ≤ ${max}` : ''}`);
  }
  return n;
}

function shardOf(index: string | undefined, total: string | undefined): { index: number; total: number } | undefined {
  if (index === undefined && total === undefined) return undefined;
  const i = Number(index ?? 'x');
  const n = Number(total ?? 'x');
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(i) || i < 0 || i >= n) {
    throw new UsageError(`--shard ${index} --total-shards ${total}: expected 0 <= shard < total-shards`);
  }
  return { index: i, total: n };
}

function leaseOf(values: ReturnType<typeof parse>['values'], shard?: { index: number }, podNamespace?: string): { namespace: string; name: string } {
  return {
    namespace: values['leader-elect-namespace'] ?? podNamespace ?? 'default',
    name: values['leader-elect-name'] ?? (shard ? `crotel-shard-${shard.index}` : 'crotel'),
  };
}

async function run(values: ReturnType<typeof parse>['values']): Promise<void> {
  const flagPort = values.port === undefined ? undefined : portOf(values.port, 0);
  const timeoutSeconds = Number(values['shutdown-timeout'] ?? 10);
  if (!(timeoutSeconds > 0)) throw new UsageError(`--shutdown-timeout ${values['shutdown-timeout']}: expected seconds > 0`);
  const config = configOf(values);
  // The environment, read once: the runtime and everything under it take these settings.
  const settings = readSettings(process.env);
  // Log lines go through the same redaction as every exported string (config patterns included).
  const redactor = createRedactor(config?.redact ?? []);
  const logger = createLogger(values['log-level'] ?? settings.logLevel ?? 'info', redactor);
  if (values.config === undefined && config) logger.info('no --config: zero config, watching every custom resource kind the cluster serves');
  const apiServer = loadKubeConfig({ kubeconfig: values.kubeconfig, master: values.master, context: values.context });
  const shard = shardOf(values.shard, values['total-shards']);
  const ksm = ksmSourceFor(values['ksm-config'], config, values.config);
  const crdListFailed = (error: unknown): void => logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'listing CRDs for kube-state-metrics wildcard kinds failed; retrying');
  const ksmResources = ksm ? await ksmResourcesAtStart(ksm, apiServer, config?.limits.seriesPerMetric, crdListFailed) : undefined;
  for (const warning of ksmResources?.warnings ?? []) logger.warn(warning);
  const runtime = await startRuntime({
    resources: [...(config ? compileConfig(config) : []), ...(ksmResources?.resources ?? [])], traces: config?.traces ?? DEFAULT_TRACES,
    apiServer, logger, version: VERSION, redactor, settings,
    host: values.host, port: flagPort ?? config?.port ?? 8080,
    ...(values['watch-coalesce'] !== undefined ? { watchCoalesceMs: secondsOf('--watch-coalesce', values['watch-coalesce'], 0, { zero: true, max: 10 }) * 1000 } : {}),
    ...(shard ? { shard } : {}),
    ...(config ? { objectLimits: { perKind: config.limits.objectsPerKind, total: config.limits.objects } } : {}),
    ...(config?.discovery ? { discovery: { config: config.discovery, compile: kindCompiler(config) } } : {}),
    ...(values['leader-elect'] ? { leaderElection: { ...leaseOf(values, shard, settings.podNamespace), leaseDurationMs: secondsOf('--lease-duration', values['lease-duration'], 15) * 1000 } } : {}),
  });
  const stopFollowing = ksm && ksmResources && needsDiscovery(ksm.config)
    ? followWildcardKinds({
        source: ksm, apiServer, known: ksmResources.resources, add: (r) => runtime.addResource(r), onError: crdListFailed,
        ...(config ? { seriesPerMetric: config.limits.seriesPerMetric } : {}),
        intervalMs: secondsOf('--crd-poll-interval', values['crd-poll-interval'], 30) * 1000,
      })
    : undefined;
  stopOnSignals(runtime, { logger, timeoutMs: timeoutSeconds * 1000, ...(stopFollowing ? { beforeStop: stopFollowing } : {}) });
}

async function main(argv: string[]): Promise<number> {
  const { values, command, extra } = parse(argv);
  if (values.version) {
    console.log(VERSION);
    return 0;
  }
  if (command === 'help' && extra.length <= 1) {
    process.stdout.write(extra[0] ? COMMAND_HELP[extra[0]] ?? USAGE : USAGE);
    return extra[0] === undefined || COMMAND_HELP[extra[0]] !== undefined ? 0 : 2;
  }
  if (values.help || !command) {
    process.stdout.write((command && COMMAND_HELP[command]) || USAGE);
    return command || values.help ? 0 : 2;
  }
  if (command === 'convert-ksm') {
    if (extra.length !== 1) throw new UsageError('convert-ksm needs exactly one kube-state-metrics config file');
    process.stdout.write(convertKsmFile(extra[0]!));
    return 0;
  }
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  switch (command) {
    case 'schema':
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
      return 0;
    case 'run':
      await run(values);
      return -1; // keeps running until a signal
    case 'validate': {
      const path = values.config ?? values['ksm-config'] ?? '(zero config)';
      const config = configOf(values);
      const ksm = ksmSourceFor(values['ksm-config'], config, values.config);
      for (const warning of ksm?.config.warnings ?? []) process.stderr.write(`${warning}\n`);
      const compiled = [...(config ? compileConfig(config) : []), ...(ksm ? ksmResourcesFromFiles(ksm, []).resources : [])];
      const families = new Set(compiled.flatMap((r) => r.families.map((f) => f.name)));
      const wildcard = config?.discovery
        ? `; ${config.discovery.select.length} wildcard entr${config.discovery.select.length === 1 ? 'y' : 'ies'} (kinds from the cluster's CRDs, ${exclusionsOf(config.discovery).length} exclusions)`
        : '';
      console.log(`${path}: ok (${compiled.length} resource${compiled.length === 1 ? '' : 's'}, ${families.size} metric families${wildcard})`);
      return 0;
    }
    case 'render': {
      const config = configOf(values);
      if (!values.file?.length) throw new UsageError('render needs -f objects.yaml');
      const ksm = ksmSourceFor(values['ksm-config'], config, values.config);
      const objects = readObjectFiles(values.file);
      const ksmResources = ksm ? ksmResourcesFromFiles(ksm, objects, config?.limits.seriesPerMetric) : undefined;
      for (const warning of ksmResources?.warnings ?? []) process.stderr.write(`${warning}\n`);
      // Wildcard entries offline: the kinds are those of the objects (README "Zero config").
      const selected = config ? selectedFromObjects(config, objects.map((o) => o.object)) : [];
      const { exposition, problems, explanations } = await renderObjects(config, objects, [...(ksmResources?.resources ?? []), ...selected]);
      for (const problem of problems) process.stderr.write(`${problem}\n`);
      // --explain prints why each object has its health instead of the metrics.
      process.stdout.write(values.explain ? explanations.map((l) => `${l}\n`).join('') : exposition);
      return 0;
    }
    case 'rbac': {
      const config = configOf(values);
      const ksm = ksmSourceFor(values['ksm-config'], config, values.config);
      const fromCluster = values['from-cluster'] === true;
      const apiServer = values.kubeconfig || values.context || fromCluster ? loadKubeConfig({ kubeconfig: values.kubeconfig, context: values.context }) : undefined;
      const crds: CrdKind[] | undefined = fromCluster && apiServer
        ? (await listCustomResourceDefinitions(apiServer)).map(readCrd).filter((c): c is CrdKind => c !== undefined)
        : undefined;
      // Wildcard kinds resolve against the cluster when there is one; else only concrete kinds are listed.
      const ksmKinds = ksm ? (apiServer ? await ksmResourcesAtStart(ksm, apiServer, undefined, () => {}) : ksmResourcesFromFiles(ksm, [])).resources.map((r) => r.ref) : [];
      const objects = await rbacFor(config ?? { limits: { seriesPerMetric: 1, objects: DEFAULT_OBJECT_LIMIT, objectsPerKind: DEFAULT_OBJECTS_PER_KIND }, redact: [], resources: [], traces: DEFAULT_TRACES }, {
        serviceAccount: values['service-account'] ?? 'crotel',
        namespace: values.namespace ?? 'monitoring',
        ...(values['leader-elect'] ? { leaderElection: leaseOf({ ...values, 'leader-elect-namespace': values['leader-elect-namespace'] ?? values.namespace ?? 'monitoring' }) } : {}),
        ...(apiServer ? { apiServer } : {}),
        extraResources: ksmKinds,
        crdAccess: ksm !== undefined && needsDiscovery(ksm.config),
        ...(crds ? { crds } : {}),
      });
      const notes = config ? rbacNotes(config, crds !== undefined) : [];
      for (const note of notes) process.stderr.write(`crotel rbac: ${note}\n`);
      process.stdout.write(toYaml(objects, notes));
      return 0;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

main(process.argv.slice(2)).then((code) => {
  if (code >= 0) process.exitCode = code;
}, (error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  } else if (error instanceof EnvError) {
    process.stderr.write(`crotel: ${error.message}\n`);
    process.exitCode = 1;
  } else if (error instanceof UsageError || (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`crotel: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`crotel: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
});
