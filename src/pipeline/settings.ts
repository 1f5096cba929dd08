// The process environment, read once into typed settings: what `crotel run` and the benchmarks
// take from process.env, so both run with the same values. Two rules, by whose variable it is:
// - OTEL_* follow the OpenTelemetry specification (telemetry/env.ts): a value that does not parse
//   is warned about and the default applies, as in every OpenTelemetry SDK;
// - crotel's own (CROTEL_*, and POD_NAMESPACE from the Downward API) are refused when bad, with an
//   EnvError naming the variable, the value and what was expected: a typo fails at start, loudly.
// Endpoint, headers and TLS (OTEL_EXPORTER_OTLP_*) are read by the official exporters themselves and
// OTEL_RESOURCE_ATTRIBUTES / OTEL_SERVICE_NAME / K8S_* by the resource (telemetry/resource.ts):
// `env` carries the environment those read.
import { envString, readOtelEnv, type OtelSettings } from '../telemetry/env.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** pino's levels, which crotel's log uses. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Settings {
  /** OTEL_*: exporters, protocols, intervals, OTEL_BSP_* (with crotel's defaults), SDK log level, and the warnings to log. */
  readonly otel: OtelSettings;
  /** CROTEL_LOG_LEVEL (the --log-level flag wins); undefined when unset. */
  readonly logLevel: LogLevel | undefined;
  /** CROTEL_REVISION: the source revision crotel_build_info reports, when the build set it. */
  readonly revision: string | undefined;
  /** POD_NAMESPACE (Downward API): the Lease's namespace unless --leader-elect-namespace is given. */
  readonly podNamespace: string | undefined;
  /** The environment these were read from, for the parts OpenTelemetry's own code reads (see above). */
  readonly env: Env;
}

/** A crotel variable with a value crotel cannot use. */
export class EnvError extends Error {
  readonly variable: string;
  readonly value: string;
  readonly expected: string;
  constructor(variable: string, value: string, expected: string) {
    super(`${variable}=${JSON.stringify(value)}: expected ${expected}`);
    this.name = 'EnvError';
    this.variable = variable;
    this.value = value;
    this.expected = expected;
  }
}

// RFC 1123 label: what a namespace name must be.
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// crotel_build_info's revision label: a commit id, a tag, a describe string; one line, bounded.
const REVISION = /^[\x21-\x7e]{1,128}$/;

function logLevelOf(env: Env): LogLevel | undefined {
  const raw = envString(env, 'CROTEL_LOG_LEVEL');
  if (raw === undefined) return undefined;
  const level = LOG_LEVELS.find((l) => l === raw.toLowerCase());
  if (level === undefined) throw new EnvError('CROTEL_LOG_LEVEL', raw, `one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

function matching(env: Env, variable: string, pattern: RegExp, expected: string): string | undefined {
  const raw = envString(env, variable);
  if (raw !== undefined && !pattern.test(raw)) throw new EnvError(variable, raw, expected);
  return raw;
}

/** Reads every variable crotel takes from the environment; throws EnvError on a bad crotel variable. */
export function readSettings(env: Env): Settings {
  const namespace = matching(env, 'POD_NAMESPACE', NAMESPACE, 'a namespace name (lowercase letters, digits and "-", starting and ending alphanumeric)');
  if (namespace !== undefined && namespace.length > 63) throw new EnvError('POD_NAMESPACE', namespace, 'a namespace name of at most 63 characters');
  return {
    otel: readOtelEnv(env),
    logLevel: logLevelOf(env),
    revision: matching(env, 'CROTEL_REVISION', REVISION, 'a revision of 1 to 128 printable characters without spaces'),
    podNamespace: namespace,
    env,
  };
}
