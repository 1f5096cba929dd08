import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { pinoDiagLogger } from '../../src/telemetry/diag.ts';
import { LogLimiter } from '../../src/telemetry/log-limit.ts';
import { createLogger } from '../../src/log.ts';

function capture(): { lines: Record<string, unknown>[]; logger: pino.Logger } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'trace' }, { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { lines, logger };
}

/** What @opentelemetry/core's global error handler hands diag.error: the exception as JSON. */
function serialized(message: string, stackLine: string): string {
  return JSON.stringify({ stack: `Error: ${message}\n    at ${stackLine}`, message, name: 'Error' });
}

test('SDK errors are logged by their message, not as a JSON stack, and repeats with another stack are rate-limited', () => {
  let now = 0;
  const { lines, logger } = capture();
  const diag = pinoDiagLogger(logger, new LogLimiter(30_000, () => now));
  const message = 'PeriodicExportingMetricReader: metrics export failed (error Error: Request timed out)';
  diag.error(serialized(message, 'currentRun (file:///x/PeriodicExportingMetricReader.mjs:86:76)'));
  diag.error(serialized(message, 'processTicksAndRejections (node:internal/process/task_queues:104:5)'));
  assert.deepEqual(lines.map((l) => [l.level, l.component, l.msg]), [[50, 'otel-sdk', message]]);
  now = 31_000;
  diag.error(serialized(message, 'elsewhere'));
  assert.equal(lines.length, 2);
  assert.equal(lines[1]!.suppressed, 1);
});

test('SDK lines that differ only in numbers count as one message', () => {
  const { lines, logger } = capture();
  const diag = pinoDiagLogger(logger, new LogLimiter(30_000, () => 0));
  diag.info('Export retry time 5000ms exceeds remaining timeout 1742ms, not retrying further.');
  diag.info('Export retry time 4947ms exceeds remaining timeout 815ms, not retrying further.');
  diag.warn('Export retry time 4947ms exceeds remaining timeout 815ms, not retrying further.'); // another level: its own key
  assert.deepEqual(lines.map((l) => l.msg), [
    'Export retry time 5000ms exceeds remaining timeout 1742ms, not retrying further.',
    'Export retry time 4947ms exceeds remaining timeout 815ms, not retrying further.',
  ]);
  assert.deepEqual(lines.map((l) => l.level), [30, 40]);
});

test('crotel\'s log carries level names, not pino\'s numbers, and the SDK diagnostics keep them', () => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('debug', undefined, { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) });
  logger.warn('w');
  logger.error('e');
  pinoDiagLogger(logger).info('from the SDK');
  assert.deepEqual(lines.map((l) => [l.level, l.msg]), [['warn', 'w'], ['error', 'e'], ['info', 'from the SDK']]);
  assert.equal(lines[2]!.component, 'otel-sdk');
});
