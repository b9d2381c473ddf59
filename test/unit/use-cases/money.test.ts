import { describe, expect, it } from 'vitest';
import { earnForPurchase } from '../../../core/earning/use-cases/earn-for-purchase';
import { simulate } from '../../../core/earning/use-cases/manage-rules';
import { recordEngagement } from '../../../core/earning/use-cases/record-engagement';
import { recordReturn } from '../../../core/earning/use-cases/record-return';
import { Unprocessable } from '../../../core/kernel/errors';
import { MAX_LEDGER_POINTS } from '../../../core/ledger/domain/member-state';
import { enrolOrUpdateMember } from '../../../core/ledger/use-cases/members';
import { BASE_RULE, memoryFixture, purchase, returnOf } from './fixture';

const huge = { ruleId: 'huge', kind: 'base', name: 'Huge', pointsPerUnit: { USD: '999999999' } };

describe('money that adds up', () => {
  it('amount 1 with one $10,000 line is refused naming amount and items, and nothing is written', async () => {
    const f = memoryFixture();
    await f.program('shop', {}, [BASE_RULE]);
    const before = f.stores.snapshot();

    const earn = earnForPurchase(
      'shop',
      purchase({ amount: 1, items: [{ sku: 'tv', quantity: 1, unitPrice: 10_000_00 }] }),
      f.deps,
    );

    await expect(earn).rejects.toBeInstanceOf(Unprocessable);
    await expect(earn).rejects.toMatchObject({ errors: [{ field: 'amount' }, { field: 'items' }] });
    expect(f.stores.snapshot()).toEqual(before);
  });

  it('a shop order with a $20 order discount earns on what was paid for the goods', async () => {
    const f = memoryFixture();
    await f.program('shop', {}, [BASE_RULE]);

    const { result } = await earnForPurchase(
      'shop',
      purchase({
        amount: 98_00,
        discount: 20_00,
        shipping: 10_00,
        tax: 8_00,
        items: [
          { sku: 'shirt', quantity: 2, unitPrice: 25_00 },
          { sku: 'shoes', quantity: 1, unitPrice: 50_00 },
        ],
      }),
      f.deps,
    );

    expect(result.points).toBe(80);
  });

  it("an amount beyond the program's largest purchase is refused naming amount", async () => {
    const f = memoryFixture();
    await f.program('shop', { maxPurchaseAmount: 5_000_00 });

    const earn = earnForPurchase('shop', purchase({ amount: 5_000_01 }), f.deps);

    await expect(earn).rejects.toMatchObject({
      errors: [{ field: 'amount', message: expect.stringContaining('5000') }],
    });
  });

  it('a rule that would credit 1e15 points credits the program maximum, and the member keeps earning', async () => {
    const f = memoryFixture();
    await f.program('shop', {}, [huge]);

    const first = await earnForPurchase('shop', purchase({ orderId: 'o-1', amount: 1_000_000_00 }), f.deps);
    const second = await earnForPurchase('shop', purchase({ orderId: 'o-2', amount: 1_00 }), f.deps);

    expect(first.result.points).toBe(1_000_000);
    expect(first.result.breakdown.at(-1)).toMatchObject({ ruleId: 'program-max-points', points: -999_999_000_000 });
    expect(second.result.points).toBe(1_000_000);
    expect(await f.violations('shop', 'alice')).toEqual([]);
  });

  it('an engagement event is bounded by maxPointsPerTransaction too', async () => {
    const f = memoryFixture();
    await f.program('shop', { maxPointsPerTransaction: 100 }, [
      { ruleId: 'e', kind: 'event', name: 'E', eventType: 'big', points: 1_000_000_000 },
    ]);
    await earnForPurchase('shop', purchase({ amount: 1_00 }), f.deps);

    const { result } = await recordEngagement(
      'shop',
      { eventId: 'e1', memberId: 'alice', type: 'big', occurredAt: '2026-11-23T11:00:00Z' },
      f.deps,
    );

    expect(result.points).toBe(100);
  });

  it('a credit that would take a balance beyond the ledger bound is refused, and nothing is written', async () => {
    const f = memoryFixture();
    await f.program('shop', { maxPointsPerTransaction: 1_000_000_000 }, [huge]);
    await earnForPurchase('shop', purchase({ orderId: 'o-1', amount: 1_00 }), f.deps);
    const member = await f.stores.ledger.loadMember('shop', 'alice');
    const nearly = MAX_LEDGER_POINTS - 10;
    await f.stores.ledger.commit(
      {
        programId: 'shop',
        members: [{ memberId: 'alice', before: member, after: { ...member, lifetimeEarned: nearly } }],
      },
      '2026-11-23T12:00:00.000Z',
    );
    const before = f.stores.snapshot();

    const earn = earnForPurchase('shop', purchase({ orderId: 'o-2', amount: 1_00 }), f.deps);

    await expect(earn).rejects.toMatchObject({
      errors: [{ field: 'memberId', message: expect.stringContaining('lifetimeEarned beyond') }],
    });
    expect(f.stores.snapshot()).toEqual(before);
  });

  it("a referrer's credit is a transaction too: bounded by maxPointsPerTransaction", async () => {
    const f = memoryFixture();
    await f.program('ref', { maxPointsPerTransaction: 1_000 }, [
      BASE_RULE,
      { ruleId: 'refer', kind: 'referral', name: 'Refer', referrerPoints: 1_000_000_000, refereePoints: 10 },
    ]);
    const { member: rita } = await enrolOrUpdateMember('ref', 'rita', {}, 'r1', f.deps);
    await enrolOrUpdateMember('ref', 'sam', { referralCode: rita.referralCode! }, 'r2', f.deps);

    await earnForPurchase('ref', purchase({ orderId: 's1', memberId: 'sam', amount: 30_00 }), f.deps);

    expect((await f.balance('ref', 'rita')).available).toBe(1_000);
    const [credit] = await f.transactions('ref', 'rita');
    expect(credit?.breakdown[0]?.description).toContain('at most 1000 per transaction');
    expect(await f.violations('ref', 'rita')).toEqual([]);
  });

  it('an item named like the shipping line is refused naming it, and nothing is written', async () => {
    const f = memoryFixture();
    await f.program('shop', {}, [BASE_RULE]);
    const before = f.stores.snapshot();

    const earn = earnForPurchase(
      'shop',
      purchase({ amount: 5_00, items: [{ sku: '(shipping)', quantity: 1, unitPrice: 5_00 }] }),
      f.deps,
    );

    await expect(earn).rejects.toMatchObject({ errors: [{ field: 'items.0.sku' }] });
    expect(f.stores.snapshot()).toEqual(before);
  });

  it('simulate refuses a purchase whose money does not add up, as earning does', async () => {
    const f = memoryFixture();
    await f.program('shop');

    const sim = simulate(
      'shop',
      {
        purchase: {
          ...purchase({ amount: 1, items: [{ sku: 'tv', quantity: 1, unitPrice: 10_000_00 }] }),
          channel: undefined,
        },
      },
      f.deps,
    );

    await expect(sim).rejects.toBeInstanceOf(Unprocessable);
  });
});

describe('returns by amount', () => {
  async function bought() {
    const f = memoryFixture();
    await f.program('shop', {}, [BASE_RULE]);
    // $100 of goods earned 100 points; $10 shipping and $8 tax earned nothing.
    await earnForPurchase(
      'shop',
      purchase({
        orderId: 'o',
        amount: 118_00,
        shipping: 10_00,
        tax: 8_00,
        items: [{ sku: 'a', quantity: 1, unitPrice: 100_00 }],
      }),
      f.deps,
    );
    return f;
  }

  it('claw back in proportion to what the order earned on, not to what was paid', async () => {
    const f = await bought();

    const { result } = await recordReturn('shop', 'o', returnOf('r1', { amount: 50_00 }), f.deps);

    expect(result.points).toBe(50);
  });

  it('returning all the goods takes every point, whatever shipping and tax stay unrefunded', async () => {
    const f = await bought();

    const { result } = await recordReturn('shop', 'o', returnOf('r1', { amount: 100_00 }), f.deps);
    const more = await recordReturn('shop', 'o', returnOf('r2', { amount: 18_00 }), f.deps);

    expect(result).toMatchObject({ points: 100, orderPointsLeft: 0 });
    expect(more.result.points).toBe(0);
  });

  it('a return of 1 cent takes back next to nothing', async () => {
    const f = await bought();

    const { result } = await recordReturn('shop', 'o', returnOf('r1', { amount: 1 }), f.deps);

    expect(result.points).toBe(0);
  });

  it('shipping can be returned as a line: it took no points, so none come back', async () => {
    const f = await bought();

    const { result } = await recordReturn(
      'shop',
      'o',
      returnOf('r1', { items: [{ sku: '(shipping)', quantity: 1 }] }),
      f.deps,
    );

    expect(result).toMatchObject({ points: 0, orderPointsLeft: 100 });
  });
});
