import type { Balances, Lot, Transaction } from './types';

export const ZERO_BALANCES: Balances = Object.freeze({ available: 0, pending: 0, lifetimeEarned: 0 });

export function addBalances(a: Balances, b: Balances): Balances {
  return {
    available: a.available + b.available,
    pending: a.pending + b.pending,
    lifetimeEarned: a.lifetimeEarned + b.lifetimeEarned,
  };
}

/**
 * The ledger's invariants, as a list of violations (empty when the ledger is sound):
 * available + pending = sum of lot remainders - debt = sum of transaction points; lifetime earned =
 * sum of credits; nothing negative.
 */
export function ledgerViolations(
  balances: Balances & { debt?: number },
  lots: Lot[],
  transactions: Transaction[],
): string[] {
  const v: string[] = [];
  const lotSum = lots.reduce((s, l) => s + l.remaining, 0);
  const txSum = transactions.reduce((s, t) => s + t.points, 0);
  const credits = transactions
    .filter((t) => t.type === 'earn' || t.type === 'reverse')
    .reduce((s, t) => s + t.points, 0);
  const held = balances.available + balances.pending;
  const debt = balances.debt ?? 0;
  if (held !== lotSum - debt) v.push(`balance ${held} != sum of lots ${lotSum} - debt ${debt}`);
  if (held !== txSum) v.push(`balance ${held} != sum of transactions ${txSum}`);
  if (balances.lifetimeEarned !== credits) v.push(`lifetime earned ${balances.lifetimeEarned} != credits ${credits}`);
  if (debt === 0 && (balances.available < 0 || balances.pending < 0)) v.push('negative balance without a debt');
  for (const l of lots)
    if (l.remaining < 0 || l.remaining > l.amount)
      v.push(`lot ${l.lotId} remaining ${l.remaining} outside 0..${l.amount}`);
  return v;
}
