import { describe, expect, it } from 'vitest';
import { CurrencyMismatch, OrderConflict } from '../../../core/earning/errors';
import { earnForPurchase } from '../../../core/earning/use-cases/earn-for-purchase';
import { MemberNotFound } from '../../../core/ledger/errors';
import { enrolOrUpdateMember, getMember } from '../../../core/ledger/use-cases/members';
import { ProgramNotFound } from '../../../core/programs/errors';
import { BASE_RULE, memoryFixture, purchase } from './fixture';

const REFERRAL_RULE = {
  ruleId: 'refer',
  kind: 'referral',
  name: 'Refer a friend',
  referrerPoints: 500,
  refereePoints: 200,
  minSpend: { USD: 20_00 },
};

describe('earnForPurchase', () => {
  it('credits one point per whole currency unit, rounding down', async () => {
    const f = memoryFixture();
    await f.program('shop');

    const { replayed, result } = await earnForPurchase('shop', purchase({ amount: 12_99 }), f.deps);

    expect(replayed).toBe(false);
    expect(result).toMatchObject({ orderId: 'order-1', memberId: 'alice', points: 12, status: 'credited' });
    expect(await f.balance('shop', 'alice')).toEqual({ available: 12, pending: 0, lifetimeEarned: 12 });
    expect(await f.violations('shop', 'alice')).toEqual([]);
  });

  it('a replay returns the original result and writes nothing', async () => {
    const f = memoryFixture();
    await f.program('shop');
    const first = await earnForPurchase('shop', purchase({ amount: 50_00 }), f.deps);
    const before = f.stores.snapshot();
    f.clock.advance(60_000);

    const second = await earnForPurchase('shop', purchase({ amount: 50_00 }), f.deps);

    expect(second).toEqual({ replayed: true, result: first.result });
    expect(f.stores.snapshot()).toEqual(before);
  });

  it('the same order id with a different purchase is an OrderConflict, not a second credit', async () => {
    const f = memoryFixture();
    await f.program('shop');
    await earnForPurchase('shop', purchase({ amount: 10_00 }), f.deps);
    const before = f.stores.snapshot();

    const second = earnForPurchase('shop', purchase({ amount: 99_00 }), f.deps);

    await expect(second).rejects.toBeInstanceOf(OrderConflict);
    expect(f.stores.snapshot()).toEqual(before);
  });

  it('with auto-enrol off an unknown member is MemberNotFound and nothing is written', async () => {
    const f = memoryFixture();
    await f.program('strict', { autoEnrol: false });
    const before = f.stores.snapshot();

    const earn = earnForPurchase('strict', purchase({ memberId: 'nobody' }), f.deps);

    await expect(earn).rejects.toBeInstanceOf(MemberNotFound);
    expect(f.stores.snapshot()).toEqual(before);
  });

  it('with auto-enrol off a member enrolled through the API earns', async () => {
    const f = memoryFixture();
    await f.program('strict', { autoEnrol: false });
    await enrolOrUpdateMember('strict', 'known', { email: 'k@example.com' }, 'req-1', f.deps);

    const { result } = await earnForPurchase('strict', purchase({ memberId: 'known', amount: 7_00 }), f.deps);

    expect(result.points).toBe(7);
    expect((await getMember('strict', 'known', f.deps)).email).toBe('k@example.com');
  });

  it('a purchase in another currency is a CurrencyMismatch and nothing is written', async () => {
    const f = memoryFixture();
    await f.program('shop');
    const before = f.stores.snapshot();

    await expect(earnForPurchase('shop', purchase({ currency: 'EUR' }), f.deps)).rejects.toBeInstanceOf(
      CurrencyMismatch,
    );
    expect(f.stores.snapshot()).toEqual(before);
  });

  it('a purchase for an unknown program is ProgramNotFound', async () => {
    const f = memoryFixture();

    await expect(earnForPurchase('nowhere', purchase(), f.deps)).rejects.toBeInstanceOf(ProgramNotFound);
  });

  it('the purchase that enrols a member gives them a referral code, and announces both', async () => {
    const f = memoryFixture();
    await f.program('shop');

    await earnForPurchase('shop', purchase({ memberId: 'newbie', amount: 3_00 }), f.deps);

    const member = await getMember('shop', 'newbie', f.deps);
    expect(member.referralCode).toMatch(/^[0-9A-Z]{8}$/);
    expect(await f.stores.ledger.findReferralCode('shop', member.referralCode!)).toBe('newbie');
    expect(f.events.events.map((e) => e.detailType)).toEqual(['Member Enrolled', 'Points Earned']);
  });

  it("pending points wait the program's pending days before they can be spent", async () => {
    const f = memoryFixture();
    await f.program('held', { pendingDays: 14 });

    const { result } = await earnForPurchase('held', purchase({ amount: 30_00 }), f.deps);

    expect(result.status).toBe('pending');
    expect(await f.balance('held', 'alice')).toEqual({ available: 0, pending: 30, lifetimeEarned: 30 });
  });

  it('a write to the member between its read and its commit makes it read again and credit once', async () => {
    const f = memoryFixture();
    await f.program('shop');
    await earnForPurchase('shop', purchase({ orderId: 'order-0', amount: 5_00 }), f.deps);
    f.stores.beforeCommit(() => earnForPurchase('shop', purchase({ orderId: 'order-2', amount: 20_00 }), f.deps));

    const { replayed, result } = await earnForPurchase('shop', purchase({ orderId: 'order-1', amount: 10_00 }), f.deps);

    expect({ replayed, points: result.points }).toEqual({ replayed: false, points: 10 });
    expect(f.counted('LedgerWriteRetried')).toBe(1);
    expect((await f.balance('shop', 'alice')).available).toBe(35);
    expect((await f.transactions('shop', 'alice')).filter((t) => t.orderId === 'order-1')).toHaveLength(1);
    expect(await f.violations('shop', 'alice')).toEqual([]);
  });

  it("a duplicate that commits between this one's read and commit turns this one into its replay", async () => {
    const f = memoryFixture();
    await f.program('shop');
    let other: Awaited<ReturnType<typeof earnForPurchase>> | undefined;
    f.stores.beforeCommit(async () => {
      other = await earnForPurchase('shop', purchase(), f.deps);
    });

    const outcome = await earnForPurchase('shop', purchase(), f.deps);

    expect(outcome).toEqual({ replayed: true, result: other!.result });
    expect(f.counted('LedgerWriteRetried')).toBe(0);
    expect(await f.transactions('shop', 'alice')).toHaveLength(1);
  });

  it('concurrent duplicates credit once', async () => {
    const f = memoryFixture();
    await f.program('shop');

    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () => earnForPurchase('shop', purchase({ amount: 100_00 }), f.deps)),
    );

    expect(outcomes.filter((o) => !o.replayed)).toHaveLength(1);
    expect(new Set(outcomes.map((o) => o.result.transactionId)).size).toBe(1);
    expect(await f.balance('shop', 'alice')).toMatchObject({ available: 100 });
  });

  describe('referrals', () => {
    async function referred() {
      const f = memoryFixture();
      await f.program('ref', {}, [BASE_RULE, REFERRAL_RULE]);
      const { member: rita } = await enrolOrUpdateMember('ref', 'rita', { name: 'Rita' }, 'r1', f.deps);
      await enrolOrUpdateMember('ref', 'sam', { referralCode: rita.referralCode! }, 'r2', f.deps);
      return f;
    }

    it("a referred member's first qualifying purchase credits both sides", async () => {
      const f = await referred();

      const { result } = await earnForPurchase(
        'ref',
        purchase({ orderId: 's1', memberId: 'sam', amount: 30_00 }),
        f.deps,
      );

      expect(result.breakdown.find((l) => l.ruleId === 'refer')).toMatchObject({ points: 200 });
      expect(result.points).toBe(230);
      expect(await f.balance('ref', 'rita')).toEqual({ available: 500, pending: 0, lifetimeEarned: 500 });
      expect(await f.violations('ref', 'rita')).toEqual([]);
    });

    it("a purchase below the referral's minimum spend credits neither side with it", async () => {
      const f = await referred();

      const { result } = await earnForPurchase(
        'ref',
        purchase({ orderId: 's0', memberId: 'sam', amount: 5_00 }),
        f.deps,
      );

      expect(result.breakdown.map((l) => l.ruleId)).not.toContain('refer');
      expect((await f.balance('ref', 'rita')).available).toBe(0);
    });

    it('the referral credits once: neither a later purchase nor a replay credits the referrer again', async () => {
      const f = await referred();
      const first = purchase({ orderId: 's1', memberId: 'sam', amount: 30_00 });
      await earnForPurchase('ref', first, f.deps);

      const later = await earnForPurchase('ref', purchase({ orderId: 's2', memberId: 'sam', amount: 30_00 }), f.deps);
      const replay = await earnForPurchase('ref', first, f.deps);

      expect(later.result.breakdown.map((l) => l.ruleId)).not.toContain('refer');
      expect(replay.replayed).toBe(true);
      expect((await f.balance('ref', 'rita')).available).toBe(500);
      expect(await f.transactions('ref', 'rita')).toHaveLength(1);
    });

    it('a write to the referrer between the read and the commit makes the purchase decide again', async () => {
      const f = await referred();
      f.stores.beforeCommit(() =>
        earnForPurchase('ref', purchase({ orderId: 'r-own', memberId: 'rita', amount: 10_00 }), f.deps),
      );

      await earnForPurchase('ref', purchase({ orderId: 's1', memberId: 'sam', amount: 30_00 }), f.deps);

      expect(f.counted('LedgerWriteRetried')).toBe(1);
      expect((await f.balance('ref', 'rita')).available).toBe(510);
      expect(await f.violations('ref', 'rita')).toEqual([]);
    });
  });
});
