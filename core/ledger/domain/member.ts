import type { MemberState } from './member-state';
import type { Balances } from './types';

/** A member as stored: profile, balances, and the ledger state behind them. */
export interface Member {
  programId: string;
  memberId: string;
  email?: string;
  name?: string;
  birthDate?: string; // YYYY-MM-DD
  attributes: Record<string, string | number | boolean>;
  tier: string | null;
  points: Balances;
  enrolledAt: string;
  updatedAt: string;
  referralCode?: string;
  /** When an operator erased the member's personal data (data protection); the ledger stays. */
  erasedAt?: string;
  /** The ledger state behind the balances (pending lots, counters, version); not part of the API view. */
  state?: MemberState;
}
