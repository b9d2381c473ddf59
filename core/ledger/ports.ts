// What the ledger needs from storage, in its own terms. One write per business operation: the
// members' new states under their optimistic versions, lots (each taken from only if it still holds
// the points), transactions, and whatever else must commit with them (an order's guard, a
// redemption step, a schedule, an outbox entry), named by the context that owns it.
import type { Page } from '../kernel/page';
import type { Member } from './domain/member';
import type { MemberState } from './domain/member-state';
import type { Balances, Lot, Transaction } from './domain/types';

export interface MemberWrite {
  memberId: string;
  before: MemberState;
  after: MemberState;
  /** The member did not exist: this write enrols them (`backfill`: an imported history, announced by nothing). */
  enrol?: { via: 'purchase' | 'api' | 'backfill'; now: string };
  /** A referral code given to the member by this write. */
  referralCode?: string;
}

export interface LotUpdate {
  memberId: string;
  lot: Lot;
  /** Points taken from the lot; the write fails if the lot no longer holds them. */
  take: number;
  /** The lot became available with this write (it leaves the activation index). */
  activated?: boolean;
}

/**
 * Something else that commits in the same write. Each context declares its records (earning:
 * the order recorded; rewards: a redemption reserved; jobs: a schedule moved, an outbox entry)
 * and the store knows how to write each. A record whose condition fails makes the write throw a
 * WriteConflict tagged with the record's conflict name.
 */
export interface WriteRecord {
  readonly kind: string;
}

/**
 * What a write announces, stored with one of the items it creates (its transaction, a return's
 * guard): the table's stream turns it into events (ledger/use-cases/announced-events.ts) once the
 * write has committed, and only then. `at`: when the write happened (the events' occurredAt).
 */
export interface Announcement {
  memberId: string;
  at: string;
  correlationId?: string;
  /** Points Earned for the transaction it is stored with, and Tier Changed on the upgrade it earned. */
  credit?: {
    balances: Balances;
    orderId?: string;
    eventId?: string;
    tierChange?: { from: string | null; to: string };
  };
  /** Points Reversed: what a return took back. */
  reversal?: {
    transactionId: string;
    orderId: string;
    returnId: string;
    points: number;
    fromOrder: number;
    fromOtherPoints: number;
    forgiven: number;
    debt: number;
    balances: Balances;
  };
  /** Points Activated: pending lots this write made available. */
  activations?: { lotId: string; points: number; availableAt: string }[];
  /** Points Adjusted for the transaction it is stored with: an operator's credit or debit. */
  adjustment?: {
    reason: string;
    debt: number;
    by: { keyId: string; role: string | null };
    balances: Balances;
  };
}

export interface LedgerWrite {
  programId: string;
  members: MemberWrite[];
  lotPuts?: { memberId: string; lot: Lot }[];
  lotUpdates?: LotUpdate[];
  /** `announces`: what the transaction's item announces (see Announcement). */
  transactions?: (Transaction & { announces?: Announcement })[];
  records?: readonly WriteRecord[];
}

/** The ledger of one program's members: their state, lots and transactions, written atomically. */
export interface LedgerStore {
  /** The member's ledger state, read consistently (a new member's when absent). */
  loadMember(programId: string, memberId: string): Promise<MemberState>;
  getMember(programId: string, memberId: string): Promise<Member | null>;
  /** Profile and lots with points left, in one read (the member view). */
  memberWithLots(programId: string, memberId: string): Promise<{ member: Member | null; lots: Lot[] }>;
  /** The member's lots with points left, nearest expiry first. */
  listLots(programId: string, memberId: string): Promise<Lot[]>;
  /** Lots with points left that expire at or before `asOf`. */
  lotsExpiringBy(programId: string, memberId: string, asOf: string): Promise<Lot[]>;
  /** Newest first; `cursor` is one this method returned (a bad one is a ValidationFailed on `cursor`). */
  listTransactions(
    programId: string,
    memberId: string,
    limit: number,
    cursor: string | null,
  ): Promise<Page<Transaction>>;
  /** One atomic write; a failed condition throws WriteConflict and writes nothing. */
  commit(write: LedgerWrite, now: string): Promise<void>;

  upsertMember(
    programId: string,
    memberId: string,
    changes: ProfileChanges,
    requestId: string,
    now: string,
  ): Promise<{ member: Member; created: boolean }>;
  /** The member a referral code belongs to. */
  findReferralCode(programId: string, code: string): Promise<string | null>;
  /** Gives the member this code unless it is taken or the member already has one; false if not assigned. */
  assignReferralCode(programId: string, memberId: string, code: string, now: string): Promise<boolean>;
}

export interface ProfileChanges {
  email?: string | null;
  name?: string | null;
  birthDate?: string | null;
  attributes?: Member['attributes'] | null;
  /** The referring member (resolved from a referral code); set once, never overwritten. */
  referredBy?: string;
}

/** The exactly-once guard of an operator's adjustment: its Idempotency-Key, the request's fingerprint, the answer. */
export interface AdjustmentRecorded extends WriteRecord {
  kind: 'adjustment-recorded';
  memberId: string;
  idempotencyKey: string;
  fingerprint: string;
  result: unknown;
}

/** What an adjustment reads before it decides: the member and the guard of its Idempotency-Key, in one read. */
export interface AdjustmentStore {
  loadForAdjustment(
    programId: string,
    memberId: string,
    idempotencyKey: string,
  ): Promise<{ member: MemberState; recorded: { fingerprint: string; result: unknown } | null }>;
}
