// Step 2: the floor for "time to ready" — a bare paginated list (limit + continue) of every
// DatabaseInstance (or of another collection) over plain HTTP, JSON-decoding each page and
// keeping nothing.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { DB_GROUP_VERSION, type ApiClient } from '../lib/api.ts';
import { now } from '../lib/stats.ts';

export interface ListResult {
  readonly seconds: number;
  /** Of which JSON.parse. */
  readonly decodeSeconds: number;
  readonly bytes: number;
  readonly objects: number;
  readonly pages: number;
  readonly resourceVersion: string;
}

interface ListPage {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: unknown[];
}

/**
 * Lists the whole collection page by page. With `dump`, every object is also written as one
 * JSON line to that file (used to seed the replay step; do not time such a run). `collection`:
 * the path listed (default every DatabaseInstance).
 */
export async function bareList(api: ApiClient, pageSize: number, dump?: string, collection = `${DB_GROUP_VERSION}/databaseinstances`): Promise<ListResult> {
  const out = dump ? createWriteStream(dump) : undefined;
  const started = now();
  let decode = 0;
  let bytes = 0;
  let objects = 0;
  let pages = 0;
  let token: string | undefined;
  let resourceVersion = '';
  do {
    const query = new URLSearchParams({ limit: String(pageSize) });
    if (token) query.set('continue', token);
    const res = await api.getBytes(`${collection}?${query}`);
    if (res.status !== 200) throw new Error(`list: HTTP ${res.status}: ${res.bytes.toString().slice(0, 300)}`);
    bytes += res.bytes.length;
    const t = now();
    const page = JSON.parse(res.bytes.toString('utf8')) as ListPage;
    decode += now() - t;
    const items = page.items ?? [];
    objects += items.length;
    pages++;
    if (out) {
      for (const item of items) {
        if (!out.write(`${JSON.stringify(item)}\n`)) await once(out, 'drain');
      }
    }
    resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    token = page.metadata?.continue || undefined;
  } while (token);
  if (out) {
    out.end();
    await once(out, 'finish');
  }
  return { seconds: (now() - started) / 1000, decodeSeconds: decode / 1000, bytes, objects, pages, resourceVersion };
}
