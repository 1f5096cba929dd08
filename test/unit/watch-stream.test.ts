import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryAfterMs } from '../../src/kube/http.ts';
import { ResponseParser } from '../../src/kube/watch-stream.ts';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Feeds `raw` in pieces of `size` bytes; the body as text, the status, and whether it completed. */
function parse(raw: Uint8Array, size: number): { status: number; body: string; complete: boolean; heads: number } {
  const pieces: Uint8Array[] = [];
  let heads = 0;
  const parser = new ResponseParser((bytes) => pieces.push(bytes.slice()), () => heads++);
  let complete = false;
  for (let i = 0; i < raw.length && !complete; i += size) complete = parser.push(raw.subarray(i, i + size));
  const body = Buffer.concat(pieces).toString('utf8');
  return { status: parser.status, body, complete, heads };
}

const events = '{"type":"ADDED","object":{"name":"é✓"}}\n{"type":"BOOKMARK"}\n';
const chunked = (body: Uint8Array, cut: number): Uint8Array => {
  const head = encode('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
  const a = body.subarray(0, cut);
  const b = body.subarray(cut);
  const frame = (part: Uint8Array, ext = ''): Uint8Array[] => [encode(`${part.length.toString(16)}${ext}\r\n`), part, encode('\r\n')];
  return Buffer.concat([head, ...frame(a), ...frame(b, ';name=value'), encode('0\r\nX-Trailer: 1\r\n\r\n')]);
};

test('a chunked watch body comes out whole, whatever the read sizes and chunk boundaries', () => {
  const body = encode(events);
  for (const cut of [1, 7, body.length - 1]) {
    const raw = chunked(body, cut);
    for (let size = 1; size <= raw.length; size++) {
      const got = parse(raw, size);
      assert.deepEqual(got, { status: 200, body: events, complete: true, heads: 1 }, `cut ${cut}, read size ${size}`);
    }
  }
});

test('length-delimited and close-delimited bodies, and an error status', () => {
  const withLength = parse(encode('HTTP/1.1 410 Gone\r\nContent-Length: 5\r\n\r\nhello'), 3);
  assert.deepEqual(withLength, { status: 410, body: 'hello', complete: true, heads: 1 });
  assert.deepEqual(parse(encode('HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n'), 4), { status: 204, body: '', complete: true, heads: 1 });

  const parser = new ResponseParser(() => undefined);
  assert.equal(parser.push(encode('HTTP/1.0 200 OK\r\n\r\nuntil the end')), false);
  parser.end(); // close-delimited: the end of the connection ends the body
});

test('a truncated or malformed response is an error, never a silent end', () => {
  const cutShort = new ResponseParser(() => undefined);
  cutShort.push(encode('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc'));
  assert.throws(() => cutShort.end(), /middle of the response body/);
  assert.throws(() => new ResponseParser(() => undefined).end(), /before an HTTP response/);
  assert.throws(() => new ResponseParser(() => undefined).push(encode('SSH-2.0-OpenSSH\r\n\r\n')), /not an HTTP\/1\.1 response/);
  assert.throws(() => new ResponseParser(() => undefined).push(encode('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')), /bad HTTP chunk size/);
  assert.throws(() => new ResponseParser(() => undefined).push(encode('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY')), /not followed by CRLF/);
});

test('a refused watch keeps the server\'s Retry-After (whole seconds, on 429 and 5xx only, as client-go)', () => {
  const parser = new ResponseParser(() => {}, () => {});
  parser.push(encode('HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nContent-Length: 0\r\n\r\n'));
  assert.equal(parser.retryAfter, '2');
  assert.equal(retryAfterMs(parser.status, parser.retryAfter), 2000);
  assert.equal(retryAfterMs(503, '1'), 1000);
  assert.equal(retryAfterMs(404, '1'), undefined, 'not on a 4xx other than 429');
  assert.equal(retryAfterMs(429, 'Wed, 21 Oct 2026 07:28:00 GMT'), undefined, 'the HTTP-date form is not read');
  assert.equal(retryAfterMs(429, '-1'), undefined);
  assert.equal(retryAfterMs(429, undefined), undefined);
});
