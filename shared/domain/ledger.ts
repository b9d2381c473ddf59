import { createHash } from 'node:crypto';
import type { Balances, BreakdownLine, Lot, ProgramSettings, Transaction } from './types';
import { minorUnitExponent } from './earning/currency';

/** What a purchase says, after validation. */
export interface PurchaseFacts {
  orderId: string;
  memberId: string;
  occurredAt: string;
  currency: string;
  amount: number;
  items?: { sku: string; quantity: number; unitPrice: number; category?: string }[];
  channel?: string;
}

export const ZERO_BALANCES: Balances = Object.freeze({ available: 0, pending: 0, lifetimeEarned: 0 });

/**
 * Base earning: whole currency units, rounded down, times the program's points per unit.
 * $12.99 at 1 point per dollar earns 12 points; ¥1,500 at 1 point per yen earns 1,500.
 * Rounding down means a point is never awarded for money not spent.
 */
export function basePoints(amountMinor: number, currency: string, pointsPerUnit: number): number {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) throw new RangeError('amount must be a non-negative integer');
  const unit = 10 ** minorUnitExponent(currency);
  return Math.floor(amountMinor / unit) * pointsPerUnit;
}

/** Breakdown line for the base rule of issue-2 programs (one flat rate per program). */
export function baseBreakdown(program: ProgramSettings, points: number): BreakdownLine[] {
  return [
    {
      rule: 'base',
      ruleId: 'program-base',
      version: 1,
      description: `${program.pointsPerUnit} point(s) per whole ${program.currency}`,
      points,
    },
  ];
}

/**
 * Stable fingerprint of what makes a purchase the same purchase. A replay must match it;
 * the same order id with another fingerprint is a conflict, never a silent second credit.
 */
export function purchaseFingerprint(p: PurchaseFacts): string {
  const items = (p.items ?? []).map((i) => [i.sku, i.quantity, i.unitPrice, i.category ?? null]);
  const canonical = JSON.stringify([p.memberId, p.currency, p.amount, Date.parse(p.occurredAt), items, p.channel ?? null]);
  return createHash('sha256').update(canonical).digest('base64url');
}

export interface CreditPlan {
  lot: Lot | null; // null for a zero-point credit: nothing to spend later
  transaction: Transaction;
  delta: Balances;
}

/** A credit from a purchase: one lot, one transaction, and the balance delta they imply. */
export function planPurchaseCredit(args: {
  purchase: PurchaseFacts;
  points: number;
  breakdown: BreakdownLine[];
  transactionId: string;
  lotId: string;
  now: string;
  availableAt?: string; // later than now when the points are held as pending
  expiresAt?: string | null;
}): CreditPlan {
  const { purchase, points, now } = args;
  if (!Number.isSafeInteger(points) || points < 0) throw new RangeError('points must be a non-negative integer');
  const availableAt = args.availableAt && args.availableAt > now ? args.availableAt : now;
  const pending = availableAt > now;
  const lot: Lot | null =
    points > 0
      ? {
          lotId: args.lotId,
          amount: points,
          remaining: points,
          earnedAt: now,
          availableAt,
          expiresAt: args.expiresAt ?? null,
          source: 'purchase',
          reason: `Purchase ${purchase.orderId}`,
          orderId: purchase.orderId,
        }
      : null;
  const transaction: Transaction = {
    transactionId: args.transactionId,
    memberId: purchase.memberId,
    type: 'earn',
    points,
    reason: `Purchase ${purchase.orderId}`,
    source: 'purchase',
    orderId: purchase.orderId,
    status: pending ? 'pending' : 'credited',
    breakdown: args.breakdown,
    lots: lot ? [{ lotId: lot.lotId, points }] : [],
    occurredAt: purchase.occurredAt,
    recordedAt: now,
  };
  return {
    lot,
    transaction,
    delta: { available: pending ? 0 : points, pending: pending ? points : 0, lifetimeEarned: points },
  };
}

export function addBalances(a: Balances, b: Balances): Balances {
  return { available: a.available + b.available, pending: a.pending + b.pending, lifetimeEarned: a.lifetimeEarned + b.lifetimeEarned };
}

/**
 * The ledger's invariants, as a list of violations (empty when the ledger is sound):
 * available + pending = sum of lot remainders = sum of transaction points; lifetime earned =
 * sum of credits; nothing negative.
 */
export function ledgerViolations(balances: Balances, lots: Lot[], transactions: Transaction[]): string[] {
  const v: string[] = [];
  const lotSum = lots.reduce((s, l) => s + l.remaining, 0);
  const txSum = transactions.reduce((s, t) => s + t.points, 0);
  const credits = transactions.filter((t) => t.type === 'earn').reduce((s, t) => s + t.points, 0);
  const held = balances.available + balances.pending;
  if (held !== lotSum) v.push(`balance ${held} != sum of lots ${lotSum}`);
  if (held !== txSum) v.push(`balance ${held} != sum of transactions ${txSum}`);
  if (balances.lifetimeEarned !== credits) v.push(`lifetime earned ${balances.lifetimeEarned} != credits ${credits}`);
  if (balances.available < 0 || balances.pending < 0) v.push('negative balance');
  for (const l of lots) if (l.remaining < 0 || l.remaining > l.amount) v.push(`lot ${l.lotId} remaining ${l.remaining} outside 0..${l.amount}`);
  return v;
}
