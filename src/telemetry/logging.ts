// What the telemetry pipeline says in crotel's log: the environment warnings (once, at start),
// the SDK's diagnostics (OTEL_LOG_LEVEL), and export failures and drops, rate-limited per kind
// so an hour-long Collector outage writes a line per 30 s, each with the count it stands for.
import type { Logger } from 'pino';
import { routeDiagnostics } from './diag.ts';
import type { OtelSettings } from './env.ts';
import { LogLimiter } from './log-limit.ts';

export interface TelemetryLogging {
  metricExportFailed(exporter: string, error: Error | undefined, points: number): void;
  spanExportFailed(error: unknown): void;
  spansDropped(reason: string, count: number): void;
  finalFlushIncomplete(): void;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function telemetryLogging(logger: Logger, settings: OtelSettings, limiter = new LogLimiter()): TelemetryLogging {
  for (const warning of settings.warnings) logger.warn(warning);
  routeDiagnostics(logger, settings.logLevel);
  // Totals since start, so a rate-limited line still says how much was lost.
  let failedMetricExports = 0;
  let unsentPoints = 0;
  let failedSpanExports = 0;
  const dropped = new Map<string, number>();
  return {
    metricExportFailed(exporter, error, points) {
      failedMetricExports++;
      unsentPoints += points;
      limiter.maybe('metrics-export', (suppressed) => logger.warn(
        { exporter, err: message(error), points, failedExports: failedMetricExports, unsentPoints, suppressed },
        'metrics export failed; the next export sends the current values'));
    },
    spanExportFailed(error) {
      failedSpanExports++;
      limiter.maybe('spans-export', (suppressed) => logger.warn(
        { err: message(error), failedExports: failedSpanExports, suppressed },
        'span export failed; keeping the batch and retrying'));
    },
    spansDropped(reason, count) {
      const total = (dropped.get(reason) ?? 0) + count;
      dropped.set(reason, total);
      // At shutdown there is no later line to carry the count: always log it.
      if (reason === 'shutdown') logger.warn({ reason, count, total }, 'lifecycle spans not sent before the deadline');
      else limiter.maybe(`spans-dropped:${reason}`, (suppressed) => logger.warn({ reason, count, total, suppressed }, 'lifecycle spans dropped'));
    },
    finalFlushIncomplete() {
      logger.warn({ failedExports: failedMetricExports, unsentPoints }, 'final metrics export did not complete before the deadline');
    },
  };
}
