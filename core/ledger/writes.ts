import type { Activation } from './domain/member-state';
import type { LotUpdate } from './ports';

/**
 * Lot updates for pending lots that became available: debt repaid from them, and the lots out of the activation
 * index.
 */
export function activationUpdates(memberId: string, activations: Activation[]): LotUpdate[] {
  return activations.map(({ lot, repaid }) => ({
    memberId,
    lot: {
      lotId: lot.lotId,
      amount: lot.points,
      remaining: lot.points,
      earnedAt: lot.availableAt,
      availableAt: lot.availableAt,
      expiresAt: lot.expiresAt,
      source: 'purchase',
      reason: '',
    },
    take: repaid,
    activated: true,
  }));
}

/**
 * One write takes from a lot once: updates of the same lot (an activation repaying debt and a
 * debit) become one take of both, conditioned on the lot holding the sum.
 */
export function mergeLotUpdates(updates: readonly LotUpdate[]): LotUpdate[] {
  const byLot = new Map<string, LotUpdate>();
  for (const u of updates) {
    const prev = byLot.get(u.lot.lotId);
    if (!prev) byLot.set(u.lot.lotId, u);
    else byLot.set(u.lot.lotId, { ...(prev.activated ? u : prev), take: prev.take + u.take, activated: false });
  }
  return [...byLot.values()];
}
