// Reads /metrics as a scraper does, streaming: counts bytes and series without building the
// body as one string, and hands lines with a given prefix to a callback (the lag sampler).
// With `gzip`, it asks as Prometheus does (Accept-Encoding: gzip) and inflates the answer as it
// arrives, so the time includes the client's decompression, as Prometheus pays it.
import { Agent, get } from 'node:http';
import { createGunzip } from 'node:zlib';
import { now } from './stats.ts';

const agent = new Agent({ keepAlive: true, maxSockets: 2 });

export interface ScrapeResult {
  /** Request sent → last byte read. */
  readonly ms: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly bytes: number;
  /** Bytes on the wire (the body as sent: compressed with gzip, else equal to `bytes`). */
  readonly wireBytes: number;
  /** Content-Encoding of the answer ('' when none). */
  readonly encoding: string;
  /** Sample lines (everything that is not a comment or blank). */
  readonly series: number;
  /** Lines of database_instance_* families. */
  readonly objectSeries: number;
  /** Lines of database_instance_storage_gb: one per object. */
  readonly storageSeries: number;
  /** Lines `count` accepted (when given). */
  readonly counted: number;
}

/** `count`: also count the sample lines it accepts (e.g. one per object of another family). */
export function scrape(url: string, onLine?: { prefix: string; line: (text: string) => void }, options: { gzip?: boolean; count?: (line: string) => boolean } = {}): Promise<ScrapeResult> {
  const startedAt = now();
  return new Promise((resolve, reject) => {
    const headers = options.gzip ? { 'accept-encoding': 'gzip' } : {};
    const req = get(`${url}/metrics`, { agent, headers }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`/metrics answered ${res.statusCode}`));
        return;
      }
      const encoding = res.headers['content-encoding'] ?? '';
      if (encoding !== '' && encoding !== 'gzip') {
        res.resume();
        reject(new Error(`/metrics answered with Content-Encoding ${encoding}`));
        return;
      }
      let wireBytes = 0;
      res.on('data', (chunk: Buffer) => (wireBytes += chunk.length));
      const body = encoding === 'gzip' ? res.pipe(createGunzip()) : res;
      body.setEncoding('utf8');
      let carry = '';
      let bytes = 0;
      let series = 0;
      let objectSeries = 0;
      let storageSeries = 0;
      let counted = 0;
      const take = (line: string): void => {
        if (line === '' || line.charCodeAt(0) === 35 /* # */) return;
        series++;
        if (options.count?.(line)) counted++;
        if (line.startsWith('database_instance_')) {
          objectSeries++;
          if (line.startsWith('database_instance_storage_gb{')) storageSeries++;
          if (onLine && line.startsWith(onLine.prefix)) onLine.line(line);
        }
      };
      body.on('data', (chunk: string) => {
        bytes += Buffer.byteLength(chunk);
        const text = carry + chunk;
        let start = 0;
        let newline: number;
        while ((newline = text.indexOf('\n', start)) >= 0) {
          take(text.slice(start, newline));
          start = newline + 1;
        }
        carry = text.slice(start);
      });
      body.on('end', () => {
        take(carry);
        const endedAt = now();
        resolve({ ms: endedAt - startedAt, startedAt, endedAt, bytes, wireBytes, encoding, series, objectSeries, storageSeries, counted });
      });
      body.on('error', reject);
      if (body !== res) res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(300_000, () => req.destroy(new Error('/metrics timed out')));
  });
}

/** A label's value in one exposition line (values written by crotel need no unescaping here). */
export function labelOf(line: string, label: string): string | undefined {
  const key = `${label}="`;
  let at = line.indexOf(`{${key}`);
  if (at < 0) at = line.indexOf(`,${key}`);
  if (at < 0) return undefined;
  const start = at + 1 + key.length;
  const end = line.indexOf('"', start);
  return end < 0 ? undefined : line.slice(start, end);
}

/** The sample value of one exposition line. */
export function valueOf(line: string): number {
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}
