// crotel's logger: pino JSON lines on stderr, with the redaction policy applied to every string
// a line carries (the message and each field, nested a few levels), so a credential that reaches
// an error message (an apiserver URL with user info, an object's field) is not written out.
import { pino, type Logger } from 'pino';
import { exportText, redact, type Redactor } from './extract/index.ts';

// Longest string written in one field of a log line (after redaction).
const MAX_LOG_STRING = 8192;
const MAX_DEPTH = 4;

function cleanValue(v: unknown, redactor: Redactor, depth: number): unknown {
  if (typeof v === 'string') return exportText(v, redactor, MAX_LOG_STRING).toWellFormed();
  if (v instanceof Error) return exportText(v.message, redactor, MAX_LOG_STRING).toWellFormed();
  if (typeof v !== 'object' || v === null || depth >= MAX_DEPTH) return v;
  if (Array.isArray(v)) return v.map((x) => cleanValue(x, redactor, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = cleanValue(x, redactor, depth + 1);
  return out;
}

export function createLogger(level: string, redactor: Redactor = redact, destination: pino.DestinationStream = pino.destination(2)): Logger {
  return pino({
    level,
    base: { service: 'crotel' },
    // Level names ("level":"warn"), not pino's numbers: what log pipelines and people read.
    formatters: { level: (label) => ({ level: label }), log: (object) => cleanValue(object, redactor, 0) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        const cleaned = args.map((a) => (typeof a === 'string' ? exportText(a, redactor, MAX_LOG_STRING).toWellFormed() : a));
        return method.apply(this, cleaned as Parameters<typeof method>);
      },
    },
  }, destination);
}
