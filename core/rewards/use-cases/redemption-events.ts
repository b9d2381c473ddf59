// The events a redemption announces when its item closes (completed, failed, cancelled): built
// from the committed redemption by the stream consumer (ledger/use-cases/announced-events.ts).
import { type DomainEvent, domainEvent } from '../../kernel/events';
import type { Redemption } from '../domain/rewards';
import { RedemptionCancelled, RedemptionFailed, RewardRedeemed } from '../events';

type Meta = { occurredAt: string; eventId?: string };

const metaOf = (rec: Pick<Redemption, 'programId' | 'correlationId'>, meta: Meta) => ({
  programId: rec.programId,
  ...meta,
  ...(rec.correlationId ? { correlationId: rec.correlationId } : {}),
});

/** `transactionId`: the redemption's `redeem` transaction. */
export function rewardRedeemed(rec: Redemption, meta: Meta, transactionId = rec.reservation!.transactionId) {
  return domainEvent(
    RewardRedeemed,
    {
      memberId: rec.memberId,
      redemptionId: rec.redemptionId,
      rewardId: rec.rewardId,
      rewardType: rec.rewardType,
      quantity: rec.quantity,
      points: rec.points,
      transactionId,
      codeIssued: !!rec.code,
      ...(rec.donation ? { donation: rec.donation } : {}),
      ...(rec.fulfilment?.reference ? { fulfilmentReference: rec.fulfilment.reference } : {}),
    },
    metaOf(rec, meta),
  );
}

export function redemptionFailed(rec: Redemption, meta: Meta): DomainEvent {
  return domainEvent(
    RedemptionFailed,
    {
      memberId: rec.memberId,
      redemptionId: rec.redemptionId,
      rewardId: rec.rewardId,
      reason: rec.failure?.reason ?? 'unknown',
      message: rec.failure?.message ?? '',
      pointsReturned: rec.release?.points ?? 0,
      stockReturned: rec.stockReleased ?? 0,
    },
    metaOf(rec, meta),
  );
}

export function redemptionCancelled(rec: Redemption, meta: Meta): DomainEvent {
  return domainEvent(
    RedemptionCancelled,
    {
      memberId: rec.memberId,
      redemptionId: rec.redemptionId,
      rewardId: rec.rewardId,
      pointsReturned: rec.release?.points ?? 0,
      stockReturned: rec.stockReleased ?? 0,
      ...(rec.release ? { transactionId: rec.release.transactionId } : {}),
    },
    metaOf(rec, meta),
  );
}
