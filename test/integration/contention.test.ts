// Contention is a 409 with Retry-After, never a 500: 25 returns of one order at once, through the
// real handler against DynamoDB Local, all writing the same order and member items. Each answer
// is a credit (201) or a `concurrent-update` problem the client can retry; retried, every return
// lands exactly once and the ledger adds up.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collections } from '../../adapters/dynamodb/keys';
import { ledgerViolations } from '../../core/ledger/domain/ledger';
import { getMember, listMemberTransactions } from '../../core/ledger/use-cases/members';
import { apiEvent, lambdaContext, problemOf } from '../support/events';
import { ledgerFixture } from '../support/ledger';

let f: Awaited<ReturnType<typeof ledgerFixture>>;
let purchases: typeof import('../../functions/purchases-api').handler;

beforeAll(async () => {
  f = await ledgerFixture();
  process.env.TABLE_NAME = f.tableName;
  process.env.DYNAMODB_ENDPOINT = f.endpoint;
  process.env.EVENTBRIDGE_ENDPOINT = 'http://127.0.0.1:9'; // publishing fails; the ledger must not care
  purchases = (await import('../../functions/purchases-api')).handler;
  await f.program('busy');
});
afterAll(() => f.drop());

const RETURNS = 25;
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

const post = (resource: string, body: unknown, pathParameters?: Record<string, string>) =>
  purchases(apiEvent({ method: 'POST', resource, pathParameters, body, programId: 'busy' }), lambdaContext);

describe('contention (DynamoDB Local)', () => {
  it(`${RETURNS} concurrent returns of one order: 201 or 409 with Retry-After, never a 500`, async () => {
    const items = Array.from({ length: RETURNS }, (_, i) => ({ sku: `sku-${i}`, quantity: 1, unitPrice: 10_00 }));
    const order = {
      orderId: 'big-order',
      memberId: 'rita',
      occurredAt: ago(60),
      currency: 'USD',
      amount: 250_00,
      items,
    };
    expect((await post('/v1/purchases', order)).statusCode).toBe(201);
    const earned = (await getMember('busy', 'rita', f.deps)).points.available;
    expect(earned).toBe(250);

    const returnedAt = ago(5); // one body per return id: a retry is the same request
    const returnOf = (i: number) =>
      post(
        '/v1/purchases/{orderId}/returns',
        { returnId: `ret-${i}`, occurredAt: returnedAt, items: [{ sku: `sku-${i}`, quantity: 1 }] },
        { orderId: 'big-order' },
      );
    const first = await Promise.all(Array.from({ length: RETURNS }, (_, i) => returnOf(i)));
    const statuses = first.map((r) => r.statusCode);
    const unexpected = first.filter((r) => r.statusCode !== 201 && r.statusCode !== 409);
    expect(unexpected.map((r) => `${r.statusCode} ${r.body}`)).toEqual([]);
    for (const res of first.filter((r) => r.statusCode === 409)) {
      expect(problemOf(res).type).toBe('https://loyalty.dev/problems/concurrent-update');
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }

    // The client retries what it was told to retry; a return already recorded replays (200).
    const pending = new Set(first.flatMap((r, i) => (r.statusCode === 409 ? [i] : [])));
    for (let round = 0; pending.size && round < 5; round++) {
      for (const i of [...pending]) if ((await returnOf(i)).statusCode === 201) pending.delete(i);
    }
    expect([...pending]).toEqual([]);
    const replays = await Promise.all(Array.from({ length: RETURNS }, (_, i) => returnOf(i)));
    expect(replays.map((r) => r.statusCode)).toEqual(Array(RETURNS).fill(200));

    expect((await getMember('busy', 'rita', f.deps)).points.available).toBe(0);
    const { items: transactions } = await listMemberTransactions('busy', 'rita', { limit: 100 }, f.deps);
    expect(transactions.filter((t) => t.source === 'return')).toHaveLength(RETURNS);
    const stored = (await f.scanAll()).filter((i) => i.pk === collections.member('busy', 'rita'));
    const m = stored.find((i) => i.sk === 'PROFILE')!;
    const balances = {
      available: m.available,
      pending: m.pending,
      lifetimeEarned: m.lifetimeEarned,
      debt: m.debt ?? 0,
    };
    const lots = stored.filter((i) => i.entity === 'lot') as never[];
    expect(ledgerViolations(balances, lots, stored.filter((i) => i.entity === 'tx') as never[])).toEqual([]);
    console.log(
      `contention: first round ${statuses.filter((s) => s === 201).length} x 201, ` +
        `${statuses.filter((s) => s === 409).length} x 409 (each with Retry-After), 0 x 5xx`,
    );
  }, 120_000);
});
