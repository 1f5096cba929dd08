// Step 5: full scrape time — GET /metrics read to the last byte, several times in a row.
import { scrape, type ScrapeResult } from './scrape.ts';
import { max, median, min } from './stats.ts';

export interface ScrapeStats {
  readonly runs: number;
  readonly minMs: number;
  readonly medianMs: number;
  readonly maxMs: number;
  readonly bytes: number;
  readonly series: number;
  readonly objectSeries: number;
  readonly storageSeries: number;
}

export async function measureScrapes(url: string, runs: number): Promise<ScrapeStats> {
  const results: ScrapeResult[] = [];
  for (let i = 0; i < runs; i++) results.push(await scrape(url));
  const times = results.map((r) => r.ms);
  const last = results[results.length - 1]!;
  return {
    runs,
    minMs: min(times),
    medianMs: median(times),
    maxMs: max(times),
    bytes: last.bytes,
    series: last.series,
    objectSeries: last.objectSeries,
    storageSeries: last.storageSeries,
  };
}
