import { describe, expect, it } from 'vitest';
import { baseRule, earn, item, referralRule } from './fixtures';

const referred = { purchaseCount: 0, referredBy: 'mem-friend' };

describe('referral', () => {
  it("the referred member's first purchase rewards both sides", () => {
    const result = earn({ rules: [baseRule(), referralRule()], member: referred });
    expect(result.referral).toEqual({
      ruleId: 'referral',
      version: 1,
      referrerMemberId: 'mem-friend',
      referrerPoints: 500,
      refereePoints: 200,
    });
    expect(result.points).toBe(20 + 200);
  });

  it('the referrer points are not part of the purchase points', () => {
    const result = earn({ rules: [referralRule({ refereePoints: 0 })], member: referred });
    expect(result.points).toBe(0);
    expect(result.referral?.referrerPoints).toBe(500);
  });

  it('a member who was not referred earns no referral', () => {
    const result = earn({ rules: [referralRule()], member: { purchaseCount: 0 } });
    expect(result.referral).toBeUndefined();
  });

  it('a member cannot refer themselves', () => {
    const result = earn({ rules: [referralRule()], member: { purchaseCount: 0, referredBy: 'mem-1' } });
    expect(result.referral).toBeUndefined();
    expect(result.skipped[0]?.reason).toBe('self-referral');
  });

  it('a purchase below the minimum does not qualify, and the next one that reaches it does', () => {
    const rules = [referralRule({ minSpend: { USD: 2_500 } })];
    expect(earn({ rules, member: referred, purchase: { items: [item('a', 2_000)] } }).referral).toBeUndefined();
    const second = earn({
      rules,
      member: { ...referred, purchaseCount: 1, referralRewarded: false },
      purchase: { items: [item('a', 3_000)] },
    });
    expect(second.referral?.refereePoints).toBe(200);
  });

  it('a referral is rewarded once', () => {
    const result = earn({ rules: [referralRule()], member: { ...referred, referralRewarded: true } });
    expect(result.referral).toBeUndefined();
    expect(result.skipped[0]?.reason).toBe('referral already rewarded');
  });

  it('without a referralRewarded fact only the first purchase can qualify', () => {
    expect(earn({ rules: [referralRule()], member: { ...referred, purchaseCount: 1 } }).referral).toBeUndefined();
  });

  it('a referrer who reached the cap earns nothing more, and neither does the referee', () => {
    const rules = [referralRule({ maxRewardsPerReferrer: 3 })];
    expect(earn({ rules, member: { ...referred, referrerRewardCount: 2 } }).referral?.referrerPoints).toBe(500);
    const capped = earn({ rules, member: { ...referred, referrerRewardCount: 3 } });
    expect(capped.referral).toBeUndefined();
    expect(capped.points).toBe(0);
    expect(capped.skipped[0]?.reason).toBe('referrer mem-friend already collected 3 of 3 referral rewards');
  });
});
