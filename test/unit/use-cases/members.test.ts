import { describe, expect, it } from 'vitest';
import { earnForPurchase } from '../../../core/earning/use-cases/earn-for-purchase';
import { ValidationFailed } from '../../../core/kernel/errors';
import { MemberNotFound } from '../../../core/ledger/errors';
import { enrolOrUpdateMember, getMember, listMemberTransactions } from '../../../core/ledger/use-cases/members';
import { memoryFixture, purchase } from './fixture';

/** Transaction ids are ULIDs of the wall clock: a millisecond apart, they sort in recording order. */
const nextMillisecond = () => new Promise((resolve) => setTimeout(resolve, 2));

async function shop() {
  const f = memoryFixture();
  await f.program('shop');
  return f;
}

describe('enrolOrUpdateMember', () => {
  it('enrols a new member with their profile and a referral code, and announces it', async () => {
    const f = await shop();

    const { created, member } = await enrolOrUpdateMember(
      'shop',
      'ann',
      { email: 'ann@example.com', name: 'Ann' },
      'req-1',
      f.deps,
    );

    expect(created).toBe(true);
    expect(member).toMatchObject({
      memberId: 'ann',
      email: 'ann@example.com',
      name: 'Ann',
      attributes: {},
      tier: null,
    });
    expect(member.referralCode).toMatch(/^[0-9A-Z]{8}$/);
    expect(member.points).toEqual({ available: 0, pending: 0, lifetimeEarned: 0 });
    expect(f.events.events.map((e) => e.detailType)).toEqual(['Member Enrolled']);
  });

  it('an update changes only the fields it sends, keeps the referral code and announces nothing', async () => {
    const f = await shop();
    const { member: enrolled } = await enrolOrUpdateMember(
      'shop',
      'ann',
      { email: 'ann@example.com' },
      'req-1',
      f.deps,
    );
    f.events.clear();

    const { created, member } = await enrolOrUpdateMember('shop', 'ann', { name: 'Ann' }, 'req-2', f.deps);

    expect(created).toBe(false);
    expect(member).toMatchObject({ email: 'ann@example.com', name: 'Ann', referralCode: enrolled.referralCode });
    expect(f.events.events).toEqual([]);
  });

  it('a member enrolled by a purchase is updated, not created, by their first profile request', async () => {
    const f = memoryFixture();
    await f.program('shop');
    await earnForPurchase('shop', purchase({ orderId: 'o-1', memberId: 'ivy' }), f.deps);
    const enrolments = f.events.events.filter((e) => e.detailType === 'Member Enrolled').length;

    const { created } = await enrolOrUpdateMember('shop', 'ivy', { name: 'Ivy' }, 'req-1', f.deps);

    expect(created).toBe(false);
    expect(f.events.events.filter((e) => e.detailType === 'Member Enrolled')).toHaveLength(enrolments);
  });

  it('null clears a field', async () => {
    const f = await shop();
    await enrolOrUpdateMember('shop', 'ann', { email: 'ann@example.com', attributes: { vip: true } }, 'req-1', f.deps);

    const { member } = await enrolOrUpdateMember('shop', 'ann', { email: null, attributes: null }, 'req-2', f.deps);

    expect(member).toMatchObject({ email: null, attributes: {} });
  });

  it('updating a member keeps the points they earned', async () => {
    const f = await shop();
    await earnForPurchase('shop', purchase({ memberId: 'ann', amount: 12_00 }), f.deps);

    const { member } = await enrolOrUpdateMember('shop', 'ann', { name: 'Ann' }, 'req-1', f.deps);

    expect(member.name).toBe('Ann');
    expect(member.points).toEqual({ available: 12, pending: 0, lifetimeEarned: 12 });
  });

  it('a referral code links the new member to the member it belongs to', async () => {
    const f = await shop();
    const { member: rita } = await enrolOrUpdateMember('shop', 'rita', {}, 'req-1', f.deps);

    await enrolOrUpdateMember('shop', 'sam', { referralCode: rita.referralCode! }, 'req-2', f.deps);

    expect((await f.stores.ledger.loadMember('shop', 'sam')).referredBy).toBe('rita');
  });

  it('a code that belongs to no member is ValidationFailed on referralCode', async () => {
    const f = await shop();

    const err = await enrolOrUpdateMember('shop', 'sam', { referralCode: 'ZZZZZZZZ' }, 'req-1', f.deps).catch((e) => e);

    expect(err).toBeInstanceOf(ValidationFailed);
    expect(err.errors).toEqual([{ field: 'referralCode', message: 'is not a referral code of this program' }]);
  });

  it('a member cannot refer themselves', async () => {
    const f = await shop();
    const { member: una } = await enrolOrUpdateMember('shop', 'una', {}, 'req-1', f.deps);

    const err = await enrolOrUpdateMember('shop', 'una', { referralCode: una.referralCode! }, 'req-2', f.deps).catch(
      (e) => e,
    );

    expect(err).toBeInstanceOf(ValidationFailed);
    expect(err.errors[0]).toMatchObject({ field: 'referralCode', message: expect.stringContaining('own code') });
  });

  it("a referral code is refused after the member's first purchase", async () => {
    const f = await shop();
    const { member: una } = await enrolOrUpdateMember('shop', 'una', {}, 'req-1', f.deps);
    await earnForPurchase('shop', purchase({ memberId: 'vic', amount: 1_00 }), f.deps);

    const err = await enrolOrUpdateMember('shop', 'vic', { referralCode: una.referralCode! }, 'req-2', f.deps).catch(
      (e) => e,
    );

    expect(err).toBeInstanceOf(ValidationFailed);
    expect(err.errors[0]).toMatchObject({
      field: 'referralCode',
      message: expect.stringContaining('before the first purchase'),
    });
    expect((await f.stores.ledger.loadMember('shop', 'vic')).referredBy).toBeUndefined();
  });

  it('a second, different referral code is refused: the first referrer stays', async () => {
    const f = await shop();
    const { member: rita } = await enrolOrUpdateMember('shop', 'rita', {}, 'req-1', f.deps);
    const { member: una } = await enrolOrUpdateMember('shop', 'una', {}, 'req-2', f.deps);
    await enrolOrUpdateMember('shop', 'sam', { referralCode: rita.referralCode! }, 'req-3', f.deps);

    const other = enrolOrUpdateMember('shop', 'sam', { referralCode: una.referralCode! }, 'req-4', f.deps);

    await expect(other).rejects.toBeInstanceOf(ValidationFailed);
    expect((await f.stores.ledger.loadMember('shop', 'sam')).referredBy).toBe('rita');
  });
});

describe('listMemberTransactions', () => {
  async function fivePurchases() {
    const f = await shop();
    for (let i = 1; i <= 5; i++) {
      await nextMillisecond();
      await earnForPurchase('shop', purchase({ orderId: `o-${i}`, memberId: 'pat', amount: i * 100 }), f.deps);
    }
    return f;
  }

  it('lists newest first, a page at a time, until a last page without a cursor', async () => {
    const f = await fivePurchases();

    const first = await listMemberTransactions('shop', 'pat', { limit: 2 }, f.deps);
    const second = await listMemberTransactions('shop', 'pat', { limit: 2, cursor: first.nextCursor! }, f.deps);
    const last = await listMemberTransactions('shop', 'pat', { limit: 2, cursor: second.nextCursor! }, f.deps);

    expect([first, second, last].map((p) => p.items.map((t) => t.orderId))).toEqual([
      ['o-5', 'o-4'],
      ['o-3', 'o-2'],
      ['o-1'],
    ]);
    expect(last.nextCursor).toBeNull();
    expect(first.items[0]).toMatchObject({ type: 'earn', points: 5, reason: 'Purchase o-5', source: 'purchase' });
  });

  it('a page that ends exactly at the last transaction has no cursor', async () => {
    const f = await fivePurchases();

    const page = await listMemberTransactions('shop', 'pat', { limit: 5 }, f.deps);

    expect(page.items).toHaveLength(5);
    expect(page.nextCursor).toBeNull();
  });

  it('a cursor this list did not return is ValidationFailed on cursor', async () => {
    const f = await fivePurchases();

    const err = await listMemberTransactions('shop', 'pat', { limit: 2, cursor: 'not-a-cursor' }, f.deps).catch(
      (e) => e,
    );

    expect(err).toBeInstanceOf(ValidationFailed);
    expect(err.errors).toEqual([{ field: 'cursor', message: expect.any(String) }]);
  });

  it('an unknown member is MemberNotFound, not an empty list', async () => {
    const f = await shop();

    await expect(listMemberTransactions('shop', 'nobody', { limit: 10 }, f.deps)).rejects.toBeInstanceOf(
      MemberNotFound,
    );
  });

  it('a member with no transactions yet lists none', async () => {
    const f = await shop();
    await enrolOrUpdateMember('shop', 'ann', {}, 'req-1', f.deps);

    expect(await listMemberTransactions('shop', 'ann', { limit: 10 }, f.deps)).toEqual({ items: [], nextCursor: null });
  });

  it('a member of one program is invisible from another', async () => {
    const f = await shop();
    await f.program('other');
    await earnForPurchase('shop', purchase({ memberId: 'ann' }), f.deps);

    await expect(getMember('other', 'ann', f.deps)).rejects.toBeInstanceOf(MemberNotFound);
    await expect(listMemberTransactions('other', 'ann', { limit: 10 }, f.deps)).rejects.toBeInstanceOf(MemberNotFound);
  });
});
