// The ledger state kept on a member item, and the pure moves every operation composes:
// settle matured pending points, credit, and allocate a debit over lots nearest-expiry first.
// Invariant (property-tested): available + pending = sum(lot.remaining) - debt.

import { toMs } from '../../kernel/calendar';
import type { Lot } from './types';

export interface PendingLot {
  lotId: string;
  points: number; // still held as pending (after any debt repayment at activation)
  availableAt: string;
  expiresAt: string | null; // locates the lot's item (its sort key holds the expiry)
}

export interface MemberState {
  exists: boolean;
  /** Optimistic lock: every ledger write conditions on it and increments it. */
  version: number;
  available: number;
  pending: number;
  lifetimeEarned: number;
  /** Points owed after a return took back points already spent (policy "negative-balance"). */
  debt: number;
  pendingLots: PendingLot[];
  tier: string | null;
  tierAchievedAt: string | null;
  purchaseCount: number;
  referralCode?: string;
  referredBy?: string;
  referralRewarded: boolean;
  referralRewards: number;
  /** Period counters: `u#<periodKey>` points earned, `e#<type>#<periodKey>` events, `q#<YYYY-MM>` qualifying value. */
  counters: Record<string, number>;
  lastActivityAt?: string;
}

/**
 * The most points a balance or a counter may hold: far below 2^53, so every sum the ledger makes stays
 * exact and readable (DynamoDB numbers beyond it no longer read back as safe integers).
 */
export const MAX_LEDGER_POINTS = 1_000_000_000_000_000;

/** The balances and counters of `state` beyond MAX_LEDGER_POINTS either way, by name; empty when all fit. */
export function outOfLedgerBounds(state: MemberState): string[] {
  const values: [string, number][] = [
    ['available', state.available],
    ['pending', state.pending],
    ['lifetimeEarned', state.lifetimeEarned],
    ['debt', state.debt],
    ...Object.entries(state.counters).map(([k, v]): [string, number] => [`counter ${k}`, v]),
  ];
  return values.filter(([, v]) => !Number.isSafeInteger(v) || Math.abs(v) > MAX_LEDGER_POINTS).map(([k]) => k);
}

export const NEW_MEMBER: MemberState = Object.freeze({
  exists: false,
  version: 0,
  available: 0,
  pending: 0,
  lifetimeEarned: 0,
  debt: 0,
  pendingLots: [],
  tier: null,
  tierAchievedAt: null,
  purchaseCount: 0,
  referralRewarded: false,
  referralRewards: 0,
  counters: {},
}) as MemberState;

export interface Activation {
  lot: PendingLot;
  /** Points of the lot that paid off debt when it became available. */
  repaid: number;
}

/**
 * Matured pending lots one write may activate, so its transaction stays far below DynamoDB's 100 items; the rest
 * mature in the next write.
 */
export const MAX_ACTIVATIONS_PER_WRITE = 40;

/**
 * Pending points whose time has come become available (debt is repaid from them first), oldest
 * first, at most `max` lots. Reads apply this on the fly (no limit), so no point is ever shown
 * pending after its `availableAt`; writes persist it in the same transaction as whatever they do.
 */
export function settle(
  state: MemberState,
  now: string,
  max = Number.POSITIVE_INFINITY,
): { state: MemberState; activations: Activation[] } {
  const matured = state.pendingLots
    .filter((l) => l.availableAt <= now)
    .sort((a, b) =>
      a.availableAt < b.availableAt ? -1 : a.availableAt > b.availableAt ? 1 : a.lotId < b.lotId ? -1 : 1,
    )
    .slice(0, Math.max(0, max));
  if (!matured.length) return { state, activations: [] };
  let { available, pending, debt } = state;
  const activations: Activation[] = [];
  for (const lot of matured) {
    const repaid = Math.min(debt, lot.points);
    debt -= repaid;
    pending -= lot.points;
    available += lot.points;
    activations.push({ lot, repaid });
  }
  const done = new Set(matured.map((l) => l.lotId));
  return {
    state: { ...state, available, pending, debt, pendingLots: state.pendingLots.filter((l) => !done.has(l.lotId)) },
    activations,
  };
}

/** `settle` as a write does it: bounded, so the write's transaction stays within limits. */
export function settleForWrite(state: MemberState, now: string): { state: MemberState; activations: Activation[] } {
  return settle(state, now, MAX_ACTIVATIONS_PER_WRITE);
}

/** What a credit of `points` leaves in its new lot once any debt is repaid (available credits only). */
export function creditRepayment(state: MemberState, points: number, pending: boolean): number {
  return pending ? 0 : Math.min(state.debt, points);
}

export interface DebitAllocation {
  allocations: { lot: Lot; points: number }[];
  /** Points asked for that the spendable lots could not cover. */
  shortfall: number;
}

/**
 * Takes `points` from spendable lots (available now, remaining > 0), nearest expiry first, so a
 * spend racing an expiry always uses the points about to expire. `prefer` lots go first (a
 * return takes back its own order's lot before anything else).
 */
export function allocateDebit(
  lots: readonly Lot[],
  points: number,
  now: string,
  prefer: readonly string[] = [],
): DebitAllocation {
  if (!Number.isSafeInteger(points) || points < 0) throw new RangeError('points must be a non-negative integer');
  const spendable = lots.filter((l) => l.remaining > 0 && l.availableAt <= now);
  const ordered = [
    ...spendable.filter((l) => prefer.includes(l.lotId)),
    ...spendable.filter((l) => !prefer.includes(l.lotId)).sort(compareForConsumption),
  ];
  const allocations: DebitAllocation['allocations'] = [];
  let left = points;
  for (const lot of ordered) {
    if (left === 0) break;
    const take = Math.min(lot.remaining, left);
    allocations.push({ lot, points: take });
    left -= take;
  }
  return { allocations, shortfall: left };
}

/** The member's balances as a client should see them at `now` (matured pending counted as available). */
export function effectiveBalances(state: MemberState, now: string) {
  const { state: s } = settle(state, now);
  return { available: s.available, pending: s.pending, lifetimeEarned: s.lifetimeEarned };
}

/**
 * Lots in the order a debit consumes them: nearest expiry first, never-expiring last, ties by
 * earnedAt then lotId. Returns a sorted copy containing every lot (filter empty/pending ones yourself).
 */
export function consumeOrder(lots: readonly Lot[]): Lot[] {
  return [...lots].sort(compareForConsumption);
}

export function compareForConsumption(a: Lot, b: Lot): number {
  if (a.expiresAt !== b.expiresAt) {
    if (a.expiresAt === null) return 1;
    if (b.expiresAt === null) return -1;
    const expiry = toMs(a.expiresAt) - toMs(b.expiresAt);
    if (expiry !== 0) return expiry;
  }
  const earned = toMs(a.earnedAt) - toMs(b.earnedAt);
  if (earned !== 0) return earned;
  return a.lotId < b.lotId ? -1 : a.lotId > b.lotId ? 1 : 0;
}
