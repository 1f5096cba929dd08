// A tiny OTLP/HTTP JSON receiver: the Collector's otlp_http exporter (encoding: json) sends
// here, so tests read exactly what the Collector exported.
import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** OTLP JSON, loosely typed: tests navigate it with the helpers below. */
export interface OtlpJson {
  resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[];
  resourceMetrics?: { resource?: { attributes?: KeyValue[] }; scopeMetrics?: { metrics?: OtlpMetric[] }[] }[];
}
export interface KeyValue { key: string; value: { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean } }
export interface OtlpSpan {
  traceId: string; spanId: string; parentSpanId?: string; name: string;
  startTimeUnixNano: string; endTimeUnixNano: string; attributes?: KeyValue[];
  status?: { code?: number; message?: string }; events?: { name: string; timeUnixNano: string; attributes?: KeyValue[] }[];
}
export interface OtlpDataPoint { attributes?: KeyValue[]; asDouble?: number; asInt?: string | number; timeUnixNano?: string }
export interface OtlpMetric {
  name: string; unit?: string; description?: string;
  gauge?: { dataPoints: OtlpDataPoint[] };
  sum?: { dataPoints: OtlpDataPoint[]; isMonotonic?: boolean };
  histogram?: { dataPoints: (OtlpDataPoint & { count?: string; sum?: number })[] };
}

export interface OtlpSink {
  readonly endpoint: string; // http://127.0.0.1:port (the exporter appends /v1/traces, /v1/metrics)
  readonly traces: OtlpJson[];
  readonly metrics: OtlpJson[];
  spans(): OtlpSpan[];
  /** Spans with the resource attributes of the process that sent them. */
  spansWithResource(): { span: OtlpSpan; resource: Record<string, string> }[];
  metricPoints(name: string): OtlpDataPoint[];
  close(): Promise<void>;
}

export function attributesOf(kvs: KeyValue[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of kvs ?? []) {
    const v = kv.value;
    out[kv.key] = String(v.stringValue ?? v.intValue ?? v.doubleValue ?? v.boolValue ?? '');
  }
  return out;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  const traces: OtlpJson[] = [];
  const metrics: OtlpJson[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      if (!String(req.headers['content-type']).includes('json')) {
        res.writeHead(415).end('json only');
        return;
      }
      const parsed = JSON.parse(body.toString()) as OtlpJson;
      if (req.url === '/v1/traces') traces.push(parsed);
      else if (req.url === '/v1/metrics') metrics.push(parsed);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    traces,
    metrics,
    spans: () => traces.flatMap((t) => t.resourceSpans ?? []).flatMap((r) => r.scopeSpans ?? []).flatMap((s) => s.spans ?? []),
    spansWithResource: () => traces.flatMap((t) => t.resourceSpans ?? []).flatMap((r) => {
      const resource = attributesOf(r.resource?.attributes);
      return (r.scopeSpans ?? []).flatMap((s) => s.spans ?? []).map((span) => ({ span, resource }));
    }),
    metricPoints: (name) => metrics.flatMap((m) => m.resourceMetrics ?? []).flatMap((r) => r.scopeMetrics ?? [])
      .flatMap((s) => s.metrics ?? []).filter((m) => m.name === name)
      .flatMap((m) => m.gauge?.dataPoints ?? m.sum?.dataPoints ?? m.histogram?.dataPoints ?? []),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
