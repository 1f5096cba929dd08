// The body of a watch, read off a connection of its own. Directly connected, the request is
// HTTP/1.1 written here and the response parsed here — status line, headers, then a chunked,
// length-delimited or close-delimited body — because a watch is one long GET and the parsing it
// needs is small. Why not undici for it: under a steady trickle of changes, most of each event's
// CPU went to client machinery (undici's client, fetch's web streams) rather than to crotel's
// own work; `npm run bench -- watch-cpu` measures the per-update CPU. Behind a proxy, undici.
import net from 'node:net';
import tls from 'node:tls';
import type { ApiServer } from './credentials.ts';
import { apiUrl, directConnection, httpError, kubeRequest, noteRejection, ok, type DirectConnection } from './http.ts';

/** Receives body bytes; they are valid only during the call (the read buffer is reused). */
export type BodyListener = (bytes: Uint8Array) => void;

const CONNECT_TIMEOUT_MS = 10_000;
const READ_BUFFER_BYTES = 64 * 1024;

/** GETs `path` and streams the 2xx body into onBody; resolves when the server ends it. onStart
 * runs once the server has answered 2xx. */
export async function streamGet(api: ApiServer, path: string, signal: AbortSignal, onBody: BodyListener, onStart?: () => void): Promise<void> {
  const url = new URL(apiUrl(api, path));
  const direct = await directConnection(api);
  if (!direct) return pooledStreamGet(api, path, signal, onBody, onStart);
  try {
    await readOverOwnConnection(url, path, direct, signal, onBody, onStart);
  } catch (error) {
    noteRejection(api, direct, error);
    throw error;
  }
}

/** The same GET over the kept-alive connection pool (http.ts): behind a proxy, and for short
 *  streams such as a watch's probe; the body read to its end returns the connection to the pool. */
export async function pooledStreamGet(api: ApiServer, path: string, signal: AbortSignal, onBody: BodyListener, onStart?: () => void): Promise<void> {
  const response = await kubeRequest(api, path, signal);
  onStart?.();
  for await (const chunk of response.body) onBody(chunk as Uint8Array);
}

function requestText(url: URL, headers: DirectConnection['headers']): string {
  const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`, 'accept: application/json', 'user-agent: crotel'];
  for (const [name, values] of Object.entries(headers)) {
    for (const value of typeof values === 'string' ? [values] : values) {
      if (/[\r\n]/.test(name + value)) throw new Error(`kubeconfig header ${name}: contains a line break`);
      lines.push(`${name}: ${value}`);
    }
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function readOverOwnConnection(url: URL, path: string, direct: DirectConnection, signal: AbortSignal, onBody: BodyListener, onStart?: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const secure = url.protocol === 'https:';
    const host = url.hostname.replace(/^\[|\]$/g, ''); // IPv6 literals come bracketed
    const port = Number(url.port) || (secure ? 443 : 80);
    const errorBody: Buffer[] = [];
    const parser = new ResponseParser(
      (bytes) => {
        if (ok(parser.status)) onBody(bytes);
        else errorBody.push(Buffer.from(bytes)); // a copy: the read buffer is reused
      },
      () => {
        if (ok(parser.status)) onStart?.();
      },
    );
    let settled = false;
    const settle = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error !== undefined) reject(error instanceof Error ? error : new Error(String(error)));
      else if (!ok(parser.status)) reject(httpError(parser.status, 'GET', path, Buffer.concat(errorBody).toString('utf8'), parser.retryAfter));
      else resolve();
    };
    const onAbort = (): void => settle(signal.reason);
    const onread = {
      buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
      callback: (length: number, buffer: Uint8Array): boolean => {
        try {
          if (parser.push(buffer.subarray(0, length))) settle();
        } catch (error) {
          settle(error); // a consumer's throw ends the watch like a broken connection would
        }
        return true;
      },
    };
    // tls.connect takes `onread` as net.connect does (Node docs); @types/node lacks it.
    const tlsOptions: tls.ConnectionOptions & { onread: net.OnReadOpts } = {
      host, port, ...(net.isIP(host) ? {} : { servername: host }), ...(direct.tls as tls.ConnectionOptions), onread,
    };
    const socket: net.Socket = secure ? tls.connect(tlsOptions) : net.connect({ host, port, onread });
    const connectTimer = setTimeout(() => settle(new Error(`connecting to ${url.host}: no answer within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(connectTimer);
      socket.setKeepAlive(true, 30_000); // as client-go: below cloud load balancers' idle timeouts
      try {
        socket.write(requestText(url, direct.headers));
      } catch (error) {
        settle(error);
      }
    });
    socket.on('error', settle);
    socket.on('close', () => {
      try {
        parser.end();
        settle();
      } catch (error) {
        settle(error);
      }
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

type Mode = 'head' | 'size' | 'data' | 'data-end' | 'trailer' | 'length' | 'close' | 'done';

const LF = 0x0a;

/** One HTTP/1.1 response, fed in pieces of any size; body bytes go to the listener. */
export class ResponseParser {
  status = 0;
  /** The Retry-After header of the answer, if any (a refused watch: see http.ts retryAfterMs). */
  retryAfter: string | undefined;
  private mode: Mode = 'head';
  private head = '';
  private line = '';
  private remaining = 0;
  private readonly onBody: BodyListener;
  private readonly onHead: (() => void) | undefined;

  constructor(onBody: BodyListener, onHead?: () => void) {
    this.onBody = onBody;
    this.onHead = onHead;
  }

  /** True once the response is complete. */
  push(bytes: Uint8Array): boolean {
    let at = 0;
    while (at < bytes.length && this.mode !== 'done') {
      switch (this.mode) {
        case 'head': {
          const before = this.head.length;
          this.head += Buffer.from(bytes.buffer, bytes.byteOffset + at, bytes.length - at).toString('latin1');
          const end = this.head.indexOf('\r\n\r\n');
          if (end < 0) {
            if (this.head.length > 64 * 1024) throw new Error('HTTP response head longer than 64 KiB');
            return false;
          }
          at += end + 4 - before;
          this.readHead(this.head.slice(0, end));
          this.onHead?.();
          break;
        }
        case 'size':
        case 'data-end':
        case 'trailer': {
          const newline = bytes.indexOf(LF, at);
          const stop = newline < 0 ? bytes.length : newline;
          this.line += Buffer.from(bytes.buffer, bytes.byteOffset + at, stop - at).toString('latin1');
          if (this.line.length > 4096) throw new Error('HTTP chunk framing line longer than 4 KiB');
          if (this.mode === 'data-end' && this.line !== '' && this.line !== '\r') throw new Error('HTTP chunk not followed by CRLF');
          at = stop;
          if (newline < 0) break;
          at++;
          const line = this.line.replace(/\r$/, '');
          this.line = '';
          this.endLine(line);
          break;
        }
        case 'data':
        case 'length': {
          const take = Math.min(this.remaining, bytes.length - at);
          this.onBody(bytes.subarray(at, at + take));
          at += take;
          this.remaining -= take;
          if (this.remaining === 0) this.mode = this.mode === 'data' ? 'data-end' : 'done';
          break;
        }
        case 'close':
          this.onBody(bytes.subarray(at));
          at = bytes.length;
          break;
      }
    }
    return this.mode === 'done';
  }

  /** The connection closed: fine only for a complete or close-delimited response. */
  end(): void {
    if (this.mode === 'close') this.mode = 'done';
    if (this.mode !== 'done') throw new Error(this.mode === 'head' ? 'connection closed before an HTTP response' : 'connection closed in the middle of the response body');
  }

  private readHead(head: string): void {
    const [statusLine = '', ...fields] = head.split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (!status) throw new Error(`not an HTTP/1.1 response: ${JSON.stringify(statusLine.slice(0, 80))}`);
    this.status = Number(status[1]);
    const headers = new Map<string, string>();
    for (const field of fields) {
      const colon = field.indexOf(':');
      if (colon > 0) headers.set(field.slice(0, colon).trim().toLowerCase(), field.slice(colon + 1).trim());
    }
    this.head = '';
    this.retryAfter = headers.get('retry-after');
    if (/\bchunked\b/i.test(headers.get('transfer-encoding') ?? '')) {
      this.mode = 'size';
    } else if (headers.has('content-length')) {
      this.remaining = Number(headers.get('content-length'));
      if (!Number.isSafeInteger(this.remaining) || this.remaining < 0) throw new Error(`bad content-length ${headers.get('content-length')}`);
      this.mode = this.remaining === 0 ? 'done' : 'length';
    } else {
      this.mode = 'close';
    }
  }

  private endLine(line: string): void {
    if (this.mode === 'data-end') {
      if (line !== '') throw new Error('HTTP chunk not followed by CRLF');
      this.mode = 'size';
    } else if (this.mode === 'size') {
      const hex = line.split(';', 1)[0]!.trim();
      if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new Error(`bad HTTP chunk size ${JSON.stringify(line.slice(0, 40))}`);
      this.remaining = parseInt(hex, 16);
      this.mode = this.remaining === 0 ? 'trailer' : 'data';
    } else if (line === '') {
      this.mode = 'done'; // the blank line after the (usually absent) trailers
    }
  }
}
