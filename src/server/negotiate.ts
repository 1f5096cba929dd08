// Content negotiation for /metrics: OpenMetrics 1.0 when the Accept header prefers it (Prometheus
// sends `application/openmetrics-text;version=1.0.0;q=0.5,…,text/plain;version=0.0.4;q=0.4,…`),
// gzip when Accept-Encoding allows it (Prometheus always asks).
import type { ExpositionFormat } from '../metrics/prometheus-text.ts';

interface Offer { readonly type: string; readonly q: number; readonly version?: string }

function parseList(header: string): Offer[] {
  return header.split(',').map((part) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim());
    let q = 1;
    let version: string | undefined;
    for (const p of params) {
      const [k, v] = p.split('=').map((s) => s.trim());
      if (k?.toLowerCase() === 'q') q = Number(v);
      if (k?.toLowerCase() === 'version') version = v;
    }
    return { type: type.toLowerCase(), q: Number.isFinite(q) ? q : 0, ...(version !== undefined ? { version } : {}) };
  }).filter((o) => o.type !== '');
}

/** OpenMetrics when it is offered (version 1.x or unspecified) with a q above every text/plain offer. */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (!accept) return 'text';
  const offers = parseList(accept);
  const om = Math.max(0, ...offers.filter((o) => o.type === 'application/openmetrics-text' && (o.version === undefined || o.version.startsWith('1.'))).map((o) => o.q));
  const text = Math.max(0, ...offers.filter((o) => o.type === 'text/plain' || o.type === '*/*' || o.type === 'text/*').map((o) => o.q));
  return om > 0 && om >= text ? 'openmetrics' : 'text';
}

/** Whether gzip is acceptable (`gzip` or `*` with q > 0, and not refused explicitly). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  const offers = parseList(acceptEncoding);
  const gzip = offers.find((o) => o.type === 'gzip' || o.type === 'x-gzip');
  if (gzip) return gzip.q > 0;
  return offers.some((o) => o.type === '*' && o.q > 0);
}
