// An open-loop writer: write j is due at start + j/rate whatever earlier writes did (so a slow
// apiserver shows up as lateness, not as a lower rate), with at most maxInFlight outstanding.
// Resolves once every write has settled.
import { now, percentile, sleep } from './stats.ts';

export interface Acked {
  ok?: boolean;
  ackAt?: number;
}

export async function openLoop(rate: number, total: number, maxInFlight: number, send: (j: number, slot: number) => Promise<unknown>): Promise<void> {
  let inFlight = 0;
  let slotFreed: (() => void) | undefined;
  const start = now() + 50;
  const spacing = 1000 / rate;
  for (let j = 0; j < total; j++) {
    const slot = start + j * spacing;
    const wait = slot - now();
    if (wait > 0) await sleep(wait);
    while (inFlight >= maxInFlight) await new Promise<void>((resolve) => (slotFreed = resolve));
    inFlight++;
    send(j, slot).catch(() => {}).finally(() => {
      inFlight--;
      const wake = slotFreed;
      slotFreed = undefined;
      wake?.();
    });
  }
  while (inFlight > 0) await sleep(5);
}

/** Marks a write acknowledged (ok when the apiserver answered `expected`) when its request settles. */
export function track(write: Acked, request: Promise<{ status: number }>, expected: number): Promise<void> {
  return request.then((res) => {
    write.ok = res.status === expected;
  }, () => {
    write.ok = false;
  }).finally(() => {
    write.ackAt = now();
  });
}

/** How the writes themselves went, the same for every lag measurement. */
export interface WriteStats {
  readonly planned: number;
  readonly acked: number;
  readonly failed: number;
  readonly achievedRate: number;
  /** Writes sent more than 20 ms after their slot (writer or apiserver could not keep up). */
  readonly late: number;
  readonly patchP50Ms: number;
  readonly patchP99Ms: number;
}

export function writeStats(writes: readonly (Acked & { readonly slot: number; readonly sentAt: number })[], planned: number, seconds: number): WriteStats {
  const acked = writes.filter((w) => w.ok === true);
  const latency = acked.map((w) => w.ackAt! - w.sentAt);
  return {
    planned,
    acked: acked.length,
    failed: writes.filter((w) => w.ok === false).length,
    achievedRate: acked.length / seconds,
    late: writes.filter((w) => w.sentAt - w.slot > 20).length,
    patchP50Ms: percentile(latency, 50),
    patchP99Ms: percentile(latency, 99),
  };
}
