// Records the raw watch stream of DatabaseInstances (the bytes the apiserver sends, one JSON
// event per line) to a file while step 6 writes, for the apiserver-independent replay (step 7).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { DB_GROUP_VERSION, type ApiClient } from '../lib/api.ts';
import { now, sleep } from '../lib/stats.ts';

export interface WatchRecording {
  /** Lines (events) recorded so far. */
  events(): number;
  /** now() when the first event carrying this status.lastBackupTime (Unix seconds) arrived. */
  deliveredAt(lastBackupSeconds: number): number | undefined;
  /** Waits until at least `expected` events arrived or `timeoutMs` passed, then closes the watch. */
  stop(expected: number, timeoutMs: number): Promise<{ events: number; bytes: number }>;
}

/** The collection's current resourceVersion (a one-item list is a consistent read). */
export async function currentResourceVersion(api: ApiClient): Promise<string> {
  const res = await api.send('GET', `${DB_GROUP_VERSION}/databaseinstances?limit=1`);
  if (res.status !== 200) throw new Error(`list for resourceVersion: HTTP ${res.status}`);
  const rv = (JSON.parse(res.body) as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
  if (!rv) throw new Error('list answered without a resourceVersion');
  return rv;
}

const LAST_BACKUP = '"lastBackupTime":"';

/** status.lastBackupTime of the event in text[start, end) as Unix seconds (managedFields only hold "f:lastBackupTime"). */
function lastBackupSeconds(text: string, start: number, end: number): number | undefined {
  const at = text.indexOf(LAST_BACKUP, start);
  if (at < 0 || at >= end) return undefined;
  const from = at + LAST_BACKUP.length;
  const ms = Date.parse(text.slice(from, text.indexOf('"', from)));
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

export async function recordWatch(api: ApiClient, resourceVersion: string, file: string): Promise<WatchRecording> {
  const out = createWriteStream(file);
  const abort = new AbortController();
  let events = 0;
  let bytes = 0;
  const query = new URLSearchParams({ watch: '1', resourceVersion, allowWatchBookmarks: 'false', timeoutSeconds: '3600' });
  let opened = false;
  const delivered = new Map<number, number>();
  let carry = '';
  const streaming = api.stream(`${DB_GROUP_VERSION}/databaseinstances?${query}`, abort.signal, (chunk) => {
    const at = now();
    opened = true;
    bytes += chunk.length;
    out.write(chunk);
    const text = carry + chunk.toString('utf8');
    let start = 0;
    let newline: number;
    while ((newline = text.indexOf('\n', start)) >= 0) {
      events++;
      const seconds = lastBackupSeconds(text, start, newline);
      if (seconds !== undefined && !delivered.has(seconds)) delivered.set(seconds, at);
      start = newline + 1;
    }
    carry = text.slice(start);
  });
  let failure: unknown;
  streaming.catch((error: unknown) => (failure = error));
  // The apiserver sends headers only with the first event; give the request a moment to land.
  await sleep(200);
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
  return {
    events: () => events,
    deliveredAt: (seconds) => delivered.get(seconds),
    async stop(expected, timeoutMs) {
      const deadline = now() + timeoutMs;
      while (events < expected && now() < deadline && failure === undefined) await sleep(50);
      abort.abort();
      await streaming.catch(() => {});
      out.end();
      await once(out, 'finish');
      if (!opened && expected > 0) throw new Error(`the watch recorded nothing${failure ? `: ${String(failure)}` : ''}`);
      return { events, bytes };
    },
  };
}
