import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getStoredItem } from '../../adapters/dynamodb/bulk';
import { keys } from '../../adapters/dynamodb/keys';
import { itemBytes, type WireItem } from '../../bench/item-size';
import { demoEarningRules } from '../../core/earning/domain';
import { earnForPurchase } from '../../core/earning/use-cases/earn-for-purchase';
import { recordReturn } from '../../core/earning/use-cases/record-return';
import { listMemberTransactions } from '../../core/ledger/use-cases/members';
import { ledgerFixture, purchase } from '../support/ledger';

const NOW = '2026-11-23T12:00:00.000Z';
// Saturday noon in New York: the demo rules' weekend campaign applies.
const basket = {
  occurredAt: '2026-11-21T17:00:00.000Z',
  amount: 35_94,
  channel: 'app',
  items: [
    { sku: 'beans-250g', quantity: 1, unitPrice: 9_50, category: 'coffee' },
    { sku: 'sku-17', quantity: 1, unitPrice: 26_44, category: 'home' },
  ],
};

describe('order guards and transactions as stored (DynamoDB Local)', () => {
  let f: Awaited<ReturnType<typeof ledgerFixture>>;
  const item = async (key: { pk: string; sk: string }) =>
    (await f.scanAll()).find((i) => i.pk === key.pk && i.sk === key.sk)!;

  /** The item's size as DynamoDB bills it, from the attribute values it holds. */
  const bytes = async (key: { pk: string; sk: string }) => {
    const raw = new DynamoDBClient({
      endpoint: f.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const stored = await getStoredItem(raw, f.tableName, { pk: { S: key.pk }, sk: { S: key.sk } });
    raw.destroy();
    return itemBytes(stored as WireItem);
  };

  beforeAll(async () => {
    f = await ledgerFixture(NOW);
    await f.program('demo', { currency: 'USD', timeZone: 'America/New_York' });
    for (const rule of demoEarningRules()) {
      const set = await f.deps.rules.getRuleSet('demo');
      await f.deps.rules.saveRule('demo', rule, set, { changedAt: NOW, changedBy: 'test', change: 'created' });
    }
  });
  afterAll(() => f.drop());

  it('packs the purchase, result and item shares of an order, and a breakdown, each item under 1 KB', async () => {
    const first = await earnForPurchase('demo', purchase({ ...basket, orderId: 'o-1', memberId: 'ann' }), f.deps);
    const order = await item(keys.order('demo', 'o-1'));
    const tx = await item(keys.transaction('demo', 'ann', first.result.transactionId));
    expect(order.packed).toBeInstanceOf(Uint8Array);
    expect(order).not.toHaveProperty('purchase');
    expect(order).not.toHaveProperty('result');
    expect(tx.packed).toBeInstanceOf(Uint8Array);
    expect(tx).not.toHaveProperty('breakdown');
    expect(first.result.breakdown.map((l) => l.ruleId)).toEqual(
      expect.arrayContaining(['base-spend', 'coffee-double', 'weekend-boost', 'welcome-bonus']),
    );
    expect(await bytes(keys.order('demo', 'o-1'))).toBeLessThan(1024);
    expect(await bytes(keys.transaction('demo', 'ann', first.result.transactionId))).toBeLessThan(1024);
  });

  it('reads back what it packed: replay, the order for returns and backtests, the transaction list', async () => {
    const p = purchase({ ...basket, orderId: 'o-2', memberId: 'bob' });
    const first = await earnForPurchase('demo', p, f.deps);
    const replay = await earnForPurchase('demo', p, f.deps);
    expect(replay).toEqual({ replayed: true, result: first.result });
    const order = (await f.deps.orders.getOrder('demo', 'o-2'))!;
    expect(order.purchase).toEqual(p);
    expect(order.itemPoints.map((i) => i.sku)).toEqual(['beans-250g', 'sku-17']);
    expect(order.lot).toMatchObject({ lotId: expect.any(String) });
    expect(order.memberFacts).toMatchObject({ purchaseCount: 0 });
    const page = await listMemberTransactions('demo', 'bob', { limit: 10 }, f.deps);
    expect(page.items[0]!.breakdown).toEqual(first.result.breakdown);
    const listed = [];
    for await (const o of f.deps.orders.purchasesBetween(
      'demo',
      '2026-11-21T00:00:00.000Z',
      '2026-11-22T00:00:00.000Z',
    ))
      listed.push(o.purchase.orderId);
    expect(listed).toEqual(expect.arrayContaining(['o-1', 'o-2']));
    const back = await recordReturn(
      'demo',
      'o-2',
      { returnId: 'r-2', occurredAt: '2026-11-23T11:00:00Z', items: [{ sku: 'beans-250g', quantity: 1 }] },
      f.deps,
    );
    expect(back.result.points).toBe(order.itemPoints[0]!.points);
  });

  it('reads orders and transactions stored before packing, plain attributes and all', async () => {
    const p = purchase({ ...basket, orderId: 'o-old', memberId: 'cat' });
    const recorded = await earnForPurchase('demo', p, f.deps);
    const stored = (await f.deps.orders.getOrder('demo', 'o-old'))!;
    const txs = await listMemberTransactions('demo', 'cat', { limit: 10 }, f.deps);
    // Rewrite both in the shape written before: every attribute plain.
    const { packed: _o, ...orderItem } = await item(keys.order('demo', 'o-old'));
    await f.ddb.send(new PutCommand({ TableName: f.tableName, Item: { ...orderItem, ...stored } }));
    const { packed: _t, ...txItem } = await item(keys.transaction('demo', 'cat', recorded.result.transactionId));
    await f.ddb.send(
      new PutCommand({ TableName: f.tableName, Item: { ...txItem, breakdown: txs.items[0]!.breakdown } }),
    );
    expect((await item(keys.order('demo', 'o-old'))).purchase).toEqual(p);

    expect(await f.deps.orders.getOrder('demo', 'o-old')).toEqual(stored);
    expect(await listMemberTransactions('demo', 'cat', { limit: 10 }, f.deps)).toEqual(txs);
    expect(await earnForPurchase('demo', p, f.deps)).toEqual({ replayed: true, result: recorded.result });
    const listed = [];
    for await (const o of f.deps.orders.purchasesBetween(
      'demo',
      '2026-11-21T00:00:00.000Z',
      '2026-11-22T00:00:00.000Z',
    ))
      if (o.purchase.orderId === 'o-old') listed.push(o);
    expect(listed).toEqual([stored]);
    const back = await recordReturn(
      'demo',
      'o-old',
      { returnId: 'r-old', occurredAt: '2026-11-23T11:00:00Z', items: [{ sku: 'sku-17', quantity: 1 }] },
      f.deps,
    );
    expect(back.result.points).toBe(stored.itemPoints[1]!.points);
  });
});
