// Step 5: full scrape time — GET /metrics read to the last byte, several times in a row, once
// as plain text and once with gzip asked for (what Prometheus always sends), so the two can be
// compared: bytes on the wire, time to the last decoded byte, and crotel's own CPU per scrape
// (compression is paid there).
import { cpuSecondsOf } from '../lib/proc.ts';
import { scrape, type ScrapeResult } from '../lib/scrape-client.ts';
import { max, median, min } from '../lib/stats.ts';

export interface ScrapeStats {
  readonly runs: number;
  /** Content-Encoding the answers came with ('' for none). */
  readonly encoding: string;
  readonly minMs: number;
  readonly medianMs: number;
  readonly maxMs: number;
  /** Decoded text bytes. */
  readonly bytes: number;
  /** Bytes on the wire (compressed with gzip). */
  readonly wireBytes: number;
  readonly series: number;
  readonly objectSeries: number;
  readonly storageSeries: number;
  /** crotel's utime + stime over the runs, divided by the runs (undefined without a pid). */
  readonly cpuMsPerScrape?: number;
}

export async function measureScrapes(url: string, runs: number, options: { gzip?: boolean; pid?: number } = {}): Promise<ScrapeStats> {
  const results: ScrapeResult[] = [];
  const cpuBefore = cpuSecondsOf(options.pid);
  for (let i = 0; i < runs; i++) results.push(await scrape(url, undefined, { gzip: options.gzip ?? false }));
  const cpuAfter = cpuSecondsOf(options.pid);
  const times = results.map((r) => r.ms);
  const last = results[results.length - 1]!;
  if (options.gzip && last.encoding !== 'gzip') throw new Error(`asked for gzip, got Content-Encoding '${last.encoding}'`);
  return {
    runs,
    encoding: last.encoding,
    minMs: min(times),
    medianMs: median(times),
    maxMs: max(times),
    bytes: last.bytes,
    wireBytes: last.wireBytes,
    series: last.series,
    objectSeries: last.objectSeries,
    storageSeries: last.storageSeries,
    ...(cpuBefore !== undefined && cpuAfter !== undefined ? { cpuMsPerScrape: ((cpuAfter - cpuBefore) * 1000) / runs } : {}),
  };
}
