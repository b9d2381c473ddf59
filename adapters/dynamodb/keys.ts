import { dueDay, dueShard } from '../../core/expiry/domain/expiry';

/**
 * The only module that knows how items are keyed (docs/data-model.md lists each access pattern).
 * Every key of program data starts with PROGRAM#<programId>; client ids cannot contain '#'
 * (shared/ids.ts), so no input can address another program's items.
 */
export const keys = {
  program: (programId: string) => ({ pk: `PROGRAM#${programId}`, sk: 'SETTINGS' }),
  apiKey: (keyHash: string) => ({ pk: `APIKEY#${keyHash}`, sk: 'APIKEY' }),
  memberPk: (programId: string, memberId: string) => `PROGRAM#${programId}#MEMBER#${memberId}`,
  member: (programId: string, memberId: string) => ({ pk: keys.memberPk(programId, memberId), sk: 'PROFILE' }),
  /** Lots sort by expiry (never-expiring last), so a debit reads the nearest-expiring first. */
  lot: (programId: string, memberId: string, expiresAt: string | null, lotId: string) => ({
    pk: keys.memberPk(programId, memberId),
    sk: `LOT#${expiresAt ?? '9999-12-31T23:59:59.999Z'}#${lotId}`,
  }),
  lotPrefix: 'LOT#',
  /** Transaction ids are ULIDs: sort key order is recording order, newest last. */
  transaction: (programId: string, memberId: string, transactionId: string) => ({
    pk: keys.memberPk(programId, memberId),
    sk: `TX#${transactionId}`,
  }),
  transactionPrefix: 'TX#',
  /** The exactly-once guard of a purchase, holding the original result. */
  order: (programId: string, orderId: string) => ({ pk: `PROGRAM#${programId}#ORDER#${orderId}`, sk: 'ORDER' }),
  /** Index keys listing a program's purchases by date (backtests), one partition per month. */
  purchaseByDate: (programId: string, occurredAt: string, orderId: string) => ({
    gsi2pk: `PROGRAM#${programId}#PURCHASES#${occurredAt.slice(0, 7)}`,
    gsi2sk: `${occurredAt}#${orderId}`,
  }),
  /** Exactly-once guards of returns and engagement events. */
  returnGuard: (programId: string, returnId: string) => ({ pk: `PROGRAM#${programId}#RETURN#${returnId}`, sk: 'RETURN' }),
  eventGuard: (programId: string, eventId: string) => ({ pk: `PROGRAM#${programId}#EVENT#${eventId}`, sk: 'EVENT' }),
  referralCode: (programId: string, code: string) => ({ pk: `PROGRAM#${programId}#REFCODE#${code}`, sk: 'REFCODE' }),

  /** Earning rules: the current set in one item (one cached read), every version kept for audit. */
  ruleSet: (programId: string) => ({ pk: `PROGRAM#${programId}`, sk: 'RULESET' }),
  ruleVersion: (programId: string, ruleId: string, version: number) => ({
    pk: `PROGRAM#${programId}#RULES`,
    sk: `RULE#${ruleId}#V#${String(version).padStart(6, '0')}`,
  }),

  /** Rewards catalog, redemptions, coupons (issue: rewards and redemption saga). */
  reward: (programId: string, rewardId: string) => ({ pk: `PROGRAM#${programId}#REWARDS`, sk: `REWARD#${rewardId}` }),
  rewardsPk: (programId: string) => `PROGRAM#${programId}#REWARDS`,
  redemption: (programId: string, redemptionId: string) => ({ pk: `PROGRAM#${programId}#REDEMPTION#${redemptionId}`, sk: 'REDEMPTION' }),
  memberRedemption: (programId: string, memberId: string, redemptionId: string) => ({
    pk: keys.memberPk(programId, memberId),
    sk: `REDEMPTION#${redemptionId}`,
  }),
  idempotency: (programId: string, scope: string, key: string) => ({ pk: `PROGRAM#${programId}#IDEMPOTENCY#${scope}#${key}`, sk: 'IDEMPOTENCY' }),
  coupon: (programId: string, code: string) => ({ pk: `PROGRAM#${programId}#COUPON#${code}`, sk: 'COUPON' }),
  // --- rewards and redemptions, continued (added with the redemption saga) ---
  /** A member's redemptions, newest last (ULIDs), in the member's partition: listed with begins_with. */
  memberRedemptionPrefix: 'REDEMPTION#',
  /** Units of a reward a member redeemed in one limit period (the per-member limit, enforced by a condition). */
  rewardUsage: (programId: string, memberId: string, rewardId: string, periodKey: string) => ({
    pk: keys.memberPk(programId, memberId),
    sk: `RUSAGE#${rewardId}#${periodKey}`,
  }),
  rewardUsagePrefix: 'RUSAGE#',
  /** Charity donations: running totals per cause, and one entry per donation under its reward. */
  donationTotalsPk: (programId: string) => `PROGRAM#${programId}#DONATIONS`,
  donationTotal: (programId: string, causeId: string) => ({ pk: `PROGRAM#${programId}#DONATIONS`, sk: `CAUSE#${causeId}` }),
  rewardDonationsPk: (programId: string, rewardId: string) => `PROGRAM#${programId}#REWARD#${rewardId}#DONATIONS`,
  donation: (programId: string, rewardId: string, redemptionId: string) => ({
    pk: `PROGRAM#${programId}#REWARD#${rewardId}#DONATIONS`,
    sk: `DONATION#${redemptionId}`,
  }),
  donationPrefix: 'DONATION#',
} as const;

/** The due-work index is sharded by day so no partition is hot; jobs query every shard of a day. */
export const DUE_SHARDS = 8;
/** ACTIVATE/EXPIRE: lots; REVIEW/INACTIVITY: a member's schedule items; OUTBOX: job events not yet published. */
export type DueKind = 'ACTIVATE' | 'EXPIRE' | 'REVIEW' | 'NOTIFY' | 'INACTIVITY' | 'OUTBOX';

/** Index keys of a due item: partition = kind, UTC day and shard; sort = due instant (so `<= asOf` finds what is due). */
export function dueKeys(kind: DueKind, at: string, programId: string, memberId: string, id: string) {
  const owner = `${programId}#${memberId}#${id}`;
  return {
    gsi1pk: `DUE#${kind}#${dueDay(at)}#${dueShard(owner, DUE_SHARDS)}`,
    gsi1sk: `${at}#${owner}`,
  };
}

export function duePartitions(kind: DueKind, day: string): string[] {
  return Array.from({ length: DUE_SHARDS }, (_, shard) => `DUE#${kind}#${day}#${shard}`);
}

export type ItemKey = { pk: string; sk: string };

/** The partition of one shard of one day of the due index (what a job worker queries). */
export function duePartition(kind: DueKind, day: string, shard: number): string {
  return `DUE#${kind}#${day}#${shard}`;
}

/**
 * Items of the scheduled jobs (tiers and expiry). In a member's partition they sort outside
 * `LOT#`..`PROFILE`, so the member view's one Query (profile + lots) never reads them:
 * DUE#INACTIVITY, DUE#OUTBOX#<id>, DUE#REVIEW < LOT#... < PROFILE < ... < SENT#<noticeId> < TX#...
 */
export const jobKeys = {
  /** A member's next tier review or inactivity check: one small item, indexed by its due instant. */
  schedule: (programId: string, memberId: string, kind: 'REVIEW' | 'INACTIVITY') => ({ pk: keys.memberPk(programId, memberId), sk: `DUE#${kind}` }),
  /** Events a job recorded in the same transaction as its effect, until they are published. */
  outbox: (programId: string, memberId: string, outboxId: string) => ({ pk: keys.memberPk(programId, memberId), sk: `DUE#OUTBOX#${outboxId}` }),
  /** The send-once guard of a notice (Points Expiring, Tier Downgrade Warning), keyed by its stable id. */
  notice: (programId: string, memberId: string, noticeId: string) => ({ pk: keys.memberPk(programId, memberId), sk: `SENT#${noticeId}` }),
  /** Where each job resumes: the first day of the due index that may still hold work. Jobs span programs. */
  checkpoint: (job: string) => ({ pk: `JOB#${job}`, sk: 'CHECKPOINT' }),
  /** The member view reads the profile and every lot in one Query: LOT#... sort just before PROFILE. */
  memberViewRange: { from: 'LOT#', to: 'PROFILE' },
} as const;
