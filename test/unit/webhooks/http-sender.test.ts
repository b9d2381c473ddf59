// The webhook HTTP client against a server on 127.0.0.1 (and a resolver that lies, for rebinding):
// no redirect followed, the timeout, and no connection to a refused address on AWS.
import type { LookupAddress } from 'node:dns';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpWebhookSender } from '../../../adapters/webhooks/http-sender';

let server: Server;
let base: string;
const hits: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      hits.push({ url: req.url ?? '', headers: req.headers, body });
      if (req.url === '/redirect') return res.writeHead(302, { location: '/elsewhere' }).end();
      if (req.url === '/silent') return; // never answers
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const send = (
  url: string,
  allowPrivate: boolean,
  timeoutMs = 2_000,
  lookup?: Parameters<typeof httpWebhookSender>[0],
) =>
  httpWebhookSender(lookup).send({
    url,
    headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' },
    body: '{"type":"Points Earned"}',
    timeoutMs,
    allowPrivate,
  });

/** A resolver answering `address` for every name, as a rebinding DNS server would. */
const lyingResolver = (address: string) => ({
  lookup: ((_host: string, _opts: unknown, cb: (e: null, a: LookupAddress[]) => void) =>
    cb(null, [{ address, family: address.includes(':') ? 6 : 4 }])) as never,
});

describe('the webhook HTTP client', () => {
  it('POSTs the body and headers, and reports the status and latency', async () => {
    const res = await send(`${base}/ok`, true);
    expect(res).toMatchObject({ statusCode: 204, error: null });
    expect(res.latencyMs).toBeGreaterThanOrEqual(0);
    const hit = hits.find((h) => h.url === '/ok')!;
    expect(hit.body).toBe('{"type":"Points Earned"}');
    expect(hit.headers['webhook-id']).toBe('msg_1');
  });

  it('does not follow a redirect: the 3xx is the answer', async () => {
    expect(await send(`${base}/redirect`, true)).toMatchObject({ statusCode: 302 });
    expect(hits.some((h) => h.url === '/elsewhere')).toBe(false);
  });

  it('gives up when no answer came within the timeout', async () => {
    const res = await send(`${base}/silent`, true, 150);
    expect(res.statusCode).toBeNull();
    expect(res.error).toMatch(/no answer within 150 ms/);
  });

  it('on AWS, refuses plain http and an address literal without connecting', async () => {
    const before = hits.length;
    expect((await send(`${base}/x`, false)).error).toMatch(/refused target.*https/);
    expect((await send('https://[::ffff:127.0.0.1]:1/x', false)).error).toMatch(/refused target.*loopback/);
    expect(hits.length).toBe(before);
  });

  it('on AWS, refuses a name that resolves to a private address at connect time (DNS rebinding)', async () => {
    for (const [address, cls] of [
      ['127.0.0.1', 'loopback'],
      ['169.254.169.254', 'metadata'],
      ['::ffff:10.0.0.1', 'private'],
    ] as const) {
      const port = (server.address() as AddressInfo).port;
      const res = await send(`https://rebind.example.com:${port}/x`, false, 2_000, lyingResolver(address));
      expect(res.statusCode, address).toBeNull();
      expect(res.error, address).toMatch(new RegExp(`refused target: rebind.example.com resolves to a ${cls}`));
    }
  });
});
