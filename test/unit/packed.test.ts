import { describe, expect, it } from 'vitest';
import { orderPut, toRecordedOrder } from '../../adapters/dynamodb/entities/order';
import { pack, unpack } from '../../adapters/dynamodb/entities/packed';
import { toTransaction, transactionPut } from '../../adapters/dynamodb/entities/transaction';
import type { OrderRecorded } from '../../core/earning/ports';
import type { Transaction } from '../../core/ledger/domain/types';

const ctx = { tableName: 't', programId: 'p', now: '2026-11-23T12:00:00.000Z' };
const breakdown = [
  { rule: 'base', ruleId: 'base-spend', version: 1, description: '1 pt per USD on USD 35.94 = 35.94 pt', points: 35 },
  {
    rule: 'windfall',
    ruleId: 'lucky',
    version: 2,
    description: 'windfall not won: roll 4882 of 10000 against 500 (p=0.05)',
    points: 0,
    draw: { roll: 4882, threshold: 500, won: false, key: 'wk-1' },
  },
];
const tx: Transaction = {
  transactionId: '01M8SGXNJC8ZWV81VA4PGRTDJ0',
  memberId: 'ann',
  type: 'earn',
  points: 35,
  reason: 'Purchase o-1',
  source: 'purchase',
  orderId: 'o-1',
  status: 'credited',
  breakdown,
  lots: [{ lotId: '01M8SGXNJC8ZWV81VA4PGRTDJ1', points: 35 }],
  occurredAt: '2026-11-21T17:00:00.000Z',
  recordedAt: '2026-11-23T12:00:00.000Z',
};
const order: OrderRecorded['order'] = {
  fingerprint: 'xeddW5IPn5gIgZ6c3J7dyUi-YCRmAs5xOBNy2cXXka8',
  result: {
    transactionId: tx.transactionId,
    orderId: 'o-1',
    memberId: 'ann',
    points: 35,
    status: 'credited',
    breakdown,
  },
  purchase: {
    orderId: 'o-1',
    memberId: 'ann',
    occurredAt: '2026-11-21T17:00:00.000Z',
    currency: 'EUR',
    amount: 35_94,
    items: [{ sku: 'crème-brûlée', quantity: 2, unitPrice: 17_97, category: 'café' }],
  },
  itemPoints: [{ sku: 'crème-brûlée', quantity: 2, points: 35 }],
  earnedOn: 35_94,
  lot: { lotId: '01M8SGXNJC8ZWV81VA4PGRTDJ1', expiresAt: null },
  returned: { points: 0, amount: 0, quantities: {} },
  version: 0,
  memberFacts: { tier: null, purchaseCount: 3, referredBy: null },
  recordedAt: '2026-11-23T12:00:00.000Z',
};

describe('packed attributes', () => {
  it('come back as they went in: nested values, nulls, non-ASCII text', () => {
    const value = { breakdown, nested: { a: [1, null, 'ü€'], b: true } };
    expect(unpack({ pk: 'x', packed: pack(value) })).toEqual({ pk: 'x', ...value });
  });

  it('take less room than their JSON', () => {
    expect(pack({ breakdown }).length).toBeLessThan(JSON.stringify({ breakdown }).length * 0.75);
  });

  it('leave an item without them as it is', () => {
    const plain = { pk: 'x', breakdown };
    expect(unpack(plain)).toBe(plain);
  });
});

describe('order guards and transactions, packed', () => {
  it('an order guard keeps its keys, entity and what returns update plain, and reads back whole', () => {
    const item = orderPut(ctx, { kind: 'order-recorded', order }).item.Put!.Item!;
    expect(Object.keys(item).sort()).toEqual(
      ['entity', 'gsi2pk', 'gsi2sk', 'packed', 'pk', 'programId', 'returned', 'sk', 'version'].sort(),
    );
    expect(toRecordedOrder(item)).toEqual(order);
  });

  it('an order guard written with every attribute plain reads the same', () => {
    const { packed: _, ...keyed } = orderPut(ctx, { kind: 'order-recorded', order }).item.Put!.Item!;
    const plain = { ...keyed, ...order };
    expect(toRecordedOrder(plain)).toEqual(order);
  });

  it('a transaction packs its breakdown only, and reads back whole; a plain one reads the same', () => {
    const item = transactionPut(ctx, tx).item.Put!.Item!;
    expect(item).not.toHaveProperty('breakdown');
    expect(item).toMatchObject({ entity: 'tx', transactionId: tx.transactionId, points: 35, status: 'credited' });
    expect(toTransaction(item)).toEqual(tx);
    const { packed: _, ...rest } = item;
    expect(toTransaction({ ...rest, breakdown })).toEqual(tx);
  });
});
