import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collections } from '../../adapters/dynamodb/keys';
import { OrderNotFound } from '../../core/earning/errors';
import { earnForPurchase } from '../../core/earning/use-cases/earn-for-purchase';
import { createRule } from '../../core/earning/use-cases/manage-rules';
import { recordReturn } from '../../core/earning/use-cases/record-return';
import { IdempotencyConflict, Unprocessable } from '../../core/kernel/errors';
import { WriteConflict } from '../../core/kernel/retry';
import { ledgerViolations } from '../../core/ledger/domain/ledger';
import { getMember, listMemberTransactions } from '../../core/ledger/use-cases/members';
import { ledgerFixture, purchase } from '../support/ledger';

const NOW = '2026-11-23T12:00:00.000Z';
const ret = (returnId: string, extra: Record<string, unknown> = {}) => ({
  returnId,
  occurredAt: '2026-11-23T11:30:00Z',
  ...extra,
});
const basket = [
  { sku: 'shirt', quantity: 3, unitPrice: 20_00 },
  { sku: 'shoes', quantity: 1, unitPrice: 80_00 },
];

describe('returns and cancellations (DynamoDB Local)', () => {
  let f: Awaited<ReturnType<typeof ledgerFixture>>;

  beforeAll(async () => {
    f = await ledgerFixture(NOW);
    await f.program('shop');
    await f.program('held', { pendingDays: 14 });
    await f.program('lenient');
    await f.program('strict');
    await f.deps.programs.updateProgram('strict', { returnPolicy: 'negative-balance' }, NOW);
    await createRule('shop', { ruleId: 'base', kind: 'base', name: 'Base', pointsPerUnit: { USD: '1' } }, 'k', f.deps);
    await createRule(
      'shop',
      { ruleId: 'shoe-bonus', kind: 'product-bonus', name: 'Shoes bonus', skus: ['shoes'], points: 40 },
      'k',
      f.deps,
    );
  });
  afterAll(() => f.drop());

  const balance = async (programId: string, memberId: string) => (await getMember(programId, memberId, f.deps)).points;

  it('a returned item claws back only the points it earned (its share of the breakdown)', async () => {
    await earnForPurchase(
      'shop',
      purchase({ orderId: 'o-items', memberId: 'ann', amount: 140_00, items: basket }),
      f.deps,
    );
    expect((await balance('shop', 'ann')).available).toBe(180); // 60 + 80 base + 40 bonus on shoes
    const shoes = await recordReturn(
      'shop',
      'o-items',
      ret('r-shoes', { items: [{ sku: 'shoes', quantity: 1 }] }),
      f.deps,
    );
    expect(shoes.result).toMatchObject({ points: 120, fromOrder: 120, fullyReturned: false, orderPointsLeft: 60 });
    const shirt = await recordReturn(
      'shop',
      'o-items',
      ret('r-shirt', { items: [{ sku: 'shirt', quantity: 1 }] }),
      f.deps,
    );
    expect(shirt.result.points).toBe(20);
    expect((await balance('shop', 'ann')).available).toBe(40);
  });

  it(
    'a return lowers the tier qualifying value by the money returned (spend tiers), in the month of the ' + 'purchase',
    async () => {
      await f.program('spendy');
      await f.deps.programs.updateProgram(
        'spendy',
        {
          tierSet: {
            metric: 'spend',
            window: { kind: 'calendar', period: 'year' },
            review: { graceUntilEndOfNextPeriod: true, dropMode: 'one-tier' },
            tiers: [
              { id: 'base', name: 'Base', threshold: 0, multiplier: 1, attributes: {} },
              { id: 'vip', name: 'VIP', threshold: 1_000_00, multiplier: 1, attributes: {} },
            ],
          },
        },
        NOW,
      );
      await earnForPurchase(
        'spendy',
        purchase({ orderId: 'sp-1', memberId: 'gus', amount: 140_00, items: basket }),
        f.deps,
      );
      const bucket = async () =>
        (await f.scanAll()).find((i) => i.pk === collections.member('spendy', 'gus') && i.sk === 'PROFILE')![
          'q#2026-11'
        ];
      expect(await bucket()).toBe(140_00);
      await recordReturn('spendy', 'sp-1', ret('sp-r1', { items: [{ sku: 'shoes', quantity: 1 }] }), f.deps);
      expect(await bucket()).toBe(60_00);
      await recordReturn('spendy', 'sp-1', ret('sp-r2'), f.deps); // cancel the rest
      expect(await bucket()).toBe(0);
    },
  );

  it('many partial returns never take back more than the order earned, and rounding adds up exactly', async () => {
    await earnForPurchase('shop', purchase({ orderId: 'o-amount', memberId: 'ben', amount: 100_00 }), f.deps);
    let taken = 0;
    for (const [i, amount] of [33_33, 33_33, 33_33, 1].entries()) {
      const { result } = await recordReturn('shop', 'o-amount', ret(`r-a${i}`, { amount }), f.deps);
      expect(result.forgiven).toBe(0); // nothing was spent: every point asked for came from the order's lot
      taken += result.points;
    }
    expect(taken).toBe(100);
    expect((await f.deps.orders.getOrder('shop', 'o-amount'))!.returned).toMatchObject({ points: 100, amount: 100_00 });
    await expect(recordReturn('shop', 'o-amount', ret('r-a4', { amount: 1 }), f.deps)).rejects.toBeInstanceOf(
      Unprocessable,
    );
    await expect(
      recordReturn('shop', 'o-items', ret('r-too-many', { items: [{ sku: 'shirt', quantity: 3 }] }), f.deps),
    ).rejects.toBeInstanceOf(Unprocessable);
    await expect(
      recordReturn('shop', 'o-items', ret('r-unknown', { items: [{ sku: 'hat', quantity: 1 }] }), f.deps),
    ).rejects.toBeInstanceOf(Unprocessable);
  });

  it('a full cancellation reverses the whole order, exactly once per return id', async () => {
    await earnForPurchase('shop', purchase({ orderId: 'o-cancel', memberId: 'cat', amount: 55_00 }), f.deps);
    const first = await recordReturn('shop', 'o-cancel', ret('r-cancel'), f.deps);
    expect(first.result).toMatchObject({ points: 55, fullyReturned: true, orderPointsLeft: 0 });
    const again = await recordReturn('shop', 'o-cancel', ret('r-cancel'), f.deps);
    expect(again).toEqual({ replayed: true, result: first.result });
    await expect(recordReturn('shop', 'o-cancel', ret('r-cancel', { amount: 5 }), f.deps)).rejects.toBeInstanceOf(
      IdempotencyConflict,
    );
    const second = await recordReturn('shop', 'o-cancel', ret('r-cancel-2'), f.deps);
    expect(second.result.points).toBe(0);
    expect(await balance('shop', 'cat')).toEqual({ available: 0, pending: 0, lifetimeEarned: 0 });
    await expect(recordReturn('shop', 'no-such-order', ret('r-x'), f.deps)).rejects.toBeInstanceOf(OrderNotFound);
  });

  it(
    'pending points come back from pending: a return within the return window never touches available ' + 'points',
    async () => {
      await earnForPurchase('held', purchase({ orderId: 'h-1', memberId: 'dan', amount: 30_00 }), f.deps);
      f.clock.advance(20 * 86_400_000);
      await earnForPurchase(
        'held',
        purchase({ orderId: 'h-2', memberId: 'dan', amount: 10_00, occurredAt: '2026-12-13T10:00:00Z' }),
        f.deps,
      );
      expect(await balance('held', 'dan')).toMatchObject({ available: 30, pending: 10 });
      const r = await recordReturn('held', 'h-2', ret('r-h2', { occurredAt: '2026-12-13T11:00:00Z' }), f.deps);
      expect(r.result).toMatchObject({ points: 10, fromOrder: 10 });
      expect(await balance('held', 'dan')).toMatchObject({ available: 30, pending: 0 });
      f.clock.set(NOW);
    },
  );

  it('policy "cap-at-balance": points already spent are taken from what is left and the rest is waived', async () => {
    await earnForPurchase('lenient', purchase({ orderId: 'l-1', memberId: 'eli', amount: 50_00 }), f.deps);
    await earnForPurchase('lenient', purchase({ orderId: 'l-2', memberId: 'eli', amount: 20_00 }), f.deps);
    await spendAll(f, 'lenient', 'eli', 60); // 60 of 70 spent: l-1's lot is empty, 10 left in l-2's
    const r = await recordReturn('lenient', 'l-1', ret('r-l1'), f.deps);
    expect(r.result).toMatchObject({ points: 10, fromOrder: 0, fromOtherPoints: 10, forgiven: 40, debt: 0 });
    expect((await balance('lenient', 'eli')).available).toBe(0);
  });

  it('policy "negative-balance": the balance goes negative and later earnings repay it first', async () => {
    await earnForPurchase('strict', purchase({ orderId: 's-1', memberId: 'fay', amount: 50_00 }), f.deps);
    await spendAll(f, 'strict', 'fay', 50);
    const r = await recordReturn('strict', 's-1', ret('r-s1'), f.deps);
    expect(r.result).toMatchObject({ points: 50, fromOrder: 0, debt: 50, forgiven: 0 });
    expect((await balance('strict', 'fay')).available).toBe(-50);
    await earnForPurchase('strict', purchase({ orderId: 's-2', memberId: 'fay', amount: 80_00 }), f.deps);
    expect((await balance('strict', 'fay')).available).toBe(30);
    await expectSound(f, 'strict', 'fay');
  });

  it('property: any sequence of purchases, returns and replays keeps the ledger sound and never claws back more ' +
    'than was earned', async () => {
    let member = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({
              op: fc.constant('buy' as const),
              order: fc.integer({ min: 0, max: 3 }),
              amount: fc.integer({ min: 0, max: 20_000 }),
            }),
            fc.record({
              op: fc.constant('return' as const),
              order: fc.integer({ min: 0, max: 3 }),
              id: fc.integer({ min: 0, max: 5 }),
              amount: fc.option(fc.integer({ min: 1, max: 20_000 }), { nil: undefined }),
            }),
            fc.record({ op: fc.constant('spend' as const), points: fc.integer({ min: 1, max: 150 }) }),
          ),
          { minLength: 1, maxLength: 12 },
        ),
        fc.constantFrom('lenient', 'strict'),
        async (ops, programId) => {
          const memberId = `prop-${++member}`;
          const earned = new Map<string, number>();
          for (const op of ops) {
            const orderId = `${memberId}-o${op.op === 'spend' ? 0 : op.order}`;
            if (op.op === 'buy') {
              const r = await earnForPurchase(
                programId,
                purchase({ orderId, memberId, amount: op.amount }),
                f.deps,
              ).catch((e) => e);
              if (!(r instanceof Error)) earned.set(orderId, r.result.points);
            } else if (op.op === 'return') {
              await recordReturn(
                programId,
                orderId,
                ret(`${orderId}-r${op.id}`, op.amount ? { amount: op.amount } : {}),
                f.deps,
              ).catch((e: unknown) => {
                if (!(e instanceof Unprocessable || e instanceof OrderNotFound || e instanceof IdempotencyConflict))
                  throw e;
              });
            } else {
              await spendAll(f, programId, memberId, op.points).catch(() => {});
            }
          }
          await expectSound(f, programId, memberId);
          for (const [orderId, points] of earned) {
            const order = await f.deps.orders.getOrder(programId, orderId);
            expect(order!.returned.points).toBeLessThanOrEqual(points);
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});

/**
 * A spend through the ledger writer (the redemption path's mechanism): nearest-expiring lots first, never below zero.
 */
async function spendAll(
  f: Awaited<ReturnType<typeof ledgerFixture>>,
  programId: string,
  memberId: string,
  points: number,
) {
  const { allocateDebit, settle } = await import('../../core/ledger/domain/member-state');
  const now = f.clock.now().toISOString();
  const member = await f.deps.ledger.loadMember(programId, memberId);
  const { state } = settle(member, now);
  if (state.available < points) throw new Error('insufficient points');
  const lots = await f.deps.ledger.listLots(programId, memberId);
  const { allocations, shortfall } = allocateDebit(lots, points, now);
  if (shortfall) throw new Error('insufficient lots');
  const txId = `spend-${Math.random().toString(36).slice(2)}`;
  await f.deps.ledger
    .commit(
      {
        programId,
        members: [{ memberId, before: member, after: { ...state, available: state.available - points } }],
        lotUpdates: allocations.map((a) => ({ memberId, lot: a.lot, take: a.points })),
        transactions: [
          {
            transactionId: txId,
            memberId,
            type: 'redeem',
            points: -points,
            reason: 'test spend',
            source: 'redemption',
            status: 'debited',
            breakdown: [],
            lots: allocations.map((a) => ({ lotId: a.lot.lotId, points: -a.points })),
            occurredAt: now,
            recordedAt: now,
          },
        ],
      },
      now,
    )
    .catch((e: unknown) => {
      if (e instanceof WriteConflict) throw new Error('conflict');
      throw e;
    });
}

/** Balance = sum of lots - debt = sum of transactions; lifetime = credits - reversals; lot bounds. */
async function expectSound(f: Awaited<ReturnType<typeof ledgerFixture>>, programId: string, memberId: string) {
  const items = (await f.scanAll()).filter((i) => i.pk === collections.member(programId, memberId));
  const m = items.find((i) => i.sk === 'PROFILE');
  if (!m) return;
  const lots = items.filter((i) => i.entity === 'lot') as never[];
  const txs = items.filter((i) => i.entity === 'tx') as never[];
  expect(
    ledgerViolations(
      { available: m.available, pending: m.pending, lifetimeEarned: m.lifetimeEarned, debt: m.debt ?? 0 },
      lots,
      txs,
    ),
  ).toEqual([]);
  const page = await listMemberTransactions(programId, memberId, { limit: 100 }, f.deps);
  expect(page.items.length).toBe(txs.length);
}
