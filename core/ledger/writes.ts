import type { Activation } from './domain/member-state';
import type { LotUpdate } from './ports';

/** Lot updates for pending lots that became available: debt repaid from them, and the lots out of the activation index. */
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
