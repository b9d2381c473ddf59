import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CurrencyMismatch, OrderConflict } from '../../core/earning/errors';
import { earnForPurchase } from '../../core/earning/use-cases/earn-for-purchase';
import { MemberNotFound } from '../../core/ledger/errors';
import { enrolOrUpdateMember, getMember, listMemberTransactions } from '../../core/ledger/use-cases/members';
import { ledgerFixture, purchase } from '../support/ledger';

describe('earning from purchases (DynamoDB Local)', () => {
  let f: Awaited<ReturnType<typeof ledgerFixture>>;

  beforeAll(async () => {
    f = await ledgerFixture();
    await f.program('shop', { currency: 'USD', pointsPerUnit: 1 });
    await f.program('other', { currency: 'USD', pointsPerUnit: 5 });
    await f.program('strict', { currency: 'EUR', autoEnrol: false });
    await f.program('yen', { currency: 'JPY' });
  });
  afterAll(() => f.drop());

  it('credits one point per whole currency unit, rounding down', async () => {
    const { replayed, result } = await earnForPurchase(
      'shop',
      purchase({ orderId: 'o-round', memberId: 'm-round', amount: 12_99 }),
      f.deps,
    );
    expect(replayed).toBe(false);
    expect(result).toMatchObject({ orderId: 'o-round', memberId: 'm-round', points: 12, status: 'credited' });
    expect(result.breakdown).toEqual([expect.objectContaining({ rule: 'base', points: 12 })]);
    const member = await getMember('shop', 'm-round', f.deps);
    expect(member.points).toEqual({ available: 12, pending: 0, lifetimeEarned: 12 });
  });

  it('uses the currency minor unit: yen have no minor unit', async () => {
    const { result } = await earnForPurchase(
      'yen',
      purchase({ orderId: 'o-yen', memberId: 'm-yen', currency: 'JPY', amount: 1_500 }),
      f.deps,
    );
    expect(result.points).toBe(1_500);
  });

  it('a replay returns the original result and writes nothing', async () => {
    const p = purchase({ orderId: 'o-replay', memberId: 'm-replay', amount: 50_00 });
    const first = await earnForPurchase('shop', p, f.deps);
    const before = await f.scanAll();
    f.clock.advance(60_000);
    const second = await earnForPurchase('shop', p, f.deps);
    expect(second.replayed).toBe(true);
    expect(second.result).toEqual(first.result);
    expect(await f.scanAll()).toEqual(before);
  });

  it('concurrent duplicates credit once', async () => {
    const p = purchase({ orderId: 'o-race', memberId: 'm-race', amount: 100_00 });
    const outcomes = await Promise.all(Array.from({ length: 16 }, () => earnForPurchase('shop', p, f.deps)));
    expect(outcomes.filter((o) => !o.replayed)).toHaveLength(1);
    expect(new Set(outcomes.map((o) => o.result.transactionId)).size).toBe(1);
    const member = await getMember('shop', 'm-race', f.deps);
    expect(member.points.available).toBe(100);
    const page = await listMemberTransactions('shop', 'm-race', { limit: 50 }, f.deps);
    expect(page.items).toHaveLength(1);
  });

  it('the same order id with a different purchase is a conflict, not a second credit', async () => {
    await earnForPurchase('shop', purchase({ orderId: 'o-conflict', memberId: 'm-conflict', amount: 10_00 }), f.deps);
    await expect(
      earnForPurchase('shop', purchase({ orderId: 'o-conflict', memberId: 'm-conflict', amount: 99_00 }), f.deps),
    ).rejects.toBeInstanceOf(OrderConflict);
    expect((await getMember('shop', 'm-conflict', f.deps)).points.available).toBe(10);
  });

  it('order ids are per program: the same order id earns in each program once', async () => {
    await earnForPurchase('shop', purchase({ orderId: 'o-shared', memberId: 'm-both', amount: 10_00 }), f.deps);
    const other = await earnForPurchase(
      'other',
      purchase({ orderId: 'o-shared', memberId: 'm-both', amount: 10_00 }),
      f.deps,
    );
    expect(other.replayed).toBe(false);
    expect((await getMember('shop', 'm-both', f.deps)).points.available).toBe(10);
    expect((await getMember('other', 'm-both', f.deps)).points.available).toBe(50);
  });

  it('a member of one program is invisible from another', async () => {
    await earnForPurchase('shop', purchase({ orderId: 'o-iso', memberId: 'm-only-shop', amount: 10_00 }), f.deps);
    await expect(getMember('other', 'm-only-shop', f.deps)).rejects.toBeInstanceOf(MemberNotFound);
    await expect(listMemberTransactions('other', 'm-only-shop', { limit: 10 }, f.deps)).rejects.toBeInstanceOf(
      MemberNotFound,
    );
  });

  it('without auto-enrol an unknown member is rejected and nothing is written', async () => {
    const before = await f.scanAll();
    await expect(
      earnForPurchase('strict', purchase({ orderId: 'o-strict', memberId: 'nobody', currency: 'EUR' }), f.deps),
    ).rejects.toBeInstanceOf(MemberNotFound);
    expect(await f.scanAll()).toEqual(before);
  });

  it('with auto-enrol off an enrolled member earns', async () => {
    await enrolOrUpdateMember('strict', 'known', { email: 'k@example.com' }, 'req-1', f.deps);
    const { result } = await earnForPurchase(
      'strict',
      purchase({ orderId: 'o-known', memberId: 'known', currency: 'EUR', amount: 7_00 }),
      f.deps,
    );
    expect(result.points).toBe(7);
  });

  it('a purchase in another currency is rejected and nothing is written', async () => {
    const before = await f.scanAll();
    await expect(
      earnForPurchase('shop', purchase({ orderId: 'o-eur', currency: 'EUR' }), f.deps),
    ).rejects.toBeInstanceOf(CurrencyMismatch);
    expect(await f.scanAll()).toEqual(before);
  });

  it('every transaction explains itself and lists newest first with a cursor', async () => {
    for (let i = 1; i <= 5; i++) {
      f.clock.advance(1_000);
      await earnForPurchase('shop', purchase({ orderId: `o-page-${i}`, memberId: 'm-page', amount: i * 100 }), f.deps);
    }
    const first = await listMemberTransactions('shop', 'm-page', { limit: 2 }, f.deps);
    expect(first.items.map((t) => t.orderId)).toEqual(['o-page-5', 'o-page-4']);
    expect(first.items[0]).toMatchObject({
      type: 'earn',
      points: 5,
      reason: 'Purchase o-page-5',
      source: 'purchase',
      status: 'credited',
    });
    const second = await listMemberTransactions('shop', 'm-page', { limit: 2, cursor: first.nextCursor! }, f.deps);
    expect(second.items.map((t) => t.orderId)).toEqual(['o-page-3', 'o-page-2']);
    const last = await listMemberTransactions('shop', 'm-page', { limit: 2, cursor: second.nextCursor! }, f.deps);
    expect(last.items.map((t) => t.orderId)).toEqual(['o-page-1']);
    expect(last.nextCursor).toBeNull();
  });

  it('announces Points Earned, and Member Enrolled for an auto-enrolled member, on the table stream', async () => {
    await f.events.drain();
    await earnForPurchase('shop', purchase({ orderId: 'o-events', memberId: 'm-events', amount: 3_00 }), f.deps);
    const events = await f.events.drain();
    expect(events.map((e) => e.detailType)).toEqual(['Member Enrolled', 'Points Earned']);
    expect(events[1]!.detail).toMatchObject({
      metadata: { programId: 'shop', version: 1 },
      data: { memberId: 'm-events', points: 3 },
    });
  });

  it('balance equals the sum of lots equals the sum of transactions', async () => {
    const items = await f.scanAll();
    const members = items.filter((i) => i.entity === 'member');
    expect(members.length).toBeGreaterThan(5);
    for (const m of members) {
      const lots = items.filter((i) => i.entity === 'lot' && i.pk === m.pk).reduce((s, l) => s + l.remaining, 0);
      const txs = items.filter((i) => i.entity === 'tx' && i.pk === m.pk).reduce((s, t) => s + t.points, 0);
      expect(m.available + m.pending).toBe(lots);
      expect(lots).toBe(txs);
    }
  });
});
