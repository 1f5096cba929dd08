// The OpenTelemetry SDK's own diagnostics (exporter errors, dropped data) into crotel's pino log,
// at OTEL_LOG_LEVEL, rate-limited per message so an outage cannot flood the log.
import { diag, type DiagLogger, type DiagLogLevel } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { LogLimiter } from './log-limit.ts';

/**
 * The SDK's global error handler passes an exception serialized as JSON (message, name and a
 * stack of node_modules paths): its message is what a reader needs.
 */
function messageOf(message: string): string {
  if (!message.startsWith('{')) return message;
  try {
    const parsed = JSON.parse(message) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : message;
  } catch {
    return message;
  }
}

function text(message: string, args: unknown[]): string {
  const extra = args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a) ?? String(a)));
  return [messageOf(message), ...extra].join(' ');
}

/**
 * The rate-limit key: the line with its numbers masked, so "Export retry time 4947ms exceeds
 * remaining timeout 815ms" repeats as one message, as does an error naming a port or a count.
 */
export function diagKey(level: string, line: string): string {
  return `${level}:${line.replace(/\d+/g, '#')}`;
}

export function pinoDiagLogger(logger: Logger, limiter = new LogLimiter()): DiagLogger {
  const child = logger.child({ component: 'otel-sdk' });
  const at = (level: 'error' | 'warn' | 'info' | 'debug' | 'trace') => (message: string, ...args: unknown[]): void => {
    const line = text(message, args);
    limiter.maybe(diagKey(level, line), (suppressed) => {
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
