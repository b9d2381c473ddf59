import { describe, expect, it } from 'vitest';
import { demoEarningRules } from '../../../core/earning/domain';
import { recordEngagement } from '../../../core/earning/use-cases/record-engagement';
import { IdempotencyConflict } from '../../../core/kernel/errors';
import { MemberNotFound } from '../../../core/ledger/errors';
import { enrolOrUpdateMember } from '../../../core/ledger/use-cases/members';
import { memoryFixture } from './fixture';

const review = (eventId: string, occurredAt = '2026-11-23T10:00:00Z') => ({
  eventId,
  memberId: 'eve',
  type: 'review.posted',
  occurredAt,
});

/** The demo rules: 25 points a review, at most one a day and five a month. */
async function demo() {
  const f = memoryFixture();
  await f.program('demo', {}, demoEarningRules());
  await enrolOrUpdateMember('demo', 'eve', { email: 'eve@example.com' }, 'r1', f.deps);
  return f;
}

describe('recordEngagement', () => {
  it('credits an event by its rule', async () => {
    const f = await demo();

    const { replayed, result } = await recordEngagement('demo', review('e1'), f.deps);

    expect(replayed).toBe(false);
    expect(result).toMatchObject({ eventId: 'e1', points: 25, status: 'credited', notRewarded: [] });
    expect(await f.balance('demo', 'eve')).toEqual({ available: 25, pending: 0, lifetimeEarned: 25 });
    expect(await f.violations('demo', 'eve')).toEqual([]);
  });

  it("a second event of the type on the same day earns nothing, and says which rule's limit stopped it", async () => {
    const f = await demo();
    await recordEngagement('demo', review('e1'), f.deps);

    const { result } = await recordEngagement('demo', review('e2', '2026-11-23T11:00:00Z'), f.deps);

    expect(result.points).toBe(0);
    expect(result.notRewarded).toEqual([{ ruleId: 'review-posted', reason: expect.any(String) }]);
    expect((await f.balance('demo', 'eve')).available).toBe(25);
  });

  it('the daily limit starts again the next day', async () => {
    const f = await demo();
    await recordEngagement('demo', review('e1'), f.deps);
    f.clock.set('2026-11-24T12:00:00.000Z');

    const { result } = await recordEngagement('demo', review('e2', '2026-11-24T10:00:00Z'), f.deps);

    expect(result.points).toBe(25);
    expect((await f.balance('demo', 'eve')).available).toBe(50);
  });

  it('a replay returns the original result and writes nothing', async () => {
    const f = await demo();
    const first = await recordEngagement('demo', review('e1'), f.deps);
    const before = f.stores.snapshot();

    const again = await recordEngagement('demo', review('e1'), f.deps);

    expect(again).toEqual({ replayed: true, result: first.result });
    expect(f.stores.snapshot()).toEqual(before);
  });

  it('the same event id with different content is an IdempotencyConflict', async () => {
    const f = await demo();
    await recordEngagement('demo', review('e1'), f.deps);

    const other = recordEngagement('demo', { ...review('e1'), type: 'birthday' }, f.deps);

    await expect(other).rejects.toBeInstanceOf(IdempotencyConflict);
  });

  it('an event of a member who is not enrolled is MemberNotFound and writes nothing', async () => {
    const f = await demo();
    const before = f.stores.snapshot();

    await expect(recordEngagement('demo', { ...review('e1'), memberId: 'nobody' }, f.deps)).rejects.toBeInstanceOf(
      MemberNotFound,
    );
    expect(f.stores.snapshot()).toEqual(before);
  });

  it("concurrent duplicates credit once, and the day's limit holds under the race", async () => {
    const f = await demo();

    const results = await Promise.all([
      ...Array.from({ length: 4 }, () => recordEngagement('demo', review('e1'), f.deps)),
      recordEngagement('demo', review('e2'), f.deps),
    ]);

    expect(results.filter((r) => !r.replayed)).toHaveLength(2);
    expect((await f.balance('demo', 'eve')).available).toBe(25);
    expect(await f.violations('demo', 'eve')).toEqual([]);
  });
});
