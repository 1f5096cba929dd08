// The lag step's OTLP/HTTP receiver: timestamps the arrival of every span (the moment its request
// body was complete), for both encodings — OTLP/JSON from the Collector's otlp_http exporter and
// OTLP/protobuf straight from crotel (its default). Keeps per span only what the lag needs: ids,
// name, end time and the object/episode attributes of root spans. /v1/metrics is accepted and
// counted, nothing else. (The harness's OtlpSink keeps whole JSON payloads and refuses protobuf.)
import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { now } from './stats.ts';

export interface ArrivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly root: boolean;
  readonly name: string;
  /** endTimeUnixNano in ms (crotel's wall clock). */
  readonly endMs: number;
  /** now() (bench clock) when the request carrying it was complete. */
  readonly arrivedAt: number;
  /** Date.now() at the same moment, to compare with span times. */
  readonly arrivedWall: number;
  /** Root spans only: k8s.namespace.name, k8s.object.name, crotel.episode.outcome, crotel.episode.trigger. */
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface TraceSink {
  readonly endpoint: string;
  readonly spans: readonly ArrivedSpan[];
  readonly requests: { traces: number; metrics: number; rejected: number };
  close(): Promise<void>;
}

const ROOT_KEYS = new Set(['k8s.namespace.name', 'k8s.object.name', 'crotel.episode.outcome', 'crotel.episode.trigger']);

// --- OTLP/protobuf, just enough of the wire format (opentelemetry/proto/trace/v1) ---------------

interface Field {
  readonly number: number;
  readonly wire: number;
  /** varint value (wire 0) */
  readonly varint?: number;
  /** [start, end) of a length-delimited (2) or fixed (1, 5) payload */
  readonly start: number;
  readonly end: number;
}

function* fields(buf: Buffer, start: number, end: number): Generator<Field> {
  let at = start;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = buf[at++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
      shift += 7;
    }
  };
  while (at < end) {
    const key = varint();
    const number = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      yield { number, wire, varint: varint(), start: at, end: at };
    } else if (wire === 1) {
      yield { number, wire, start: at, end: at + 8 };
      at += 8;
    } else if (wire === 2) {
      const length = varint();
      yield { number, wire, start: at, end: at + length };
      at += length;
    } else if (wire === 5) {
      yield { number, wire, start: at, end: at + 4 };
      at += 4;
    } else {
      throw new Error(`protobuf: unsupported wire type ${wire}`);
    }
  }
}

function stringValue(buf: Buffer, start: number, end: number): string | undefined {
  for (const f of fields(buf, start, end)) if (f.number === 1 && f.wire === 2) return buf.toString('utf8', f.start, f.end);
  return undefined;
}

function protobufSpans(buf: Buffer, arrivedAt: number, arrivedWall: number, out: ArrivedSpan[]): void {
  for (const resourceSpans of fields(buf, 0, buf.length)) {
    if (resourceSpans.number !== 1) continue;
    for (const scopeSpans of fields(buf, resourceSpans.start, resourceSpans.end)) {
      if (scopeSpans.number !== 2) continue;
      for (const span of fields(buf, scopeSpans.start, scopeSpans.end)) {
        if (span.number !== 2) continue;
        let traceId = '';
        let spanId = '';
        let parent = '';
        let name = '';
        let endMs = Number.NaN;
        const attrs: [number, number][] = [];
        for (const f of fields(buf, span.start, span.end)) {
          if (f.number === 1) traceId = buf.toString('hex', f.start, f.end);
          else if (f.number === 2) spanId = buf.toString('hex', f.start, f.end);
          else if (f.number === 4) parent = buf.toString('hex', f.start, f.end);
          else if (f.number === 5) name = buf.toString('utf8', f.start, f.end);
          else if (f.number === 8) endMs = Number(buf.readBigUInt64LE(f.start) / 1_000_000n);
          else if (f.number === 9) attrs.push([f.start, f.end]);
        }
        const root = parent === '';
        let attributes: Record<string, string> | undefined;
        if (root) {
          attributes = {};
          for (const [start, end] of attrs) {
            let key: string | undefined;
            let value: string | undefined;
            for (const f of fields(buf, start, end)) {
              if (f.number === 1) key = buf.toString('utf8', f.start, f.end);
              else if (f.number === 2) value = stringValue(buf, f.start, f.end);
            }
            if (key !== undefined && value !== undefined && ROOT_KEYS.has(key)) attributes[key] = value;
          }
        }
        out.push({ traceId, spanId, root, name, endMs, arrivedAt, arrivedWall, ...(attributes ? { attributes } : {}) });
      }
    }
  }
}

// --- OTLP/JSON ------------------------------------------------------------------------------------

interface JsonRequest {
  resourceSpans?: { scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string; endTimeUnixNano: string | number; attributes?: { key: string; value: { stringValue?: string } }[] }[] }[] }[];
}

function jsonSpans(body: string, arrivedAt: number, arrivedWall: number, out: ArrivedSpan[]): void {
  const request = JSON.parse(body) as JsonRequest;
  for (const rs of request.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const root = !s.parentSpanId;
        let attributes: Record<string, string> | undefined;
        if (root) {
          attributes = {};
          for (const kv of s.attributes ?? []) if (ROOT_KEYS.has(kv.key) && kv.value.stringValue !== undefined) attributes[kv.key] = kv.value.stringValue;
        }
        // The Collector writes ids as hex in OTLP/JSON.
        out.push({
          traceId: s.traceId, spanId: s.spanId, root, name: s.name,
          endMs: Number(BigInt(s.endTimeUnixNano) / 1_000_000n), arrivedAt, arrivedWall, ...(attributes ? { attributes } : {}),
        });
      }
    }
  }
}

export async function startTraceSink(): Promise<TraceSink> {
  const spans: ArrivedSpan[] = [];
  const requests = { traces: 0, metrics: 0, rejected: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const arrivedAt = now();
      const arrivedWall = Date.now();
      try {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const json = String(req.headers['content-type']).includes('json');
        if (req.url === '/v1/traces') {
          requests.traces++;
          if (json) jsonSpans(body.toString('utf8'), arrivedAt, arrivedWall, spans);
          else protobufSpans(body, arrivedAt, arrivedWall, spans);
        } else if (req.url === '/v1/metrics') {
          requests.metrics++;
        } else {
          requests.rejected++;
          res.writeHead(404).end();
          return;
        }
        // An empty ExportTraceServiceResponse: `{}` as JSON, zero bytes as protobuf.
        if (json) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      } catch (error) {
        requests.rejected++;
        res.writeHead(400).end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
