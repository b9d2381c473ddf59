import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listAuditLog } from '../../../core/audit/use-cases/audit-log';
import { IdempotencyConflict, Unprocessable } from '../../../core/kernel/errors';
import { AdjustmentOverLimit, MemberNotFound } from '../../../core/ledger/errors';
import { adjustPoints } from '../../../core/ledger/use-cases/adjustments';
import { enrolOrUpdateMember } from '../../../core/ledger/use-cases/members';
import { eraseMember, exportMember } from '../../../core/members/use-cases/data-protection';
import { findMembers } from '../../../core/members/use-cases/find-members';
import type { StaffRole } from '../../../core/programs/domain/staff-roles';
import { Forbidden } from '../../../core/programs/errors';
import { memoryFixture } from './fixture';

const actor = (role: StaffRole | null, keyId = 'KEY1') => ({ keyId, role });
const as = (role: StaffRole | null, idempotencyKey: string) => ({ idempotencyKey, actor: actor(role) });

async function shop(opts: { returnPolicy?: 'cap-at-balance' | 'negative-balance' } = {}) {
  const f = memoryFixture();
  await f.program('shop', opts);
  await enrolOrUpdateMember('shop', 'ann', { email: 'Ann@Example.com', name: 'Ann' }, 'req-1', f.deps);
  return f;
}

describe('adjustPoints', () => {
  it('credits a new lot and records an adjust transaction, with who made it', async () => {
    const f = await shop();

    const { replayed, result } = await adjustPoints(
      'shop',
      'ann',
      { points: 300, reason: 'Goodwill', note: 'ticket 1' },
      as('support', 'k1'),
      f.deps,
    );

    expect(replayed).toBe(false);
    expect(result.balances).toEqual({ available: 300, pending: 0, lifetimeEarned: 0 });
    const [tx] = await f.transactions('shop', 'ann');
    expect(tx).toMatchObject({ type: 'adjust', source: 'admin', points: 300, reason: 'Goodwill', note: 'ticket 1' });
    expect(tx!.adjustedBy).toEqual({ keyId: 'KEY1', role: 'support' });
    expect(await f.violations('shop', 'ann')).toEqual([]);
    expect(f.events.events.map((e) => e.detailType)).toContain('Points Adjusted');
  });

  it('answers the first result again for the same Idempotency-Key and body, writing once', async () => {
    const f = await shop();
    const first = await adjustPoints('shop', 'ann', { points: 50, reason: 'Fix' }, as('manager', 'k1'), f.deps);

    const again = await adjustPoints('shop', 'ann', { points: 50, reason: 'Fix' }, as('manager', 'k1'), f.deps);

    expect(again).toEqual({ replayed: true, result: first.result });
    expect(await f.transactions('shop', 'ann')).toHaveLength(1);
  });

  it('refuses the same Idempotency-Key with another body', async () => {
    const f = await shop();
    await adjustPoints('shop', 'ann', { points: 50, reason: 'Fix' }, as('manager', 'k1'), f.deps);

    await expect(
      adjustPoints('shop', 'ann', { points: 51, reason: 'Fix' }, as('manager', 'k1'), f.deps),
    ).rejects.toBeInstanceOf(IdempotencyConflict);
  });

  it("refuses a support adjustment beyond the program's limit, naming points, writing nothing", async () => {
    const f = await shop();
    const before = f.stores.snapshot();

    const err = await adjustPoints('shop', 'ann', { points: -1001, reason: 'x' }, as('support', 'k1'), f.deps).catch(
      (e) => e,
    );

    expect(err).toBeInstanceOf(AdjustmentOverLimit);
    expect(err.extensions.errors[0].field).toBe('points');
    expect(f.stores.snapshot()).toEqual(before);
  });

  it('lets a manager adjust beyond the support limit', async () => {
    const f = await shop();
    const { result } = await adjustPoints('shop', 'ann', { points: 5000, reason: 'x' }, as('manager', 'k1'), f.deps);
    expect(result.balances.available).toBe(5000);
  });

  it('refuses a viewer', async () => {
    const f = await shop();
    await expect(
      adjustPoints('shop', 'ann', { points: 1, reason: 'x' }, as('viewer', 'k1'), f.deps),
    ).rejects.toBeInstanceOf(Forbidden);
  });

  it('refuses a debit beyond the balance under cap-at-balance, writing nothing', async () => {
    const f = await shop();
    await adjustPoints('shop', 'ann', { points: 100, reason: 'x' }, as('admin', 'k1'), f.deps);
    const before = f.stores.snapshot();

    const err = await adjustPoints('shop', 'ann', { points: -101, reason: 'x' }, as('admin', 'k2'), f.deps).catch(
      (e) => e,
    );

    expect(err).toBeInstanceOf(Unprocessable);
    expect(err.errors[0].field).toBe('points');
    expect(f.stores.snapshot()).toEqual(before);
  });

  it('lets a debit go negative under the negative-balance policy, as debt', async () => {
    const f = await shop({ returnPolicy: 'negative-balance' });
    await adjustPoints('shop', 'ann', { points: 100, reason: 'x' }, as('admin', 'k1'), f.deps);

    const { result } = await adjustPoints('shop', 'ann', { points: -150, reason: 'x' }, as('admin', 'k2'), f.deps);

    expect(result.debt).toBe(50);
    expect(result.balances.available).toBe(-50);
    expect(await f.violations('shop', 'ann')).toEqual([]);
  });

  it('refuses an unknown member', async () => {
    const f = await shop();
    await expect(
      adjustPoints('shop', 'bob', { points: 1, reason: 'x' }, as('admin', 'k1'), f.deps),
    ).rejects.toBeInstanceOf(MemberNotFound);
  });

  it('writes its audit entry with the balances before and after', async () => {
    const f = await shop();
    await adjustPoints('shop', 'ann', { points: 20, reason: 'x' }, as('support', 'k1'), f.deps);

    const log = await listAuditLog('shop', { limit: 10 }, f.deps);

    expect(log.items).toHaveLength(1);
    expect(log.items[0]).toMatchObject({
      operation: 'adjustPoints',
      target: { memberId: 'ann' },
      actor: { keyId: 'KEY1', role: 'support', label: null },
      before: { balances: { available: 0 } },
      after: { balances: { available: 20 } },
    });
  });

  it('never makes a balance negative unless the policy allows; balance = lots = transactions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('cap-at-balance' as const, 'negative-balance' as const),
        fc.array(
          fc.integer({ min: -500, max: 500 }).filter((p) => p !== 0),
          { minLength: 1, maxLength: 12 },
        ),
        async (policy, amounts) => {
          const f = await shop({ returnPolicy: policy });
          for (const [i, points] of amounts.entries())
            await adjustPoints('shop', 'ann', { points, reason: 'p' }, as('manager', `k${i}`), f.deps).catch((e) => {
              if (!(e instanceof Unprocessable)) throw e;
            });
          const state = await f.stores.ledger.loadMember('shop', 'ann');
          if (policy === 'cap-at-balance') expect(state.available).toBeGreaterThanOrEqual(0);
          expect(await f.violations('shop', 'ann')).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('findMembers', () => {
  it('finds a member by exact id, by email in any case, and by referral code', async () => {
    const f = await shop();
    const code = (await f.stores.ledger.getMember('shop', 'ann'))!.referralCode!;

    const byId = await findMembers('shop', { query: 'ann', limit: 10 }, f.deps);
    const byEmail = await findMembers('shop', { query: '  ann@EXAMPLE.com ', limit: 10 }, f.deps);
    const byCode = await findMembers('shop', { query: code.toLowerCase(), limit: 10 }, f.deps);

    expect(byId.items.map((i) => [i.matchedBy, i.member.memberId])).toEqual([['memberId', 'ann']]);
    expect(byEmail.items.map((i) => [i.matchedBy, i.member.memberId])).toEqual([['email', 'ann']]);
    expect(byCode.items.map((i) => [i.matchedBy, i.member.memberId])).toEqual([['referralCode', 'ann']]);
  });

  it('follows an email change: the old address finds nobody', async () => {
    const f = await shop();
    await enrolOrUpdateMember('shop', 'ann', { email: 'new@example.com' }, 'req-2', f.deps);

    expect((await findMembers('shop', { query: 'ann@example.com', limit: 10 }, f.deps)).items).toEqual([]);
    expect((await findMembers('shop', { query: 'new@example.com', limit: 10 }, f.deps)).items).toHaveLength(1);
  });

  it('pages members sharing an email', async () => {
    const f = await shop();
    for (const id of ['m1', 'm2', 'm3'])
      await enrolOrUpdateMember('shop', id, { email: 'shared@example.com' }, `req-${id}`, f.deps);

    const first = await findMembers('shop', { query: 'shared@example.com', limit: 2 }, f.deps);
    const second = await findMembers(
      'shop',
      { query: 'shared@example.com', limit: 2, cursor: first.nextCursor! },
      f.deps,
    );

    expect([...first.items, ...second.items].map((i) => i.member.memberId)).toEqual(['m1', 'm2', 'm3']);
    expect(second.nextCursor).toBeNull();
  });
});

describe('data protection', () => {
  it('exports everything held on the member, the adjustment included, and logs the export', async () => {
    const f = await shop();
    await adjustPoints('shop', 'ann', { points: 20, reason: 'x' }, as('support', 'k1'), f.deps);

    const data = await exportMember('shop', 'ann', actor('support'), {}, f.deps);

    expect(data.profile).toMatchObject({ memberId: 'ann', email: 'Ann@Example.com', name: 'Ann' });
    expect(data.transactions.map((t) => t.type)).toEqual(['adjust']);
    expect(data.lots).toHaveLength(1);
    expect(data.lookups).toEqual({ referralCode: data.profile.referralCode, email: true });
    const log = await listAuditLog('shop', { limit: 10 }, f.deps);
    expect(log.items[0]).toMatchObject({ operation: 'exportMember', after: { transactions: 1 } });
    expect(JSON.stringify(log.items[0])).not.toContain('Ann@Example.com');
  });

  it('erases personal data, keeps the ledger, and the email finds nobody afterwards', async () => {
    const f = await shop();
    await adjustPoints('shop', 'ann', { points: 20, reason: 'x' }, as('support', 'k1'), f.deps);

    const erased = await eraseMember('shop', 'ann', actor('admin'), {}, f.deps);
    const data = await exportMember('shop', 'ann', actor('admin'), {}, f.deps);

    expect(erased).toMatchObject({ erased: true, removed: ['email', 'name', 'referralCode'] });
    expect(data.profile).toMatchObject({ email: null, name: null, birthDate: null, attributes: {} });
    expect(data.profile.referralCode).toBeNull();
    expect(data.profile.erasedAt).toBe(erased.erasedAt);
    expect(data.transactions).toHaveLength(1);
    expect(data.profile.points.available).toBe(20);
    expect((await findMembers('shop', { query: 'ann@example.com', limit: 10 }, f.deps)).items).toEqual([]);
    expect(await f.violations('shop', 'ann')).toEqual([]);
  });

  it('is idempotent: erasing an erased member writes nothing', async () => {
    const f = await shop();
    const first = await eraseMember('shop', 'ann', actor('admin'), {}, f.deps);
    const before = f.stores.snapshot();

    const again = await eraseMember('shop', 'ann', actor('admin'), {}, f.deps);

    expect(again).toMatchObject({ erased: false, erasedAt: first.erasedAt });
    expect(f.stores.snapshot()).toEqual(before);
  });

  it('records the erasure in the audit log without the erased values', async () => {
    const f = await shop();
    await eraseMember('shop', 'ann', actor('admin'), {}, f.deps);

    const [entry] = (await listAuditLog('shop', { limit: 10 }, f.deps)).items;

    expect(entry).toMatchObject({ operation: 'eraseMember', before: { held: ['email', 'name', 'referralCode'] } });
    expect(JSON.stringify(entry)).not.toMatch(/Ann/);
  });
});
