// The OpenTelemetry SDK's own diagnostics (exporter errors, dropped data) into crotel's pino log,
// at OTEL_LOG_LEVEL, rate-limited per message so an outage cannot flood the log.
import { diag, type DiagLogger, type DiagLogLevel } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { LogLimiter } from './log-limit.ts';

function text(message: string, args: unknown[]): string {
  const extra = args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a) ?? String(a)));
  return [message, ...extra].join(' ');
}

export function pinoDiagLogger(logger: Logger, limiter = new LogLimiter()): DiagLogger {
  const child = logger.child({ component: 'otel-sdk' });
  const at = (level: 'error' | 'warn' | 'info' | 'debug' | 'trace') => (message: string, ...args: unknown[]): void => {
    limiter.maybe(`${level}:${message}`, (suppressed) => {
      const line = text(message, args);
      if (suppressed > 0) child[level]({ suppressed }, line);
      else child[level](line);
    });
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), verbose: at('trace') };
}

/** Routes the global diag logger to `logger` (once per process; a later call replaces it). */
export function routeDiagnostics(logger: Logger, level: DiagLogLevel): void {
  diag.setLogger(pinoDiagLogger(logger), { logLevel: level, suppressOverrideMessage: true });
}
