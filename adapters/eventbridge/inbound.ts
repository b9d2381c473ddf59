// The events we accept on the bus, declared once: the consumer dispatches on them, the event
// rule matches them, and docs/asyncapi.json documents them.
import type { z } from 'zod';
import { EngagementRecordedDetail, PurchaseCompletedDetail, PurchaseReturnedDetail } from '../../core/earning/schemas';

export interface InboundEvent {
  readonly schema: z.ZodType;
  readonly description: string;
  readonly example: Record<string, unknown>;
}

export const INBOUND_EVENTS = {
  'Purchase Completed': {
    schema: PurchaseCompletedDetail,
    description: 'A purchase to credit: the POST /v1/purchases body plus `programId`. Sent both ways, it credits once.',
    example: {
      programId: 'demo',
      orderId: 'A-1002',
      memberId: 'bob',
      occurredAt: '2026-11-22T11:00:00Z',
      currency: 'USD',
      amount: 4200,
    },
  },
  'Purchase Returned': {
    schema: PurchaseReturnedDetail,
    description:
      'A return of items or an amount, or (neither) a cancellation: the returns body plus `programId` and `orderId`.',
    example: {
      programId: 'demo',
      orderId: 'A-1002',
      returnId: 'R-2',
      occurredAt: '2026-11-23T09:00:00Z',
      amount: 1000,
    },
  },
  'Engagement Recorded': {
    schema: EngagementRecordedDetail,
    description: 'An engagement event (a review, a birthday, ...): the POST /v1/events body plus `programId`.',
    example: {
      programId: 'demo',
      eventId: 'rev-2',
      memberId: 'bob',
      type: 'review.posted',
      occurredAt: '2026-11-23T09:00:00Z',
    },
  },
} as const satisfies Record<string, InboundEvent>;

export type InboundDetailType = keyof typeof INBOUND_EVENTS;
export const INBOUND_DETAIL_TYPES = Object.keys(INBOUND_EVENTS) as InboundDetailType[];
