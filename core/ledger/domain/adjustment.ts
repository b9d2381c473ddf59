// An operator's adjustment, decided purely: a credit is a new lot (expiring as the program's policy
// says, repaying debt first, like any credit); a debit takes from the available lots nearest to expiry
// first, like a redemption or a claw-back. A debit beyond the available points is refused unless the
// program's return policy lets balances go negative ("negative-balance"): then the rest becomes debt.
// Adjustments leave lifetimeEarned and tier progress alone: they are corrections, not earnings.
import type { FieldError } from '../../kernel/errors';
import { type Activation, allocateDebit, creditRepayment, type MemberState, settleForWrite } from './member-state';
import type { BreakdownLine, Lot, Transaction } from './types';

export interface AdjustmentRequest {
  memberId: string;
  /** Signed: positive credits, negative debits; never 0. */
  points: number;
  reason: string;
  note?: string;
  by: { keyId: string; role: string | null };
}

export interface AdjustmentContext {
  now: string;
  /** Where a credit's lot expires (the program's expiry policy, from now). */
  expiresAt: string | null;
  /** Whether a debit may take the balance below zero (the program's return policy). */
  allowNegative: boolean;
  ids: { transactionId: string; lotId: string };
}

export type AdjustmentPlan =
  | {
      ok: true;
      state: MemberState;
      activations: Activation[];
      /** The credit's lot (positive adjustments). */
      lot: Lot | null;
      /** Points taken from each lot (negative adjustments). */
      takes: { lot: Lot; points: number }[];
      /** Points a debit could not take from lots: the member's new debt. */
      debt: number;
      transaction: Transaction;
    }
  | { ok: false; errors: FieldError[] };

/**
 * The adjustment's effect on a member's ledger state and lots (`lots`: their lots with points left, as read),
 * or why it cannot be made.
 */
export function planAdjustment(
  member: MemberState,
  lots: readonly Lot[],
  req: AdjustmentRequest,
  ctx: AdjustmentContext,
): AdjustmentPlan {
  if (!Number.isSafeInteger(req.points) || req.points === 0)
    return { ok: false, errors: [{ field: 'points', message: 'must be a whole number of points other than 0' }] };
  const { now } = ctx;
  const { state: settled, activations } = settleForWrite(member, now);
  const line = (ruleId: string, description: string, points: number): BreakdownLine => ({
    rule: 'adjustment',
    ruleId,
    version: 1,
    description,
    points,
  });
  const base = {
    transactionId: ctx.ids.transactionId,
    memberId: req.memberId,
    type: 'adjust' as const,
    points: req.points,
    reason: req.reason,
    source: 'admin' as const,
    occurredAt: now,
    recordedAt: now,
    ...(req.note ? { note: req.note } : {}),
    adjustedBy: req.by,
  };

  if (req.points > 0) {
    const repaid = creditRepayment(settled, req.points, false);
    const lot: Lot = {
      lotId: ctx.ids.lotId,
      amount: req.points,
      remaining: req.points - repaid,
      earnedAt: now,
      availableAt: now,
      expiresAt: ctx.expiresAt,
      source: 'admin',
      reason: req.reason,
    };
    const state: MemberState = {
      ...settled,
      available: settled.available + req.points,
      debt: settled.debt - repaid,
    };
    const breakdown = [
      line('operator', req.reason, req.points),
      ...(repaid ? [line('debt-repayment', `${repaid} point(s) repaid a negative balance`, 0)] : []),
    ];
    const transaction: Transaction = {
      ...base,
      status: 'credited',
      breakdown,
      lots: [{ lotId: lot.lotId, points: req.points }],
    };
    return { ok: true, state, activations, lot, takes: [], debt: 0, transaction };
  }

  const wanted = -req.points;
  // A lot that matured in this write and repaid debt holds less than its stored remainder.
  const repaidFrom = new Map(activations.map((a) => [a.lot.lotId, a.repaid]));
  const spendable = lots.map((l) => ({ ...l, remaining: l.remaining - (repaidFrom.get(l.lotId) ?? 0) }));
  const available = Math.max(0, settled.available);
  const { allocations } = allocateDebit(spendable, Math.min(wanted, available), now);
  const taken = allocations.reduce((s, a) => s + a.points, 0);
  const debt = wanted - taken;
  if (debt > 0 && !ctx.allowNegative)
    return {
      ok: false,
      errors: [
        {
          field: 'points',
          message:
            `would take ${wanted} point(s) from a balance of ${available} available: the program's return policy ` +
            '("cap-at-balance") does not let a balance go negative',
        },
      ],
    };
  const byId = new Map(lots.map((l) => [l.lotId, l]));
  const takes = allocations.map((a) => ({ lot: byId.get(a.lot.lotId)!, points: a.points }));
  const state: MemberState = {
    ...settled,
    available: settled.available - wanted,
    debt: settled.debt + debt,
  };
  const transaction: Transaction = {
    ...base,
    status: 'debited',
    breakdown: [
      line('operator', req.reason, -taken),
      ...(debt
        ? [line('negative-balance', 'Not enough points: the balance goes negative (program policy)', -debt)]
        : []),
    ],
    lots: allocations.map((a) => ({ lotId: a.lot.lotId, points: -a.points })),
  };
  return { ok: true, state, activations, lot: null, takes, debt, transaction };
}
