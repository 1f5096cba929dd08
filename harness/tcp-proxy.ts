// A fault-injecting proxy on loopback, between crotel and a server (the apiserver, the Collector).
// With `tls` it terminates TLS with the apiserver's own serving certificate (SAN 127.0.0.1) and
// opens TLS upstream, so it sees plaintext HTTP: it can cut a watch stream in the middle of a
// chunk or a JSON line, stall it without closing (half-open), delay its bytes, reset every
// connection, or answer each new request 429/503 for a while. Plain TCP without `tls`.
import net from 'node:net';
import tls from 'node:tls';

export interface TcpProxyOptions {
  readonly upstreamPort: number;
  readonly upstreamHost?: string;
  /** Terminate TLS with this certificate and key; trust `ca` upstream. */
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca: string };
}

interface Link {
  readonly client: net.Socket;
  upstream?: net.Socket;
  /** Server → client bytes still allowed before the link is cut (undefined: no limit). */
  budget?: number;
  stalled: boolean;
  /** Delayed writes in flight, kept in order. */
  chain: Promise<void>;
  /** How many chunks wait in `chain`: while any do, a new chunk queues behind them, delay or not. */
  queued: number;
}

export interface TcpProxy {
  readonly port: number;
  readonly connections: number;
  /** Connections accepted since the start, open or closed. */
  readonly accepted: number;
  /** Destroys every open connection at once (the client sees a reset). */
  resetAll(): number;
  /** Each open connection is cut after up to maxBytes more server bytes: mid-chunk, mid-line. */
  cutAll(random: () => number, maxBytes?: number): number;
  /** Open connections stop receiving server bytes but stay open (half-open); new ones pass. */
  stallAll(): number;
  /** Every server → client chunk waits this long (0: none). */
  delay(ms: number): void;
  /** New connections get this HTTP status to their first request and are closed (0: pass). */
  reject(status: number): void;
  close(): Promise<void>;
}

/** An RST where the socket type allows it (plain TCP), else an abrupt close (TLS). */
function hardClose(socket: net.Socket): void {
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

function answer(status: number): string {
  const reason = status === 429 ? 'Too Many Requests' : 'Service Unavailable';
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', message: `chaos proxy: ${reason}`, code: status });
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\nretry-after: 1\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const host = options.upstreamHost ?? '127.0.0.1';
  const links = new Set<Link>();
  let delayMs = 0;
  let rejecting = 0;
  let accepted = 0;

  const toClient = (link: Link, bytes: Buffer): void => {
    if (link.stalled) return; // swallowed: the client waits forever for them
    const send = (): void => {
      if (link.stalled || link.client.destroyed) return;
      if (link.budget !== undefined) {
        const part = bytes.subarray(0, link.budget);
        link.budget -= part.length;
        link.client.write(part);
        if (link.budget <= 0) {
          hardClose(link.client);
          link.upstream?.destroy();
        }
        return;
      }
      link.client.write(bytes);
    };
    // A chunk that arrives when the delay has just ended must still wait for the delayed ones
    // ahead of it: TCP never reorders bytes, and a proxy that did would fabricate a server that
    // sends watch events out of order (the cause of "stale on both replicas" in chaos runs).
    if (delayMs <= 0 && link.queued === 0) return send();
    // Latency, not a throughput cap: each chunk leaves delayMs after it arrived (in order), so a
    // busy stream lags by delayMs instead of falling further behind with every chunk.
    const due = Date.now() + delayMs;
    link.queued += 1;
    link.chain = link.chain.then(() => new Promise<void>((resolve) => setTimeout(() => {
      link.queued -= 1;
      send();
      resolve();
    }, Math.max(0, due - Date.now()))));
  };

  const onClient = (client: net.Socket): void => {
    accepted += 1;
    const link: Link = { client, stalled: false, chain: Promise.resolve(), queued: 0 };
    links.add(link);
    const drop = (): void => {
      links.delete(link);
      if (!client.destroyed) client.destroy();
      link.upstream?.destroy();
    };
    client.on('error', drop);
    client.on('close', drop);
    if (rejecting) {
      const status = rejecting;
      let head = '';
      client.on('data', (chunk: Buffer) => {
        head += chunk.toString('latin1');
        if (head.includes('\r\n\r\n')) client.end(answer(status));
      });
      return;
    }
    const pending: Buffer[] = [];
    client.on('data', (chunk: Buffer) => {
      if (link.upstream?.writable) link.upstream.write(chunk);
      else pending.push(chunk);
    });
    const upstream = options.tls
      ? tls.connect({ host, port: options.upstreamPort, ca: options.tls.ca, servername: host === '127.0.0.1' ? undefined : host })
      : net.connect({ host, port: options.upstreamPort });
    link.upstream = upstream;
    upstream.once(options.tls ? 'secureConnect' : 'connect', () => {
      for (const chunk of pending.splice(0)) upstream.write(chunk);
    });
    upstream.on('data', (bytes: Buffer) => toClient(link, bytes));
    upstream.on('error', drop);
    upstream.on('close', () => {
      void link.chain.then(() => {
        if (!link.stalled) drop();
      });
    });
  };

  const server = options.tls
    ? tls.createServer({ cert: options.tls.cert, key: options.tls.key }, onClient)
    : net.createServer(onClient);
  server.on('tlsClientError', () => {}); // a client that gives up mid-handshake is no failure of ours
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    get connections() {
      return links.size;
    },
    get accepted() {
      return accepted;
    },
    resetAll() {
      const n = links.size;
      for (const link of [...links]) {
        hardClose(link.client);
        link.upstream?.destroy();
      }
      return n;
    },
    cutAll(random, maxBytes = 400) {
      for (const link of links) link.budget = 1 + Math.floor(random() * maxBytes);
      return links.size;
    },
    stallAll() {
      for (const link of links) link.stalled = true;
      return links.size;
    },
    delay(ms) {
      delayMs = ms;
    },
    reject(status) {
      rejecting = status;
    },
    async close() {
      for (const link of [...links]) {
        link.client.destroy();
        link.upstream?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
