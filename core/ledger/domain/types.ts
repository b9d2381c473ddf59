// The ledger's shapes. Times are ISO-8601 UTC strings ("2026-11-23T08:00:00.000Z"); points are
// integers; money is integer minor units plus an ISO 4217 currency code.

export interface Balances {
  available: number;
  pending: number;
  lifetimeEarned: number;
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
  /** A windfall's draw: roll (0-9999) against the threshold (probability x 10000), keyed by the key `key`. */
  draw?: { roll: number; threshold: number; won: boolean; key?: string };
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
  /** An operator's adjustment: their note (free text, no personal data) and who made it. */
  note?: string;
  adjustedBy?: { keyId: string; role: string | null };
}
