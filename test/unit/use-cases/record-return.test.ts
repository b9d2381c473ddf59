import { describe, expect, it } from 'vitest';
import { OrderNotFound } from '../../../core/earning/errors';
import { earnForPurchase } from '../../../core/earning/use-cases/earn-for-purchase';
import { recordReturn } from '../../../core/earning/use-cases/record-return';
import { IdempotencyConflict, Unprocessable } from '../../../core/kernel/errors';
import { BASE_RULE, BASKET, DAY_MS, memoryFixture, purchase, returnOf, SHOE_BONUS } from './fixture';

/** A program whose order o-items earned 180 points: 60 on the shirts, 120 on the shoes (80 base + 40 bonus). */
async function basketBought(opts: { returnPolicy?: 'cap-at-balance' | 'negative-balance' } = {}) {
  const f = memoryFixture();
  await f.program('shop', opts, [BASE_RULE, SHOE_BONUS]);
  await earnForPurchase(
    'shop',
    purchase({ orderId: 'o-items', memberId: 'ann', amount: 140_00, items: BASKET }),
    f.deps,
  );
  return f;
}

describe('recordReturn', () => {
  it('a returned item takes back only the points it earned (its share of the breakdown)', async () => {
    const f = await basketBought();

    const { result } = await recordReturn(
      'shop',
      'o-items',
      returnOf('r1', { items: [{ sku: 'shoes', quantity: 1 }] }),
      f.deps,
    );

    expect(result).toMatchObject({ points: 120, fromOrder: 120, fullyReturned: false, orderPointsLeft: 60 });
    expect(await f.balance('shop', 'ann')).toEqual({ available: 60, pending: 0, lifetimeEarned: 60 });
    expect(await f.violations('shop', 'ann')).toEqual([]);
  });

  it("a returned amount takes back its proportional share of the order's points", async () => {
    const f = await basketBought();

    const { result } = await recordReturn('shop', 'o-items', returnOf('r1', { amount: 35_00 }), f.deps);

    expect(result).toMatchObject({ points: 45, orderPointsLeft: 135, fullyReturned: false });
    expect((await f.stores.orders.getOrder('shop', 'o-items'))!.returned).toMatchObject({ points: 45, amount: 35_00 });
  });

  it('a full cancellation takes back what the order still holds', async () => {
    const f = await basketBought();
    await recordReturn('shop', 'o-items', returnOf('r1', { items: [{ sku: 'shirt', quantity: 1 }] }), f.deps);

    const { result } = await recordReturn('shop', 'o-items', returnOf('r2'), f.deps);

    expect(result).toMatchObject({ points: 160, fullyReturned: true, orderPointsLeft: 0 });
    expect(await f.balance('shop', 'ann')).toEqual({ available: 0, pending: 0, lifetimeEarned: 0 });
  });

  it('a replay returns the original result and writes nothing', async () => {
    const f = await basketBought();
    const first = await recordReturn('shop', 'o-items', returnOf('r1'), f.deps);
    const before = f.stores.snapshot();

    const again = await recordReturn('shop', 'o-items', returnOf('r1'), f.deps);

    expect(again).toEqual({ replayed: true, result: first.result });
    expect(f.stores.snapshot()).toEqual(before);
  });

  it('the same return id with different content is an IdempotencyConflict', async () => {
    const f = await basketBought();
    await recordReturn('shop', 'o-items', returnOf('r1', { amount: 10_00 }), f.deps);

    const other = recordReturn('shop', 'o-items', returnOf('r1', { amount: 20_00 }), f.deps);

    await expect(other).rejects.toBeInstanceOf(IdempotencyConflict);
  });

  it('returning more items than are left is Unprocessable, naming the quantity, and writes nothing', async () => {
    const f = await basketBought();
    await recordReturn('shop', 'o-items', returnOf('r1', { items: [{ sku: 'shirt', quantity: 2 }] }), f.deps);
    const before = f.stores.snapshot();

    const err = await recordReturn(
      'shop',
      'o-items',
      returnOf('r2', { items: [{ sku: 'shirt', quantity: 2 }] }),
      f.deps,
    ).catch((e) => e);

    expect(err).toBeInstanceOf(Unprocessable);
    expect(err.errors).toEqual([{ field: 'items.0.quantity', message: expect.stringContaining('1 of 3') }]);
    expect(f.stores.snapshot()).toEqual(before);
  });

  it('returning more money than is left is Unprocessable, naming the amount', async () => {
    const f = await basketBought();
    await recordReturn('shop', 'o-items', returnOf('r1', { amount: 100_00 }), f.deps);

    const err = await recordReturn('shop', 'o-items', returnOf('r2', { amount: 40_01 }), f.deps).catch((e) => e);

    expect(err).toBeInstanceOf(Unprocessable);
    expect(err.errors).toEqual([{ field: 'amount', message: expect.stringContaining('4000 of 14000') }]);
  });

  it('a return of an unknown order is OrderNotFound', async () => {
    const f = await basketBought();

    await expect(recordReturn('shop', 'no-such-order', returnOf('r1'), f.deps)).rejects.toBeInstanceOf(OrderNotFound);
  });

  it('a cancellation after a full return takes nothing more', async () => {
    const f = await basketBought();
    await recordReturn('shop', 'o-items', returnOf('r1'), f.deps);

    const { result } = await recordReturn('shop', 'o-items', returnOf('r2'), f.deps);

    expect(result).toMatchObject({ points: 0, transactionId: null, fullyReturned: true });
    expect(await f.transactions('shop', 'ann')).toHaveLength(2);
  });

  it('policy "cap-at-balance": points already spent come from what is left and the rest is forgiven', async () => {
    const f = memoryFixture();
    await f.program('lenient');
    await earnForPurchase('lenient', purchase({ orderId: 'l-1', memberId: 'eli', amount: 50_00 }), f.deps);
    await earnForPurchase('lenient', purchase({ orderId: 'l-2', memberId: 'eli', amount: 20_00 }), f.deps);
    await f.spend('lenient', 'eli', 60);

    const { result } = await recordReturn('lenient', 'l-1', returnOf('r1'), f.deps);

    expect(result).toMatchObject({ points: 10, fromOrder: 0, fromOtherPoints: 10, forgiven: 40, debt: 0 });
    expect(await f.balance('lenient', 'eli')).toMatchObject({ available: 0 });
    expect(await f.violations('lenient', 'eli')).toEqual([]);
  });

  it('policy "negative-balance": the spent points become a debt that the next earning repays first', async () => {
    const f = memoryFixture();
    await f.program('strict', { returnPolicy: 'negative-balance' });
    await earnForPurchase('strict', purchase({ orderId: 's-1', memberId: 'fay', amount: 50_00 }), f.deps);
    await f.spend('strict', 'fay', 50);

    const { result } = await recordReturn('strict', 's-1', returnOf('r1'), f.deps);
    expect(result).toMatchObject({ points: 50, fromOrder: 0, debt: 50, forgiven: 0 });
    expect((await f.balance('strict', 'fay')).available).toBe(-50);
    await earnForPurchase('strict', purchase({ orderId: 's-2', memberId: 'fay', amount: 80_00 }), f.deps);

    expect((await f.balance('strict', 'fay')).available).toBe(30);
    expect(await f.violations('strict', 'fay')).toEqual([]);
  });

  it('points still pending come back from pending, never from available points', async () => {
    const f = memoryFixture();
    await f.program('held', { pendingDays: 14 });
    await earnForPurchase('held', purchase({ orderId: 'h-1', memberId: 'dan', amount: 30_00 }), f.deps);
    f.clock.advance(20 * DAY_MS);
    await earnForPurchase(
      'held',
      purchase({ orderId: 'h-2', memberId: 'dan', amount: 10_00, occurredAt: '2026-12-13T10:00:00Z' }),
      f.deps,
    );

    const { result } = await recordReturn(
      'held',
      'h-2',
      returnOf('r1', { occurredAt: '2026-12-13T11:00:00Z' }),
      f.deps,
    );

    expect(result).toMatchObject({ points: 10, fromOrder: 10 });
    expect(await f.balance('held', 'dan')).toMatchObject({ available: 30, pending: 0 });
    expect(await f.violations('held', 'dan')).toEqual([]);
  });

  it(
    'a return of an order whose pending points matured while the member owed points takes only what the debt ' + 'left',
    async () => {
      const f = memoryFixture();
      await f.program('owed', { pendingDays: 3, returnPolicy: 'negative-balance' });
      await earnForPurchase('owed', purchase({ orderId: 'o-1', memberId: 'gil', amount: 50_00 }), f.deps);
      f.clock.advance(4 * DAY_MS);
      await f.spend('owed', 'gil', 50);
      await recordReturn('owed', 'o-1', returnOf('r1', { occurredAt: '2026-11-27T11:00:00Z' }), f.deps);
      await earnForPurchase(
        'owed',
        purchase({ orderId: 'o-2', memberId: 'gil', amount: 80_00, occurredAt: '2026-11-27T11:30:00Z' }),
        f.deps,
      );
      f.clock.advance(4 * DAY_MS);

      // o-2's lot matures in the return's own write and repays the 50 owed first: 30 are left of it.
      const { result } = await recordReturn(
        'owed',
        'o-2',
        returnOf('r2', { occurredAt: '2026-12-01T11:00:00Z' }),
        f.deps,
      );

      expect(result).toMatchObject({ points: 80, fromOrder: 30, debt: 50 });
      expect(await f.balance('owed', 'gil')).toMatchObject({ available: -50, pending: 0 });
      expect(await f.violations('owed', 'gil')).toEqual([]);
    },
  );

  it("a spend between the return's read and its commit makes it decide again on what is left", async () => {
    const f = memoryFixture();
    await f.program('lenient');
    await earnForPurchase('lenient', purchase({ orderId: 'l-1', memberId: 'eli', amount: 50_00 }), f.deps);
    f.stores.beforeCommit(() => f.spend('lenient', 'eli', 30));

    const { result } = await recordReturn('lenient', 'l-1', returnOf('r1'), f.deps);

    expect(f.counted('LedgerWriteRetried')).toBe(1);
    expect(result).toMatchObject({ points: 20, fromOrder: 20, forgiven: 30 });
    expect(await f.violations('lenient', 'eli')).toEqual([]);
  });
});
