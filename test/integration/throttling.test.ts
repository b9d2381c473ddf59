// Per-program throttling on the embedded stack, as `npm start` runs it: programs made with the
// operator CLI and their limits, the gateway metering each by the usage identifier its authorizer
// returns. One program floods the API; another, sending at its own pace meanwhile, is never refused.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/start';
import { main } from '../../tools/cli';

let stack: LocalStack;
const errors: string[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    eventsPort: 0,
    dynamodbEndpoint: inject('dynamodbEndpoint') ?? process.env.DYNAMODB_ENDPOINT,
    tableName: `loyalty-throttle-it-${randomUUID().slice(0, 8)}`,
    retryBaseDelayMs: 10,
    log: () => {},
    logError: (message, error) => errors.push(`${message}: ${error instanceof Error ? error.message : String(error)}`),
  });
}, 120_000);

afterAll(async () => {
  await stack?.bus.whenIdle();
  await stack?.stop();
});

/** `npm run --silent loyalty -- ... --json` against the stack's table. */
async function loyalty(...args: string[]): Promise<any> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a) => void lines.push(a.join(' ')));
  try {
    const code = await main([...args, '--json', '--table', stack.tableName, '--endpoint', stack.dynamodbEndpoint]);
    expect(code).toBe(0);
    return JSON.parse(lines.join('\n'));
  } finally {
    spy.mockRestore();
  }
}

async function programWithKey(programId: string, ...limits: string[]): Promise<string> {
  await loyalty('program', 'create', programId, ...limits);
  return (await loyalty('key', 'create', programId, '--scopes', 'members:read,members:write')).apiKey;
}

const get = (key: string, memberId = 'm-1') =>
  fetch(`${stack.apiUrl}/v1/members/${memberId}`, { headers: { 'x-api-key': key } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tally = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((t, s) => Object.assign(t, { [s]: (t[s] ?? 0) + 1 }), {});

describe('per-program throttling on the local stack', () => {
  it('throttles the program over its rate and burst with 429 problems; the other program gets no 429', async () => {
    const noisy = await programWithKey('noisy', '--rate', '5', '--burst', '10');
    const quiet = await programWithKey('quiet', '--rate', '5', '--burst', '10');

    const started = Date.now();
    const flood = Promise.all(
      Array.from({ length: 80 }, () => get(noisy).then(async (r) => ({ r, body: await r.json() }))),
    );
    const steady: number[] = [];
    for (let i = 0; i < 8; i++) {
      steady.push((await get(quiet)).status);
      await sleep(250); // 4 requests/s: within the quiet program's 5
    }
    const flooded = await flood;
    const seconds = (Date.now() - started) / 1000;

    const noisyStatuses = flooded.map(({ r }) => r.status);
    const served = noisyStatuses.filter((s) => s !== 429).length;
    console.log(
      `noisy: ${flooded.length} requests in ${seconds.toFixed(2)} s -> ${JSON.stringify(tally(noisyStatuses))}; ` +
        `quiet: ${steady.length} requests -> ${JSON.stringify(tally(steady))}`,
    );
    // The handler answered what the gateway let through: no such member yet.
    expect(new Set(noisyStatuses)).toEqual(new Set([404, 429]));
    expect(served).toBeGreaterThanOrEqual(10);
    expect(served).toBeLessThanOrEqual(10 + Math.ceil(5 * seconds) + 1);
    expect(steady).toEqual(Array(8).fill(404));

    const refused = flooded.find(({ r }) => r.status === 429)!;
    expect(refused.r.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.r.headers.get('retry-after')).toBe('1');
    expect(refused.body).toMatchObject({ type: 'https://loyalty.dev/problems/throttled', status: 429 });

    // As Retry-After says: a second later the program is served again.
    await sleep(1_000);
    expect((await get(noisy)).status).toBe(404);
  });

  it("applies a program's quota, and new limits set with the CLI within a second", async () => {
    const capped = await programWithKey('capped', '--quota', '3/day');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await get(capped)).status);
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
    const res = await get(capped);
    expect(res.headers.get('retry-after')).toBe('3600');
    expect(await res.json()).toMatchObject({ type: 'https://loyalty.dev/problems/quota-exceeded', status: 429 });

    const shown = await loyalty('program', 'set', 'capped', '--quota', 'none');
    expect(shown.throttle).toEqual({ rateLimit: 50, burstLimit: 100, quota: null });
    await sleep(1_100);
    expect((await get(capped)).status).toBe(404);
  });

  it('the demo program keeps the defaults: 50 requests/s, bursts of 100, no quota', async () => {
    expect((await loyalty('program', 'show', stack.programId)).throttle).toEqual({
      rateLimit: 50,
      burstLimit: 100,
      quota: null,
    });
    expect(errors).toEqual([]);
  });
});
