// What rewards need from storage, one port per aggregate (the catalog, redemptions, coupons,
// donations), the saga's workflows, and the records a redemption step commits with a ledger write.
// Every step is conditioned on the redemption's status and step markers, so a retried step finds
// its own earlier write (the write throws WriteConflict tagged 'redemption') instead of repeating.
import type { Money } from '../kernel/money';
import type { Page } from '../kernel/page';
import type { Member } from '../ledger/domain/member';
import type { MemberState } from '../ledger/domain/member-state';
import type { WriteRecord } from '../ledger/ports';
import type { Redemption, RedemptionSnapshot, Reward } from './domain/rewards';

/** What a reward definition change may set (stock is adjusted separately, by a delta). */
export type RewardChanges = Partial<Omit<Reward, 'rewardId' | 'type' | 'stock' | 'createdAt' | 'updatedAt'>>;

export interface CatalogStore {
  /** Throws RewardExists when the id is taken. */
  createReward(programId: string, reward: Reward): Promise<void>;
  /** Throws RewardNotFound, or ValidationFailed on `addStock` when the stock cannot change so. */
  updateReward(
    programId: string,
    rewardId: string,
    changes: RewardChanges,
    addStock: number | undefined,
    now: string,
  ): Promise<Reward>;
  getReward(programId: string, rewardId: string): Promise<Reward | null>;
  listRewards(programId: string): Promise<Reward[]>;
  /**
   * Saga step: `quantity` units of stock, only while that many are left ('stock') and the points are reserved
   * ('redemption').
   */
  reserveStock(r: RedemptionSnapshot, now: string): Promise<void>;
}

export interface IdempotencyRecord {
  redemptionId: string;
  fingerprint: string;
}

export interface RedemptionStore {
  /** One consistent read of what a request decides on: the member, the reward and the key's earlier redemption. */
  loadRequest(
    programId: string,
    memberId: string,
    rewardId: string,
    idempotencyKey: string,
  ): Promise<{
    member: MemberState;
    profile: Pick<Member, 'attributes' | 'enrolledAt' | 'tier'> | null;
    reward: Reward | null;
    idempotency: IdempotencyRecord | null;
  }>;
  /** The member's ledger state and the redemption, in one consistent read (saga steps). */
  loadForStep(
    programId: string,
    memberId: string,
    redemptionId: string,
  ): Promise<{ member: MemberState; redemption: Redemption | null }>;
  /**
   * Idempotency guard, redemption and its by-id pointer in one write; false when the key is already used. An open
   * redemption is due for the sweeper at its `sweepAt`; completing, failing or cancelling it takes it out of the due
   * work.
   */
  createRedemption(redemption: Redemption, now: string): Promise<boolean>;
  getIdempotency(programId: string, memberId: string, key: string): Promise<IdempotencyRecord | null>;
  /** By id: any member of the program. */
  getRedemption(programId: string, redemptionId: string): Promise<Redemption | null>;
  getMemberRedemption(programId: string, memberId: string, redemptionId: string): Promise<Redemption | null>;
  /** Newest first; `cursor` is one this method returned (a bad one is a ValidationFailed on `cursor`). */
  listMemberRedemptions(
    programId: string,
    memberId: string,
    limit: number,
    cursor: string | null,
  ): Promise<Page<Redemption>>;
  /** Units the member redeemed of each reward in each limit period: `rewardId#periodKey` -> used. */
  memberUsage(programId: string, memberId: string): Promise<Map<string, number>>;
  usage(programId: string, memberId: string, rewardId: string, periodKey: string): Promise<number>;
  /**
   * Saga step: remembers the task token a partner's confirmation answers, and moves the redemption's deadline to
   * `sweepAt` ('redemption').
   */
  awaitFulfilment(r: RedemptionSnapshot, taskToken: string, now: string, sweepAt: string): Promise<void>;
  /** A partner's confirmation, once, while the redemption waits for it ('redemption'). */
  recordPartnerFulfilment(
    r: Redemption,
    fulfilment: NonNullable<Redemption['fulfilment']>,
    now: string,
  ): Promise<Redemption>;
  /** Saga step: completed, once everything before it is done ('redemption'). */
  confirm(r: RedemptionSnapshot, now: string): Promise<Redemption>;
}

export interface Coupon {
  code: string;
  rewardId: string;
  rewardName: string;
  rewardType: string;
  details: Reward['details'];
  memberId: string;
  redemptionId: string;
  status: 'issued' | 'used' | 'void';
  issuedAt: string;
  expiresAt: string;
  usedAt: string | null;
  orderId: string | null;
  voidedAt: string | null;
}

export interface CouponStore {
  /**
   * Saga step: a new code ('coupon' when the code exists: draw again) on a redemption whose earlier steps are done,
   * and the redemption completed with it ('redemption').
   */
  issueCoupon(r: RedemptionSnapshot, code: string, expiresAt: string, now: string): Promise<void>;
  getCoupon(programId: string, code: string): Promise<Coupon | null>;
  /** Marks an issued, unexpired coupon used; null when it is not (read it to say why). */
  useCoupon(programId: string, code: string, now: string, orderId: string | null): Promise<Coupon | null>;
}

export interface DonationEntry {
  redemptionId: string;
  memberId: string;
  rewardId: string;
  causeId: string;
  causeName: string;
  points: number;
  amount: Money;
  receipt: string;
  donatedAt: string;
}

export interface DonationTotal {
  causeId: string;
  causeName: string;
  donations: number;
  points: number;
  amount: Money;
}

export interface DonationStore {
  /**
   * Saga step: the donation and its cause's running total, on a redemption whose earlier steps are done, and the
   * redemption completed with it ('redemption').
   */
  recordDonation(r: RedemptionSnapshot, receipt: string, now: string): Promise<void>;
  donationTotals(programId: string): Promise<DonationTotal[]>;
  /** Oldest first; `cursor` is one this method returned. */
  listDonations(
    programId: string,
    rewardId: string,
    limit: number,
    cursor: string | null,
  ): Promise<Page<DonationEntry>>;
}

/** The redemption saga as the API sees it: start it, and answer a task waiting for a partner. */
export interface RedemptionWorkflows {
  /** Runs the instant saga to its end and returns how it ended. */
  runInstant(input: SagaInput): Promise<SagaRun>;
  /** Starts the partner saga, named after the redemption (a second start of a running one is a no-op). */
  startFulfilment(input: SagaInput): Promise<{ executionArn: string | null }>;
  /** `gone`: the task no longer waits (it timed out, or was answered already). */
  sendTaskSuccess(taskToken: string, output: unknown): Promise<'sent' | 'gone'>;
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<'sent' | 'gone'>;
}

export interface SagaInput {
  redemption: RedemptionSnapshot;
}

export interface SagaRun {
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | string;
  output: unknown;
  error?: string;
  cause?: string;
  executionArn?: string;
}

// Records a redemption commits with a ledger write.

/**
 * A new redemption, created with everything it holds (its `reservation` and `stockReserved`): the Idempotency-Key
 * guard ('idempotency' when the key is taken), the record (due for the sweeper at its `sweepAt`) and its by-id
 * pointer, the units counted against the member's limit (never past it: 'limit') and the stock taken (only while
 * that many are left: 'stock'). The ledger write carrying it debits the member, the lots and the transaction.
 */
export interface RedemptionCreated extends WriteRecord {
  kind: 'redemption-created';
  redemption: Redemption & { reservation: NonNullable<Redemption['reservation']> };
}

/**
 * The points reserved on the redemption (it must still be pending and unreserved: 'redemption')
 * and the units counted against the member's limit (never past it: 'limit').
 */
export interface RedemptionReserved extends WriteRecord {
  kind: 'redemption-reserved';
  redemption: RedemptionSnapshot;
  reservation: NonNullable<Redemption['reservation']>;
}

/**
 * Everything the redemption holds given back and the redemption closed, exactly once: its status
 * is still the one read and no step reserved or issued anything since ('redemption'); the limit
 * count, the stock and a donation go back; an issued coupon is voided only if still unused ('coupon').
 */
export interface RedemptionReleased extends WriteRecord {
  kind: 'redemption-released';
  redemption: Redemption;
  to: {
    status: 'failed' | 'cancelled';
    failure?: Redemption['failure'];
    release?: Redemption['release'];
  };
}

export type RewardRecord = RedemptionCreated | RedemptionReserved | RedemptionReleased;
