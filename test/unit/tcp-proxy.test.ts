// The chaos proxy may delay, cut, stall or reset a stream, but never reorder it: TCP does not,
// and a reordered watch stream would be a fault no real network produces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startTcpProxy } from '../../harness/tcp-proxy.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('chunks delayed and chunks sent once the delay ends arrive in the order the server wrote them', async () => {
  let serverSide: net.Socket | undefined;
  const upstream = net.createServer((socket) => {
    serverSide = socket;
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const address = upstream.address();
  const proxy = await startTcpProxy({ upstreamPort: typeof address === 'object' && address ? address.port : 0 });
  const client = net.connect({ host: '127.0.0.1', port: proxy.port });
  let received = '';
  client.on('data', (bytes: Buffer) => {
    received += bytes.toString();
  });
  try {
    client.write('hello');
    while (!serverSide) await sleep(5);
    proxy.delay(300);
    serverSide.write('1,');
    await sleep(20);
    serverSide.write('2,');
    await sleep(20);
    proxy.delay(0); // ends while 1 and 2 still wait
    serverSide.write('3,');
    await sleep(20);
    serverSide.write('4.');
    for (let i = 0; i < 200 && !received.endsWith('.'); i++) await sleep(10);
    assert.equal(received, '1,2,3,4.');
  } finally {
    client.destroy();
    serverSide?.destroy();
    await proxy.close();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  }
});
