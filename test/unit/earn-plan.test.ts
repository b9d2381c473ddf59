import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countersAfter, effectiveRules, planPurchaseCredit } from '../../core/earning/domain/earn-plan';
import type { PurchaseFacts } from '../../core/earning/domain/purchase';
import { purchaseFingerprint } from '../../core/earning/domain/purchase';
import { evaluate } from '../../core/earning/use-cases/earn-for-purchase';
import { ledgerViolations } from '../../core/ledger/domain/ledger';
import { effectiveBalances, type MemberState, NEW_MEMBER, settle } from '../../core/ledger/domain/member-state';
import type { Lot, Transaction } from '../../core/ledger/domain/types';
import type { ProgramSettings } from '../../core/programs/domain/program';
import { programSettings } from './earning/fixtures';

const program = programSettings;

/** An in-memory ledger applying plans the way the DynamoDB writer does. */
function run(p: ProgramSettings, purchases: { orderId: string; amount: number; dayOffset: number }[]) {
  let state: MemberState = NEW_MEMBER;
  const lots: Lot[] = [];
  const txs: Transaction[] = [];
  const seen = new Set<string>();
  let i = 0;
  for (const x of purchases) {
    const now = new Date(Date.parse('2026-03-01T00:00:00Z') + x.dayOffset * 86_400_000).toISOString();
    if (seen.has(x.orderId)) continue; // exactly-once: the order guard
    seen.add(x.orderId);
    const purchase: PurchaseFacts = {
      orderId: x.orderId,
      memberId: 'm',
      occurredAt: now,
      currency: 'USD',
      amount: x.amount,
    };
    const evaluation = evaluate(p, [], purchase, { ...state, memberId: 'm' }, now);
    const plan = planPurchaseCredit({
      program: p,
      memberId: 'm',
      state,
      evaluation,
      purchase,
      now,
      ids: { transactionId: `t${i}`, lotId: `l${i}`, referrerTransactionId: `rt${i}`, referrerLotId: `rl${i}` },
    });
    i++;
    state = plan.member.state;
    if (plan.member.lot) lots.push(plan.member.lot);
    txs.push(plan.member.transaction);
  }
  return { state, lots, txs, seen };
}

describe('earning plan', () => {
  it('the flat program rate earns on whole currency units, rounded down', () => {
    const e = evaluate(
      program(),
      [],
      { orderId: 'o', memberId: 'm', occurredAt: '2026-03-01T00:00:00Z', currency: 'USD', amount: 12_99 },
      { ...NEW_MEMBER, memberId: 'm' },
      '2026-03-01T00:00:00Z',
    );
    expect(e.points).toBe(12);
    expect(effectiveRules(program(), [], '2026-03-01T00:00:00Z')[0]).toMatchObject({
      kind: 'base',
      ruleId: 'program-base',
    });
  });

  it(
    'property: any sequence of purchases and replays keeps balance = sum of lots = sum of transactions, each ' +
      'order once',
    () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              orderId: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
              amount: fc.integer({ min: 0, max: 100_000 }),
              dayOffset: fc.integer({ min: 0, max: 60 }),
            }),
            { maxLength: 30 },
          ),
          fc.integer({ min: 0, max: 30 }),
          (purchases, pendingDays) => {
            const sorted = [...purchases].sort((a, b) => a.dayOffset - b.dayOffset);
            const { state, lots, txs, seen } = run(program({ pendingDays }), sorted);
            expect(ledgerViolations({ ...state, debt: state.debt }, lots, txs)).toEqual([]);
            expect(txs).toHaveLength(seen.size);
            expect(state.pending).toBe(state.pendingLots.reduce((s, l) => s + l.points, 0));
          },
        ),
      );
    },
  );

  it('pending points are never available before their time and never pending after it', () => {
    const p = program({ pendingDays: 14 });
    const { state } = run(p, [{ orderId: 'o', amount: 50_00, dayOffset: 0 }]);
    expect(effectiveBalances(state, '2026-03-14T23:59:59.999Z')).toMatchObject({ available: 0, pending: 50 });
    expect(effectiveBalances(state, '2026-03-15T00:00:00.000Z')).toMatchObject({ available: 50, pending: 0 });
    const { activations } = settle(state, '2026-03-15T00:00:00.000Z');
    expect(activations).toHaveLength(1);
  });

  it('usage counters of periods that ended before the accepted window are dropped', () => {
    const next = countersAfter(
      { 'u#day:2026-03-01': 5, 'u#ever': 9, 'q#2026-03': 1 },
      { pointsByPeriod: { 'day:2026-03-02': 3, ever: 3 }, eventCounts: {} },
      '2026-03-02T10:00:00Z',
      'UTC',
    );
    expect(next).toEqual({ 'u#day:2026-03-02': 3, 'u#ever': 12, 'q#2026-03': 1 });
  });

  it('the fingerprint tells a replay from a different purchase under the same order id', () => {
    const p: PurchaseFacts = {
      orderId: 'o',
      memberId: 'm',
      occurredAt: '2026-01-01T00:00:00Z',
      currency: 'USD',
      amount: 100,
    };
    expect(purchaseFingerprint({ ...p, occurredAt: '2026-01-01T01:00:00+01:00' })).toBe(purchaseFingerprint(p));
    expect(purchaseFingerprint({ ...p, amount: 101 })).not.toBe(purchaseFingerprint(p));
  });
});
