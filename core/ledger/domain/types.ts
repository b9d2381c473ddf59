// Shapes shared by the pure domain modules. No I/O, no AWS imports.
import type { ExpiryPolicy } from '../../expiry/domain/expiry';
import type { TierSet } from '../../tiers/domain/tiers';
// Times are ISO-8601 UTC strings ("2026-11-23T08:00:00.000Z"); points are integers;
// money is integer minor units plus an ISO 4217 currency code.

export type Scope = 'members:read' | 'members:write' | 'purchases:write' | 'admin';
export const SCOPES: readonly Scope[] = ['members:read', 'members:write', 'purchases:write', 'admin'];

export interface Money {
  amount: number; // integer minor units (cents for USD, yen for JPY)
  currency: string; // ISO 4217
}

/** What a return takes back when the order's points were already spent (see README "Returns"). */
export type ReturnPolicy = 'cap-at-balance' | 'negative-balance';

export interface ProgramSettings {
  programId: string;
  name: string;
  currency: string; // the program's currency; purchases in another currency are rejected
  timeZone: string; // IANA zone for campaigns, periods, calendar expiry and tier windows
  pointsPerUnit: number; // integer points per whole currency unit, used while the program has no earning rules
  autoEnrol: boolean; // enrol unknown members on their first purchase
  pendingDays: number; // purchase points stay pending (unspendable) this many days: the return window
  returnPolicy: ReturnPolicy;
  expiryPolicy: ExpiryPolicy;
  tierSet: TierSet | null;
  createdAt: string;
  updatedAt?: string;
}

export interface Balances {
  available: number;
  pending: number;
  lifetimeEarned: number;
}

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
  /** The ledger state behind the balances (pending lots, counters, version); not part of the API view. */
  state?: import('./member-state').MemberState;
}

/** A credit. Debits consume `remaining` from the lots nearest to expiry first. */
export interface Lot {
  lotId: string;
  amount: number;
  remaining: number;
  earnedAt: string;
  availableAt: string; // == earnedAt unless the points are held as pending
  expiresAt: string | null;
  source: TransactionSource;
  reason: string;
  orderId?: string;
}

export type TransactionType = 'earn' | 'redeem' | 'expire' | 'adjust' | 'reverse' | 'refund';
export type TransactionSource = 'purchase' | 'event' | 'referral' | 'admin' | 'redemption' | 'return' | 'expiry';

export interface BreakdownLine {
  rule: string; // rule kind, e.g. "base"
  ruleId: string;
  version: number;
  description: string;
  points: number;
  /** Set on the negative line a cap adds. */
  capped?: boolean;
  /** A windfall's draw: roll (0-9999) against the threshold (probability x 10000). */
  draw?: { roll: number; threshold: number; won: boolean };
}

export interface Transaction {
  transactionId: string;
  memberId: string;
  type: TransactionType;
  points: number; // signed: credits positive, debits negative
  reason: string;
  source: TransactionSource;
  orderId?: string;
  status: 'credited' | 'pending' | 'debited';
  eventId?: string;
  returnId?: string;
  redemptionId?: string;
  breakdown: BreakdownLine[];
  lots: { lotId: string; points: number }[]; // lots created (credit) or consumed (debit)
  occurredAt: string; // when it happened at the source (purchase time)
  recordedAt: string; // when the ledger recorded it
}
