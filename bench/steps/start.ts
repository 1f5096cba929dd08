// Step 3: crotel start → ready. From spawning the CLI to the first /metrics that carries a
// storage series for every object. /readyz is polled first (cheap) so the full scrapes, which
// compete with crotel's own list processing for its one thread, start only near the end.
import type { BenchCrotel } from '../lib/crotel-child.ts';
import { scrape } from '../lib/scrape-client.ts';
import { now, sleep } from '../lib/stats.ts';

export interface StartResult {
  /** Spawn → /healthz answered (process boot, module loading). */
  readonly listeningSeconds: number;
  /** Spawn → /readyz 200 (the initial list delivered to the store). */
  readonly readySeconds: number;
  /** Spawn → end of the first scrape with N storage series. */
  readonly completeSeconds: number;
  /** Scrapes it took after /readyz (1 when ready meant complete). */
  readonly scrapes: number;
  /** crotel's own measure of its paginated list (log line "listed"). */
  readonly listedSeconds?: number;
}

export async function measureStart(crotel: BenchCrotel, objects: number, timeoutMs: number): Promise<StartResult> {
  const deadline = now() + timeoutMs;
  let readyAt: number | undefined;
  while (readyAt === undefined) {
    if (now() > deadline) throw new Error(`crotel not ready after ${timeoutMs} ms: ${crotel.crotel.output().slice(-2000)}`);
    const res = await fetch(`${crotel.url}/readyz`).catch(() => undefined);
    if (res) await res.text();
    if (res?.status === 200) readyAt = now();
    else await sleep(25);
  }
  let scrapes = 0;
  for (;;) {
    if (now() > deadline) throw new Error(`crotel /metrics never carried ${objects} objects within ${timeoutMs} ms`);
    const result = await scrape(crotel.url);
    scrapes++;
    if (result.storageSeries >= objects) {
      const listedSeconds = crotel.listedSeconds();
      return {
        listeningSeconds: (crotel.listeningAt - crotel.spawnedAt) / 1000,
        readySeconds: (readyAt - crotel.spawnedAt) / 1000,
        completeSeconds: (result.endedAt - crotel.spawnedAt) / 1000,
        scrapes,
        ...(listedSeconds !== undefined ? { listedSeconds } : {}),
      };
    }
    await sleep(100);
  }
}
