import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addBalances, basePoints, ledgerViolations, planPurchaseCredit, purchaseFingerprint, ZERO_BALANCES, type PurchaseFacts } from '../../shared/domain/ledger';
import type { Balances, Lot, Transaction } from '../../shared/domain/types';

const purchaseArb = fc.record({
  orderId: fc.constantFrom('o1', 'o2', 'o3', 'o4', 'o5', 'o6'),
  amount: fc.integer({ min: 0, max: 5_000_00 }),
});

/** The exactly-once rule as a model: an order credits the first time only. */
function applyAll(purchases: { orderId: string; amount: number }[], pointsPerUnit: number) {
  let balances: Balances = ZERO_BALANCES;
  const lots: Lot[] = [];
  const txs: Transaction[] = [];
  const seen = new Map<string, number>();
  purchases.forEach((p, i) => {
    if (seen.has(p.orderId)) return;
    const facts: PurchaseFacts = { orderId: p.orderId, memberId: 'm', occurredAt: '2026-01-01T00:00:00Z', currency: 'USD', amount: p.amount };
    const points = basePoints(p.amount, 'USD', pointsPerUnit);
    const plan = planPurchaseCredit({ purchase: facts, points, breakdown: [], transactionId: `t${i}`, lotId: `l${i}`, now: '2026-01-01T00:00:00.000Z' });
    seen.set(p.orderId, points);
    balances = addBalances(balances, plan.delta);
    if (plan.lot) lots.push(plan.lot);
    txs.push(plan.transaction);
  });
  return { balances, lots, txs, seen };
}

describe('ledger domain', () => {
  it('base points round down to whole currency units', () => {
    expect(basePoints(12_99, 'USD', 1)).toBe(12);
    expect(basePoints(99, 'USD', 1)).toBe(0);
    expect(basePoints(1_500, 'JPY', 2)).toBe(3_000);
    expect(basePoints(1_999, 'KWD', 1)).toBe(1);
  });

  it('property: base points never reward money not spent and grow with the amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), fc.integer({ min: 0, max: 10 ** 6 }), fc.integer({ min: 0, max: 1000 }), (a, extra, rate) => {
        const p = basePoints(a, 'USD', rate);
        expect(Number.isSafeInteger(p)).toBe(true);
        expect(p * 100).toBeLessThanOrEqual(a * rate);
        expect(basePoints(a + extra, 'USD', rate)).toBeGreaterThanOrEqual(p);
      }),
    );
  });

  it('property: any sequence of purchases and replays keeps balance = sum of lots = sum of transactions, each order credited once', () => {
    fc.assert(
      fc.property(fc.array(purchaseArb, { maxLength: 40 }), fc.integer({ min: 0, max: 20 }), (purchases, rate) => {
        const { balances, lots, txs, seen } = applyAll(purchases, rate);
        expect(ledgerViolations(balances, lots, txs)).toEqual([]);
        expect(txs).toHaveLength(seen.size);
        expect(balances.available).toBe([...seen.values()].reduce((s, p) => s + p, 0));
      }),
    );
  });

  it('a pending credit counts as pending, not available, and still as lifetime earned', () => {
    const plan = planPurchaseCredit({
      purchase: { orderId: 'o', memberId: 'm', occurredAt: '2026-01-01T00:00:00Z', currency: 'USD', amount: 10_00 },
      points: 10, breakdown: [], transactionId: 't', lotId: 'l', now: '2026-01-01T00:00:00.000Z', availableAt: '2026-01-15T00:00:00.000Z',
    });
    expect(plan.delta).toEqual({ available: 0, pending: 10, lifetimeEarned: 10 });
    expect(plan.transaction.status).toBe('pending');
  });

  it('a zero-point purchase is recorded without a lot', () => {
    const plan = planPurchaseCredit({
      purchase: { orderId: 'o', memberId: 'm', occurredAt: '2026-01-01T00:00:00Z', currency: 'USD', amount: 50 },
      points: 0, breakdown: [], transactionId: 't', lotId: 'l', now: '2026-01-01T00:00:00.000Z',
    });
    expect(plan.lot).toBeNull();
    expect(plan.transaction.points).toBe(0);
  });

  it('the fingerprint tells a replay from a different purchase under the same order id', () => {
    const p: PurchaseFacts = { orderId: 'o', memberId: 'm', occurredAt: '2026-01-01T00:00:00Z', currency: 'USD', amount: 100 };
    expect(purchaseFingerprint({ ...p, occurredAt: '2026-01-01T01:00:00+01:00' })).toBe(purchaseFingerprint(p));
    expect(purchaseFingerprint({ ...p, amount: 101 })).not.toBe(purchaseFingerprint(p));
    expect(purchaseFingerprint({ ...p, memberId: 'n' })).not.toBe(purchaseFingerprint(p));
  });

  it('violations are reported when balances drift from the lots', () => {
    expect(ledgerViolations({ available: 5, pending: 0, lifetimeEarned: 5 }, [], [])).toContain('balance 5 != sum of lots 0');
  });
});
