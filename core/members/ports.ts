// What operators' member work needs from storage: finding members by email (a lookup kept at write
// time), everything held on a member (data protection export) and the erasure of their personal data.
import type { Page } from '../kernel/page';
import type { Member } from '../ledger/domain/member';
import type { Lot, Transaction } from '../ledger/domain/types';
import type { WriteRecord } from '../ledger/ports';

/** Personal data removed from a member, in one write with its audit entry; ledger rows stay. */
export interface MemberErased extends WriteRecord {
  kind: 'member-erased';
  memberId: string;
  /** The normalised email the member had (its lookup goes), and the email as stored (the write's condition). */
  email: { stored: string; normalized: string } | null;
  /** The member's referral code: its lookup goes, so it no longer resolves to them. */
  referralCode: string | null;
  erasedAt: string;
}

/** Everything held on one member, in domain terms. */
export interface MemberRecords {
  member: Member | null;
  /** Every lot, spent ones included. */
  lots: Lot[];
  transactions: Transaction[];
  redemptions: Record<string, unknown>[];
  coupons: Record<string, unknown>[];
  rewardUsage: { rewardId: string; periodKey: string; used: number }[];
  schedules: { schedule: string; dueAt: string }[];
  notices: { noticeId: string; sentAt: string | null }[];
  lookups: { referralCode: string | null; email: boolean };
  erasedAt: string | null;
}

export interface MemberDirectory {
  /** Members whose normalised email is this one, by member id. */
  membersByEmail(
    programId: string,
    normalizedEmail: string,
    limit: number,
    cursor: string | null,
  ): Promise<Page<string>>;
  /** Everything held on the member (lots, transactions, redemptions, ... ) read through the adapters' mappers. */
  memberRecords(programId: string, memberId: string): Promise<MemberRecords>;
}
