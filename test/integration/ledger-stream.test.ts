// No event lost: ledger events come from the table's stream, read by the local poller into the
// local bus, with a checkpoint next to the data. A stack stopped between a commit and its
// publication publishes the event when it starts again, exactly once, however often it restarts.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../local/dynamodb';
import { type LocalStack, type StartOptions, startLocalStack } from '../../local/start';
import { tailEvents } from '../../tools/events';

const stateDir = mkdtempSync(join(tmpdir(), 'loyalty-stream-it-'));
const tableName = `loyalty-stream-it-${randomUUID().slice(0, 8)}`;
const logs: string[] = [];
let stack: LocalStack | undefined;
// Handlers keep their clients for the life of the process (as a Lambda container does): every start
// of the stack in this file serves the bus on the same port, as `npm start` does.
let eventsPort: number;

const start = async (extra: Partial<StartOptions> = {}) => {
  eventsPort ??= await freePort();
  return startLocalStack({
    port: 0,
    eventsPort,
    dynamodbEndpoint: inject('dynamodbEndpoint') ?? process.env.DYNAMODB_ENDPOINT,
    tableName,
    stateDir,
    retryBaseDelayMs: 10,
    log: (line) => logs.push(line),
    logError: (message, error) => logs.push(`ERROR ${message}: ${(error as Error)?.message}`),
    ...extra,
  });
};

afterAll(async () => {
  await stack?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

const published = (): { id: string; 'detail-type': string; detail: any }[] => {
  const file = join(stateDir, 'events.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
};
const about = (orderId: string) => published().filter((e) => e.detail.data?.orderId === orderId);

async function purchase(s: LocalStack, orderId: string, memberId = 'stream-carol') {
  const res = await fetch(`${s.apiUrl}/v1/purchases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': s.apiKey },
    body: JSON.stringify({
      orderId,
      memberId,
      occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
      currency: 'USD',
      amount: 4250,
    }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { transactionId: string; points: number };
}

describe('events from the table stream, locally', () => {
  it('a commit made while the stack could not publish is published once, on the next start, never again', async () => {
    // Arrange: a stack that commits but does not read its stream (stopped between commit and publication).
    stack = await start({ noStreamPoller: true });
    const earned = await purchase(stack, 'stream-order-1');
    await stack.bus.whenIdle();
    expect(about('stream-order-1')).toEqual([]);
    await stack.stop();

    // Act: the same data directory, with the poller.
    stack = await start();
    await stack.settled();

    // Assert: the Points Earned of that commit, once, with the payload the API path always had.
    const first = about('stream-order-1');
    expect(first.map((e) => e['detail-type'])).toEqual(['Points Earned']);
    expect(first[0]!.detail.data).toMatchObject({
      memberId: 'stream-carol',
      transactionId: earned.transactionId,
      points: earned.points,
      status: 'credited',
      balances: { lifetimeEarned: earned.points },
    });
    // The member the purchase enrolled is announced too, once.
    const enrolled = published().filter(
      (e) => e['detail-type'] === 'Member Enrolled' && e.detail.data.memberId === 'stream-carol',
    );
    expect(enrolled.map((e) => e.detail.data.via)).toEqual(['purchase']);

    // Restarting again publishes nothing twice: the checkpoint says where the stream was read to.
    await stack.stop();
    stack = await start();
    await stack.settled();
    expect(about('stream-order-1').map((e) => e.id)).toEqual([first[0]!.id]);
  }, 180_000);

  it('a running stack publishes within a poll, one compact line per event, and events tail follows it', async () => {
    stack ??= await start();
    const lines: string[] = [];
    const controller = new AbortController();
    const tail = tailEvents({
      file: stack.eventsFile,
      lines: 0,
      max: 2,
      pollMs: 20,
      print: (l) => lines.push(l),
      signal: controller.signal,
    });

    await purchase(stack, 'stream-order-2', 'stream-dave');
    await stack.settled();
    await tail;

    expect(about('stream-order-2').map((e) => e['detail-type'])).toEqual(['Points Earned']);
    const line = logs.find((l) => l.includes('Points Earned') && l.includes('orderId=stream-order-2'));
    expect(line).toMatch(/^ {2}event \d\d:\d\d:\d\d\.\d{3} Points Earned program=\S+ member=stream-dave points=\d+/);
    expect(logs.some((l) => l.includes('no matching rule') && l.includes('loyalty.ledger'))).toBe(false);
    // The tail followed what was published after it started, in order: the new member, then the credit.
    expect(lines[0]).toMatch(/Member Enrolled program=\S+ member=stream-dave via=purchase/);
    expect(lines[1]).toMatch(/Points Earned program=\S+ member=stream-dave points=\d+ status=credited/);
  }, 120_000);
});
