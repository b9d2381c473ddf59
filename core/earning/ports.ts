// What earning needs from storage: the orders recorded (each the exactly-once guard of its
// purchase, keeping what returns need), the guards of returns and engagement events, the rule
// set, and the records each of them commits with a ledger write.
import type { Member } from '../ledger/domain/member';
import type { MemberState } from '../ledger/domain/member-state';
import type { BreakdownLine, Transaction } from '../ledger/domain/types';
import type { Announcement, WriteRecord } from '../ledger/ports';
import type { EarningRule } from './domain';
import type { PurchaseFacts } from './domain/purchase';
import type { Returned } from './domain/returns';
import type { EngagementInput, ReturnInput } from './schemas';

export interface EarnResult {
  transactionId: string;
  orderId: string;
  memberId: string;
  points: number;
  status: Transaction['status'];
  breakdown: BreakdownLine[];
}

/** A purchase as recorded: the guard of its credit, and what its returns need. */
export interface RecordedOrder {
  fingerprint: string;
  result: EarnResult;
  purchase: PurchaseFacts;
  /** Each item's share of the points. */
  itemPoints: { sku: string; quantity: number; points: number }[];
  /** The money the points were earned on (eligible lines net of discounts); absent on older orders. */
  earnedOn?: number;
  /** The lot the purchase created (returns take from it first). */
  lot: { lotId: string; expiresAt: string | null } | null;
  returned: Returned;
  /** Optimistic lock of the returned totals. */
  version: number;
  /** The member as they were when it was recorded (backtests evaluate with it). */
  memberFacts?: { tier: string | null; purchaseCount: number; referredBy: string | null };
  recordedAt?: string;
}

export interface ReturnResult {
  returnId: string;
  orderId: string;
  memberId: string;
  transactionId: string | null;
  /** Points taken back in total: from the order's own lot, from other points, and as debt. */
  points: number;
  fromOrder: number;
  fromOtherPoints: number;
  debt: number;
  /** Points the return should have taken but the member had already spent, waived by the program's policy. */
  forgiven: number;
  orderPointsLeft: number;
  fullyReturned: boolean;
}

/** The guard of a return or an engagement event: what it was (fingerprint) and what it did. */
export interface Recorded<R> {
  fingerprint: string;
  result: R;
}

export interface OrderStore {
  /** One consistent read of what an earn decides on: the member and whether the order is known. */
  loadForEarn(
    programId: string,
    memberId: string,
    orderId: string,
  ): Promise<{ member: MemberState; order: RecordedOrder | null }>;
  getOrder(programId: string, orderId: string): Promise<RecordedOrder | null>;
  /** The member and the return's guard, if this return id was recorded. */
  loadForReturn(
    programId: string,
    memberId: string,
    returnId: string,
  ): Promise<{ member: MemberState; recorded: Recorded<ReturnResult> | null }>;
  /** The member and the event's guard, if this event id was recorded. */
  loadForEvent(
    programId: string,
    memberId: string,
    eventId: string,
  ): Promise<{ member: MemberState; recorded: Recorded<unknown> | null }>;
  /** The member and some of their orders, in one read (what they buy: reward affinity). */
  loadMemberOrders(
    programId: string,
    memberId: string,
    orderIds: string[],
  ): Promise<{ member: Member | null; orders: RecordedOrder[] }>;
  /** The program's recorded purchases with occurredAt in [from, to], oldest first. */
  purchasesBetween(programId: string, from: string, to: string): AsyncIterable<RecordedOrder>;
}

export interface RuleSet {
  /** The current version of every rule, active or not. */
  rules: EarningRule[];
  /** Bumps on every change: the optimistic lock of the set. */
  version: number;
}

export interface RuleChange {
  changedAt: string;
  /** Key id of the admin key that made the change. */
  changedBy: string;
  change: 'created' | 'updated' | 'deactivated';
}

export interface RuleStore {
  getRuleSet(programId: string): Promise<RuleSet>;
  /** Writes the rule's new version and the new set together; false if the set changed meanwhile. */
  saveRule(programId: string, rule: EarningRule, set: RuleSet, meta: RuleChange): Promise<boolean>;
  history(programId: string, ruleId: string): Promise<(EarningRule & RuleChange)[]>;
}

// Records earning commits with its ledger writes. Conflict names: 'order', 'return', 'event'.

/** The purchase's guard: written once; a second writer of the same order id finds it ('order'). */
export interface OrderRecorded extends WriteRecord {
  kind: 'order-recorded';
  order: RecordedOrder & { recordedAt: string };
}

/** What the order's returns took back so far, if it is still at `version` ('order'). */
export interface OrderReturned extends WriteRecord {
  kind: 'order-returned';
  orderId: string;
  returned: Returned;
  version: number;
}

/** The return's guard ('return'). */
export interface ReturnRecorded extends WriteRecord {
  kind: 'return-recorded';
  returnId: string;
  orderId: string;
  input: ReturnInput;
  fingerprint: string;
  result: ReturnResult;
  /** What the return announces, stored with its guard (the one item every return creates). */
  announces?: Announcement;
}

/** The engagement event's guard ('event'). */
export interface EventRecorded extends WriteRecord {
  kind: 'event-recorded';
  eventId: string;
  event: EngagementInput;
  fingerprint: string;
  result: unknown;
}

export type EarningRecord = OrderRecorded | OrderReturned | ReturnRecorded | EventRecorded;
