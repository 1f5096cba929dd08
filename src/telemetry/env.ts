// The OpenTelemetry environment variables crotel honours, read once by the rules of the spec
// (opentelemetry-specification, sdk-environment-variables.md): an empty value is unset; a value
// that does not parse is warned about and ignored (the default applies); enum values are
// case-insensitive; the *_EXPORTER variables are comma-separated lists. Pure: takes the
// environment and returns settings plus the warnings to log, so every case is a unit test.
//
// Endpoint, headers, timeout, compression and TLS (OTEL_EXPORTER_OTLP_[SIGNAL_]ENDPOINT, _HEADERS,
// _TIMEOUT, _COMPRESSION, _CERTIFICATE, _CLIENT_KEY, _CLIENT_CERTIFICATE, _INSECURE) are read by
// the official OTLP exporters themselves; this module only decides whether and how they are built.
import { DiagLogLevel } from '@opentelemetry/api';
import { diagLogLevelFromString } from '@opentelemetry/core';

export type Signal = 'traces' | 'metrics';
export type OtlpProtocol = 'grpc' | 'http/protobuf' | 'http/json';
export type MetricsExporterName = 'otlp' | 'console' | 'prometheus';
export type TracesExporterName = 'otlp' | 'console';

export interface OtelSettings {
  /** OTEL_SDK_DISABLED=true: no push of any signal (the /metrics endpoint is crotel's own and stays). */
  readonly sdkDisabled: boolean;
  /** The push exporters of each signal (an empty set: none). `prometheus` is the /metrics endpoint, always served. */
  readonly metricsExporters: ReadonlySet<MetricsExporterName>;
  readonly tracesExporters: ReadonlySet<TracesExporterName>;
  readonly metricsProtocol: OtlpProtocol;
  readonly tracesProtocol: OtlpProtocol;
  readonly metricExportIntervalMs: number;
  readonly metricExportTimeoutMs: number;
  readonly bsp: {
    readonly scheduleDelayMs: number;
    readonly maxQueueSize: number | undefined;
    readonly maxExportBatchSize: number;
    readonly exportTimeoutMs: number;
  };
  /** OTEL_LOG_LEVEL, for the SDK's own diagnostics (they go to crotel's log). */
  readonly logLevel: DiagLogLevel;
  readonly warnings: readonly string[];
}

/** crotel's defaults where they differ from the SDK's, with why. */
export const DEFAULTS = {
  metricExportIntervalMs: 60_000,
  metricExportTimeoutMs: 30_000,
  // Spans leave within 200 ms (the flush interval is nearly all of the write → span lag), in
  // batches of up to 512; the SDK's schedule delay default is 5000 ms.
  bspScheduleDelayMs: 200,
  bspMaxExportBatchSize: 512,
  bspExportTimeoutMs: 30_000,
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/** The value of `key`, trimmed; undefined when unset or empty (the spec: empty means unset). */
export function envString(env: Env, key: string): string | undefined {
  const raw = env[key]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

class Reader {
  readonly warnings: string[] = [];
  private readonly env: Env;
  constructor(env: Env) {
    this.env = env;
  }

  string(key: string): string | undefined {
    return envString(this.env, key);
  }

  /** A number within [min, max] (integer when `integer`), else a warning and `fallback`. */
  number<T extends number | undefined>(key: string, fallback: T, range: { min: number; max?: number; integer?: boolean }): number | T {
    const raw = this.string(key);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    const max = range.max ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isFinite(n) || n < range.min || n > max || (range.integer && !Number.isInteger(n))) {
      this.warnings.push(`${key}=${JSON.stringify(raw)}: expected ${range.integer ? 'an integer' : 'a number'} ≥ ${range.min}${range.max !== undefined ? ` and ≤ ${range.max}` : ''}; ignored, using ${fallback === undefined ? 'the default' : String(fallback)}`);
      return fallback;
    }
    return n;
  }

  boolean(key: string): boolean {
    const raw = this.string(key)?.toLowerCase();
    if (raw === undefined || raw === 'false') return false;
    if (raw === 'true') return true;
    this.warnings.push(`${key}=${JSON.stringify(this.env[key])}: expected true or false; ignored, using false`);
    return false;
  }

  /** One of `allowed` (case-insensitive), else a warning and `fallback`. */
  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const raw = this.string(key);
    if (raw === undefined) return fallback;
    const value = allowed.find((a) => a === raw.toLowerCase());
    if (value === undefined) this.warnings.push(`${key}=${JSON.stringify(raw)}: expected one of ${allowed.join(', ')}; ignored, using ${fallback}`);
    return value ?? fallback;
  }

  /** A comma-separated exporter list; `none` (alone or anywhere) means none; unknown names are warned about and skipped. */
  exporters<T extends string>(key: string, allowed: readonly T[], fallback: readonly T[]): Set<T> {
    const raw = this.string(key);
    if (raw === undefined) return new Set(fallback);
    const names = raw.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
    if (names.includes('none')) {
      if (names.length > 1) this.warnings.push(`${key}=${JSON.stringify(raw)}: "none" with other exporters; using none`);
      return new Set();
    }
    const out = new Set<T>();
    for (const name of names) {
      const known = allowed.find((a) => a === name);
      if (known) out.add(known);
      else this.warnings.push(`${key}: unknown exporter ${JSON.stringify(name)} ignored (crotel supports ${allowed.join(', ')}, none)`);
    }
    return out;
  }
}

const PROTOCOLS: readonly OtlpProtocol[] = ['grpc', 'http/protobuf', 'http/json'];

/** Whether an OTLP endpoint is given for the signal (the generic or the signal's own variable). */
export function endpointConfigured(env: Env, signal: Signal): boolean {
  return envString(env, `OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_ENDPOINT`) !== undefined || envString(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined;
}

export function readOtelEnv(env: Env): OtelSettings {
  const r = new Reader(env);
  const sdkDisabled = r.boolean('OTEL_SDK_DISABLED');
  // The spec's default exporter is otlp, sending to localhost; crotel pushes by default only when
  // an endpoint is given (it is first a /metrics server), or when the variable asks for otlp.
  const metricsDefault: MetricsExporterName[] = endpointConfigured(env, 'metrics') ? ['otlp'] : [];
  const tracesDefault: TracesExporterName[] = endpointConfigured(env, 'traces') ? ['otlp'] : [];
  const metricsExporters = r.exporters<MetricsExporterName>('OTEL_METRICS_EXPORTER', ['otlp', 'console', 'prometheus'], metricsDefault);
  const tracesExporters = r.exporters<TracesExporterName>('OTEL_TRACES_EXPORTER', ['otlp', 'console'], tracesDefault);
  const protocol = r.oneOf('OTEL_EXPORTER_OTLP_PROTOCOL', PROTOCOLS, 'http/protobuf');
  const metricsProtocol = r.oneOf('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', PROTOCOLS, protocol);
  const tracesProtocol = r.oneOf('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', PROTOCOLS, protocol);
  const metricExportIntervalMs = r.number('OTEL_METRIC_EXPORT_INTERVAL', DEFAULTS.metricExportIntervalMs, { min: 100, integer: true });
  let metricExportTimeoutMs = r.number('OTEL_METRIC_EXPORT_TIMEOUT', DEFAULTS.metricExportTimeoutMs, { min: 1, integer: true });
  if (metricExportTimeoutMs > metricExportIntervalMs) {
    // The SDK's periodic reader refuses a timeout longer than the interval; an export cannot outlast its period.
    if (envString(env, 'OTEL_METRIC_EXPORT_TIMEOUT') !== undefined) r.warnings.push(`OTEL_METRIC_EXPORT_TIMEOUT=${metricExportTimeoutMs} exceeds OTEL_METRIC_EXPORT_INTERVAL=${metricExportIntervalMs}; using the interval`);
    metricExportTimeoutMs = metricExportIntervalMs;
  }
  const bsp = {
    scheduleDelayMs: r.number('OTEL_BSP_SCHEDULE_DELAY', DEFAULTS.bspScheduleDelayMs, { min: 1, integer: true }),
    maxQueueSize: r.number('OTEL_BSP_MAX_QUEUE_SIZE', undefined, { min: 1, integer: true }),
    maxExportBatchSize: r.number('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', DEFAULTS.bspMaxExportBatchSize, { min: 1, integer: true }),
    exportTimeoutMs: r.number('OTEL_BSP_EXPORT_TIMEOUT', DEFAULTS.bspExportTimeoutMs, { min: 1, integer: true }),
  };
  // Validated here (core's parser maps unknown names to INFO silently, via diag, before crotel's log is attached).
  const levelName = r.oneOf('OTEL_LOG_LEVEL', ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'], 'info');
  const logLevel = diagLogLevelFromString(levelName) ?? DiagLogLevel.INFO;
  return {
    sdkDisabled,
    metricsExporters: sdkDisabled ? new Set() : metricsExporters,
    tracesExporters: sdkDisabled ? new Set() : tracesExporters,
    metricsProtocol, tracesProtocol, metricExportIntervalMs, metricExportTimeoutMs, bsp, logLevel,
    warnings: r.warnings,
  };
}
